/**
 * The planner: desired + actual + manifest + settings -> Plan. Pure: it
 * imports nothing that does I/O, reads no clock and no environment, so the
 * same inputs always give the same plan (tested with tables, no board).
 *
 * Rules, per board path:
 * - /.belay (belay's own records) never appears; `ignore` paths are never
 *   looked at; `keep` paths are never created, changed or deleted. Both are
 *   only counted, for the "not managed" note.
 * - A file is created or updated when the board's copy differs from the
 *   desired one; deleted only when belay deployed it (it is in the manifest)
 *   and the config dropped it, or, with `prune`, when belay never deployed it.
 * - Drift (the board changed a file since the last apply) is restored and
 *   flagged; a conflict (both sides changed it) goes to the `conflicts`
 *   policy. Conflicts not settled by the policy make the plan unappliable.
 * - Folders are explicit: `mkdir` for each folder a new file needs, `rmdir`
 *   for a folder belay made (or any, with `prune`) that the plan leaves empty.
 */
import { boardMatcher } from '../config/patterns.js';
import type { ConflictPolicy } from '../config/types.js';
import { isTempName } from '../paths/board.js';
import { compare, resolveConflict } from './conflicts.js';
import { isReserved, MANIFEST_PATH } from './records.js';
import type {
  ActualEntry,
  ActualState,
  BoardIdentity,
  Change,
  Conflict,
  DesiredFile,
  DesiredState,
  FileState,
  Manifest,
  NotManaged,
  Plan,
  PlanSummary,
} from './types.js';

export interface PlanSettings {
  ignore: readonly string[];
  keep: readonly string[];
  prune: boolean;
  conflicts: ConflictPolicy;
}

/** What the plan records about where and when it was made; the planner only copies it. */
export interface PlanHeader {
  belayVersion: string;
  createdAt: string;
  board: BoardIdentity;
  profile: string | null;
  configDigest: string;
}

export interface PlanInput {
  desired: DesiredState;
  actual: ActualState;
  manifest: Manifest | null;
  settings: PlanSettings;
  header: PlanHeader;
}

export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

/** Proper ancestors of a board path, root excluded: /a/b/c -> /a, /a/b. */
function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let at = path.indexOf('/', 1); at !== -1; at = path.indexOf('/', at + 1)) out.push(path.slice(0, at));
  return out;
}

function fileState(entry: ActualEntry | undefined): FileState | undefined {
  if (entry?.kind !== 'file') return undefined;
  return { size: entry.size ?? 0, hash: entry.hash ?? '' };
}

/** Counts files per pattern, sorted by pattern, for the "not managed" note. */
function countByPattern(hits: Map<string, number>): Array<{ pattern: string; files: number }> {
  return [...hits].sort(([a], [b]) => comparePaths(a, b)).map(([pattern, files]) => ({ pattern, files }));
}

/**
 * Where keep-both puts the board's copy: beside the file, named
 * `<stem>.board-<digest8><ext>` (a name Python cannot import), unused by anything else.
 */
export function preservedName(path: string, board: FileState, taken: ReadonlySet<string>): string {
  const dir = parentOf(path);
  const name = path.slice(dir === '/' ? 1 : dir.length + 1);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const tag = board.hash.slice(0, 8) || 'copy';
  for (let n = 1; ; n++) {
    const candidate = `${dir === '/' ? '' : dir}/${stem}.board-${tag}${n > 1 ? `-${n}` : ''}${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function planChanges(input: PlanInput): Plan {
  const { desired, actual, manifest, settings, header } = input;
  if (desired.hashAlgorithm !== actual.hashAlgorithm) {
    throw new TypeError(`desired state hashed with ${desired.hashAlgorithm}, the board with ${actual.hashAlgorithm}`);
  }
  const ignored = boardMatcher(settings.ignore);
  const kept = boardMatcher(settings.keep);
  const warnings: string[] = [];
  const notManaged: NotManaged = { kept: [], ignored: [], unrecorded: [], temp: [] };
  const keptHits = new Map<string, number>();
  const ignoredHits = new Map<string, number>();
  const bump = (hits: Map<string, number>, pattern: string) => hits.set(pattern, (hits.get(pattern) ?? 0) + 1);

  // ---- partition the board: what the plan may touch, and what it leaves alone
  const board = new Map<string, ActualEntry>();
  /** Every entry on the board, untouchable ones included (a folder holding one cannot be removed). */
  const everything = new Map<string, ActualEntry>();
  let baseManifest: FileState | null = null;
  for (const entry of actual.entries) {
    if (entry.path === MANIFEST_PATH && entry.kind === 'file') baseManifest = fileState(entry) ?? null;
    everything.set(entry.path, entry);
    if (isReserved(entry.path)) continue;
    const ignoredBy = ignored(entry.path);
    if (ignoredBy !== undefined) {
      if (entry.kind === 'file') bump(ignoredHits, ignoredBy);
      continue;
    }
    const keptBy = kept(entry.path);
    if (keptBy !== undefined) {
      if (entry.kind === 'file') bump(keptHits, keptBy);
      continue;
    }
    if (entry.kind === 'file' && isTempName(entry.path)) {
      notManaged.temp.push(entry.path);
      continue;
    }
    board.set(entry.path, entry);
  }

  // ---- the base: what belay last applied (entries belay may no longer touch are dropped)
  const base = new Map<string, FileState>();
  const baseDirs = new Set<string>();
  if (manifest) {
    const comparable = manifest.hashAlgorithm === actual.hashAlgorithm;
    if (!comparable) {
      warnings.push(
        `the board's manifest was written with ${manifest.hashAlgorithm} hashes and the board now hashes with ${actual.hashAlgorithm}: changes made since the last apply cannot be told apart, so every difference counts as a conflict`,
      );
    }
    if (manifest.board !== header.board.id) warnings.push(`the board's manifest was written for board ${manifest.board}; this board is ${header.board.id}`);
    if (manifest.profile !== header.profile) {
      warnings.push(`the last apply used ${manifest.profile === null ? 'no profile' : `profile "${manifest.profile}"`}; this plan uses ${header.profile === null ? 'none' : `"${header.profile}"`}`);
    }
    for (const [path, state] of Object.entries(manifest.files)) {
      if (isReserved(path) || ignored(path) !== undefined || kept(path) !== undefined) continue;
      // A digest of "" is "unknown": it equals nothing (conflicts.ts sameFile).
      base.set(path, comparable ? state : { size: state.size, hash: '' });
    }
    for (const dir of manifest.dirs) baseDirs.add(dir);
  }

  // ---- the desired files belay may deploy
  const want = new Map<string, DesiredFile>();
  for (const file of desired.files) {
    if (isReserved(file.path) || ignored(file.path) !== undefined) continue;
    const keptBy = kept(file.path);
    if (keptBy !== undefined) {
      warnings.push(`${file.path} is deployed by the config but kept by "${keptBy}": left alone`);
      continue;
    }
    want.set(file.path, file);
  }

  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const nextFiles: Record<string, FileState> = {};
  const deleted = new Set<string>();
  /** Files the board will hold after the apply that belay manages (their folders are needed). */
  const present = new Set<string>();
  const taken = new Set<string>([...board.keys(), ...want.keys()]);

  const paths = [...new Set([...want.keys(), ...board.keys(), ...base.keys()])].sort(comparePaths);
  for (const path of paths) {
    const wanted = want.get(path);
    const entry = board.get(path);
    const recorded = base.get(path);
    const local: FileState | undefined = wanted && { size: wanted.size, hash: wanted.hash };

    if (entry?.kind === 'dir') {
      // A folder where the config deploys a file: nothing a policy can settle.
      if (wanted) conflicts.push({ path, kind: 'kind-mismatch', resolution: 'unresolved', local, ...(recorded ? { base: recorded } : {}) });
      continue;
    }
    const now = fileState(entry);
    const cmp = compare(local, now, recorded);
    const deploy = (action: 'create' | 'update', reason: Change['reason'], extra: Partial<Change> = {}) => {
      changes.push({
        action,
        path,
        reason,
        ...(now ? { before: now } : {}),
        after: local!,
        source: wanted!.source,
        ...(cmp.drift ? { drift: true } : {}),
        ...extra,
      });
      nextFiles[path] = local!;
      present.add(path);
    };
    const remove = (reason: Change['reason']) => {
      changes.push({ action: 'delete', path, reason, before: now!, ...(cmp.drift ? { drift: true } : {}) });
      deleted.add(path);
    };

    if (cmp.inSync) {
      if (wanted) {
        nextFiles[path] = local!;
        present.add(path);
      }
      continue;
    }

    if (cmp.conflict) {
      const resolution = resolveConflict(cmp.conflict, settings.conflicts);
      conflicts.push({ path, kind: cmp.conflict, resolution, ...(local ? { local } : {}), ...(now ? { board: now } : {}), base: recorded! });
      if (resolution === 'prefer-local' || (resolution === 'keep-both' && cmp.conflict === 'board-deleted')) {
        if (wanted) deploy(now ? 'update' : 'create', 'conflict-prefer-local');
        else remove('conflict-prefer-local');
      } else if (resolution === 'keep-both' && cmp.conflict === 'both-changed') {
        const preserveAs = preservedName(path, now!, taken);
        taken.add(preserveAs);
        deploy('update', 'conflict-keep-both', { preserveAs });
      } else {
        // Unresolved, or settled for the board: the board's file stays as it
        // is, and the base stays too, so the next plan sees the same
        // conflict instead of mistaking it for a plain local change.
        nextFiles[path] = recorded!;
        if (now) present.add(path);
      }
      continue;
    }

    if (wanted) {
      if (!now) deploy('create', cmp.drift ? 'restore-deleted' : 'new');
      else if (cmp.drift) deploy('update', 'restore-drift');
      else deploy('update', recorded ? 'changed' : 'replace-unrecorded');
    } else if (now) {
      if (recorded) remove('removed-from-config');
      else if (settings.prune) remove('prune');
      else notManaged.unrecorded.push(path);
    }
    // Recorded but gone from both sides: it simply leaves the manifest.
  }

  // ---- folders
  const needed = new Set<string>();
  for (const path of present) for (const dir of ancestorsOf(path)) needed.add(dir);
  for (const dir of [...needed].sort(comparePaths)) {
    const entry = everything.get(dir);
    if (entry?.kind === 'dir') continue;
    if (entry?.kind === 'file') {
      conflicts.push({ path: dir, kind: 'kind-mismatch', resolution: 'unresolved', board: fileState(entry) });
      continue;
    }
    changes.push({ action: 'mkdir', path: dir, reason: 'folder-needed' });
  }

  const removedDirs = removableDirs([...everything.values()], board, needed, deleted, (dir) => settings.prune || baseDirs.has(dir));
  for (const dir of removedDirs) changes.push({ action: 'rmdir', path: dir, reason: 'folder-unneeded' });

  // Folders belay made that stay (still holding files it does not manage) remain its to clean up later.
  const nextDirs = new Set(needed);
  for (const dir of baseDirs) if (board.get(dir)?.kind === 'dir' && !removedDirs.includes(dir)) nextDirs.add(dir);

  changes.sort((a, b) => comparePaths(a.path, b.path));
  conflicts.sort((a, b) => comparePaths(a.path, b.path) || comparePaths(a.kind, b.kind));
  notManaged.kept = countByPattern(keptHits);
  notManaged.ignored = countByPattern(ignoredHits);
  notManaged.unrecorded.sort(comparePaths);
  notManaged.temp.sort(comparePaths);

  return {
    formatVersion: 1,
    belayVersion: header.belayVersion,
    createdAt: header.createdAt,
    board: header.board,
    profile: header.profile,
    configDigest: header.configDigest,
    hashAlgorithm: actual.hashAlgorithm,
    policy: { conflicts: settings.conflicts, prune: settings.prune },
    baseManifest,
    changes,
    conflicts,
    notManaged,
    manifest: { files: sortedRecord(nextFiles), dirs: [...nextDirs].sort(comparePaths) },
    summary: summarise(changes, conflicts),
    warnings,
  };
}

/**
 * Folders the plan can remove: eligible (`mayRemove`), not needed, and left
 * empty once the plan's deletes are done. Anything else inside (a kept or
 * ignored file, a file belay does not manage) keeps a folder. Deepest first
 * is how they must be removed; the result is sorted by path like all changes.
 */
function removableDirs(
  everything: ActualEntry[],
  managed: Map<string, ActualEntry>,
  needed: Set<string>,
  deleted: Set<string>,
  mayRemove: (dir: string) => boolean,
): string[] {
  const children = new Map<string, ActualEntry[]>();
  for (const entry of everything) {
    const parent = parentOf(entry.path);
    const list = children.get(parent);
    if (list) list.push(entry);
    else children.set(parent, [entry]);
  }
  const removed = new Set<string>();
  const dirs = [...managed.values()].filter((e) => e.kind === 'dir').map((e) => e.path);
  // Deepest first, so a parent sees whether its sub-folders go.
  dirs.sort((a, b) => b.split('/').length - a.split('/').length || comparePaths(a, b));
  for (const dir of dirs) {
    if (needed.has(dir) || !mayRemove(dir)) continue;
    const remains = (children.get(dir) ?? []).some((child) => (child.kind === 'file' ? !deleted.has(child.path) : !removed.has(child.path)));
    if (!remains) removed.add(dir);
  }
  return [...removed].sort(comparePaths);
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort(comparePaths)) out[key] = record[key];
  return out;
}

export function summarise(changes: readonly Change[], conflicts: readonly Conflict[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, mkdir: 0, rmdir: 0, unresolved: 0, drift: 0 };
  for (const change of changes) {
    summary[change.action] += 1;
    if (change.drift) summary.drift += 1;
  }
  summary.unresolved = conflicts.filter((c) => c.resolution === 'unresolved').length;
  return summary;
}

/** True when applying the plan would change nothing on the board. */
export function isEmptyPlan(plan: Pick<Plan, 'changes'>): boolean {
  return plan.changes.length === 0;
}
