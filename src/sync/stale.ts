/**
 * Apply's refusals: everything that must hold before a saved plan may touch
 * the board, checked before any write.
 *
 * Without the board (checkPlanSettings): the plan has no unresolved
 * conflicts, it was made under the profile and the config in use.
 * With the board (checkPlanAgainstBoard): it is the same board (its identity,
 * read without storing anything), the manifest is the one the plan saw (no
 * other apply since), and planning again now (board listed afresh, local
 * sources hashed afresh without the hash cache) gives the same changes and
 * the same manifest. Where it does not, each differing path is put down to
 * the side that moved: the board (PLAN_STALE) or the sources
 * (PLAN_SOURCES_CHANGED), and the error names every path.
 *
 * Planning again, rather than checking only each change's `before` and
 * `after`, also catches what a saved plan cannot name: a managed file the
 * plan leaves alone that the board changed since, a new local file, a file
 * that appeared where the plan creates a folder.
 */
import type { LoadedConfig } from '../config/types.js';
import type { Device } from '../device/device.js';
import { BelayError } from '../errors.js';
import { readActual } from './actual.js';
import { findBoardIdentity } from './board-identity.js';
import { canonicalJson } from './canonical-json.js';
import { configDigest } from './config-digest.js';
import { readDesired } from './desired.js';
import { readManifest } from './manifest.js';
import { planChanges } from './planner.js';
import { MANIFEST_PATH } from './records.js';
import type { ActualState, BoardIdentity, Change, DesiredFile, DesiredState, FileSource, FileState, Manifest, Plan } from './types.js';
import { belayVersion } from './version.js';

const NEW_PLAN = 'make a new plan ("belay plan --out FILE"), review it, and apply that';

/** One path a refusal names, and what moved there. */
export interface StalePath {
  path: string;
  /** What is different now, in words ("changed on the board", "the local file changed"...). */
  why: string;
}

/** What the check read from the board, handed on to the transaction. */
export interface CheckedBoard {
  actual: ActualState;
  manifest: Manifest | null;
  desired: DesiredState;
  identity: BoardIdentity;
}

function profileName(profile: string | null): string {
  return profile === null ? 'no profile' : `profile "${profile}"`;
}

/** Refusals that need no board: unresolved conflicts, another profile, another config. */
export function checkPlanSettings(plan: Plan, config: LoadedConfig, name = 'the plan'): void {
  if (plan.summary.unresolved > 0 || plan.conflicts.some((c) => c.resolution === 'unresolved')) {
    const paths = plan.conflicts.filter((c) => c.resolution === 'unresolved').map((c) => c.path);
    throw new BelayError('PLAN_CONFLICTS', `${name} has ${paths.length} unresolved conflict${paths.length === 1 ? '' : 's'} (${listPaths(paths)}) and cannot be applied`, {
      data: { paths },
      hint: 'settle them (edit the files, or set the "conflicts" policy in belay.yaml), then plan again',
    });
  }
  if (plan.profile !== config.profile) {
    throw new BelayError('PLAN_OTHER_PROFILE', `${name} was made for ${profileName(plan.profile)}; this apply uses ${profileName(config.profile)}`, {
      data: { planned: plan.profile, current: config.profile },
      hint: plan.profile === null ? 'apply it without --profile (and without BELAY_PROFILE)' : `apply it with --profile ${plan.profile}, or ${NEW_PLAN}`,
    });
  }
  const digest = configDigest(config);
  if (plan.configDigest !== digest) {
    throw new BelayError('PLAN_CONFIG_CHANGED', `belay.yaml changed since ${name} was made (sources, files, ignore, keep, prune, conflicts or afterApply differ)`, {
      data: { planned: plan.configDigest, current: digest },
      hint: NEW_PLAN,
    });
  }
}

/**
 * Re-reads the board and the sources and refuses the plan unless they are
 * still what it was made from. Writes nothing. Returns what it read.
 */
export async function checkPlanAgainstBoard(device: Device, plan: Plan, config: LoadedConfig, options: { signal?: AbortSignal; name?: string } = {}): Promise<CheckedBoard> {
  const { signal } = options;
  const name = options.name ?? 'the plan';
  const actual = await readActual(device, { signal });
  const identity = await findBoardIdentity(device, actual, { signal });
  if (identity?.id !== plan.board.id) {
    throw new BelayError('PLAN_OTHER_BOARD', `${name} was made for board ${plan.board.id}; this is ${identity ? `board ${identity.id}` : 'a board belay has not planned for'}`, {
      data: { planned: plan.board.id, current: identity?.id ?? null },
      hint: 'connect the board the plan is for (--port), or plan for this board',
    });
  }
  if (actual.hashAlgorithm !== plan.hashAlgorithm) {
    throw new BelayError('PLAN_STALE', `${name} compares ${plan.hashAlgorithm} hashes; the board now hashes with ${actual.hashAlgorithm} (its firmware changed)`, {
      data: { paths: [], planned: plan.hashAlgorithm, current: actual.hashAlgorithm },
      hint: NEW_PLAN,
    });
  }
  const manifestEntry = actual.entries.find((entry) => entry.path === MANIFEST_PATH && entry.kind === 'file');
  const manifestNow: FileState | null = manifestEntry ? { size: manifestEntry.size ?? 0, hash: manifestEntry.hash ?? '' } : null;
  if (!sameState(manifestNow ?? undefined, plan.baseManifest ?? undefined)) {
    throw new BelayError('PLAN_STALE', `the board's manifest changed since ${name} was made (another apply ran on this board)`, {
      data: { paths: [MANIFEST_PATH], planned: plan.baseManifest, current: manifestNow },
      hint: NEW_PLAN,
    });
  }
  const manifest = await readManifest(device, actual, { signal });
  // Afresh: a cached hash is keyed by size and times, which an edit can keep.
  const desired = await readDesired(config, { algorithm: actual.hashAlgorithm, signal });
  const fresh = planChanges({
    desired,
    actual,
    manifest,
    settings: { ignore: config.ignore, keep: config.keep, prune: config.prune, conflicts: config.conflicts },
    header: { belayVersion: belayVersion(), createdAt: plan.createdAt, board: identity, profile: config.profile, configDigest: plan.configDigest },
  });
  const moved = compareWithFresh(plan, fresh, actual, desired);
  if (moved.sources.length > 0) {
    throw refusal('PLAN_SOURCES_CHANGED', `local sources changed since ${name} was made`, moved.sources, moved.board);
  }
  if (moved.board.length > 0) {
    throw refusal('PLAN_STALE', `the board changed since ${name} was made`, moved.board, []);
  }
  return { actual, manifest, desired, identity };
}

function refusal(code: 'PLAN_STALE' | 'PLAN_SOURCES_CHANGED', what: string, paths: StalePath[], alsoBoard: StalePath[]): BelayError {
  const all = [...paths, ...alsoBoard];
  return new BelayError(code, `${what}: ${listPaths(paths.map((p) => p.path))}`, {
    detail: all.map((p) => `  ${JSON.stringify(p.path)}: ${p.why}`).join('\n'),
    data: { paths: paths.map((p) => p.path), details: all },
    hint: NEW_PLAN,
  });
}

function listPaths(paths: string[]): string {
  const shown = paths.slice(0, 5).map((p) => JSON.stringify(p));
  return paths.length > 5 ? `${shown.join(', ')} and ${paths.length - 5} more` : shown.join(', ');
}

function sameState(a: FileState | undefined, b: FileState | undefined): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && a.hash === b.hash;
}

function sameSource(a: FileSource | undefined, b: FileSource | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'local' && b.kind === 'local') return a.path === b.path;
  if (a.kind === 'inline' && b.kind === 'inline') return a.format === b.format && a.secret === b.secret;
  return false;
}

/** What apply executes of a change: two changes doing the same are the same, whatever their reason or review. */
function sameChange(a: Change, b: Change): boolean {
  return a.action === b.action && sameState(a.before, b.before) && sameState(a.after, b.after) && a.preserveAs === b.preserveAs && sameSource(a.source, b.source);
}

/**
 * Paths where the plan made now differs from the saved one, each put down
 * to the board or to the sources. A saved change records what the board
 * held (`before`) and what the sources gave (`after`); for a path the saved
 * plan left alone, its manifest records what the sources gave then.
 */
export function compareWithFresh(saved: Plan, fresh: Plan, actual: ActualState, desired: DesiredState): { board: StalePath[]; sources: StalePath[] } {
  const board = new Map(actual.entries.map((entry) => [entry.path, entry]));
  const local = new Map<string, DesiredFile>(desired.files.map((file) => [file.path, file]));
  const savedChanges = new Map(saved.changes.map((c) => [c.path, c]));
  const freshChanges = new Map(fresh.changes.map((c) => [c.path, c]));
  const out = { board: [] as StalePath[], sources: [] as StalePath[] };
  const boardFile = (path: string): FileState | undefined => {
    const entry = board.get(path);
    return entry?.kind === 'file' ? { size: entry.size ?? 0, hash: entry.hash ?? '' } : undefined;
  };
  const localFile = (path: string): FileState | undefined => {
    const file = local.get(path);
    return file && { size: file.size, hash: file.hash };
  };

  const paths = [...new Set([...savedChanges.keys(), ...freshChanges.keys()])].sort();
  for (const path of paths) {
    const was = savedChanges.get(path);
    const now = freshChanges.get(path);
    if (was && now && sameChange(was, now)) continue;
    const entry = board.get(path);
    if (was) {
      if (was.action === 'mkdir' || was.action === 'rmdir') {
        const expected = was.action === 'mkdir' ? undefined : 'dir';
        if (entry?.kind !== expected) out.board.push({ path, why: entry ? `the board now has a ${entry.kind === 'dir' ? 'folder' : 'file'} here` : 'the folder is gone from the board' });
        else out.sources.push({ path, why: was.action === 'mkdir' ? 'the sources no longer need this folder' : 'the sources need this folder again, or the board holds new files in it' });
        continue;
      }
      if (!sameState(boardFile(path), was.before) || entry?.kind === 'dir') {
        out.board.push({ path, why: describeBoard(was.before, entry?.kind === 'dir' ? 'dir' : boardFile(path)) });
      } else if (was.after ? !sameState(localFile(path), was.after) || !sameSource(local.get(path)?.source, was.source) : local.has(path)) {
        out.sources.push({ path, why: describeLocal(was.after, localFile(path)) });
      } else {
        out.board.push({ path, why: 'what the plan would do here differs now' });
      }
      continue;
    }
    // A path the saved plan left alone: the sources moved if they no longer give what its manifest records.
    if (now!.action === 'mkdir' || now!.action === 'rmdir') {
      out.board.push({ path, why: now!.action === 'mkdir' ? 'the folder is gone from the board' : 'the folder was emptied on the board' });
      continue;
    }
    const recorded = saved.manifest.files[path];
    if (!sameState(localFile(path), recorded)) out.sources.push({ path, why: describeLocal(recorded, localFile(path)) });
    else out.board.push({ path, why: describeBoard(recorded, entry?.kind === 'dir' ? 'dir' : boardFile(path)) });
  }

  // The same changes but another manifest (a file that left both sides, say): the board moved.
  if (out.board.length === 0 && out.sources.length === 0 && canonicalJson(saved.manifest) !== canonicalJson(fresh.manifest)) {
    const files = new Set([...Object.keys(saved.manifest.files), ...Object.keys(fresh.manifest.files)]);
    for (const path of [...files].sort()) {
      if (!sameState(saved.manifest.files[path], fresh.manifest.files[path])) out.board.push({ path, why: 'what belay would record for it differs now' });
    }
    if (out.board.length === 0) out.board.push({ path: '/', why: 'the folders belay would record differ now' });
  }
  if (fresh.summary.unresolved > 0 && out.board.length === 0 && out.sources.length === 0) {
    for (const conflict of fresh.conflicts.filter((c) => c.resolution === 'unresolved')) out.board.push({ path: conflict.path, why: `now in conflict (${conflict.kind})` });
  }
  return out;
}

function describeBoard(expected: FileState | undefined, now: FileState | 'dir' | undefined): string {
  if (now === 'dir') return 'the board now has a folder here';
  if (!expected && now) return `a file appeared on the board (${now.size} B)`;
  if (expected && !now) return 'the file is gone from the board';
  return `changed on the board (${expected!.size} B -> ${now!.size} B, hash ${expected!.hash.slice(0, 8)} -> ${now!.hash.slice(0, 8)})`;
}

function describeLocal(expected: FileState | undefined, now: FileState | undefined): string {
  if (!expected && now) return `a new local file (${now.size} B)`;
  if (expected && !now) return 'the local file is gone (or no longer deployed)';
  if (expected && now && sameState(expected, now)) return 'it now comes from another local file';
  return `the local file changed (${expected!.size} B -> ${now!.size} B, hash ${expected!.hash.slice(0, 8)} -> ${now!.hash.slice(0, 8)})`;
}
