/**
 * Apply: execute a plan on its board as one transaction, through the
 * filesystem engine's primitives (device.fs stage / commit / discard; see
 * docs/transactions.md). Nothing here prints; progress leaves through hooks.
 *
 * Phases:
 *   check    refusals before any write (stale.ts: profile, config, board,
 *            manifest, board files, sources hashed afresh), then the
 *            preflight: every name the board must hold, and free space for
 *            every staged file at once plus the records (intent log,
 *            journal, manifest) with the filesystem's block rounding.
 *   stage    each new file beside its target, verified by reading it back
 *            from flash; its hash must also be the plan's `after`. The new
 *            manifest is one more staged file. Folders new files need are
 *            made here (recorded, so a cut removes them again).
 *   commit   one journaled round trip: folders, renames (the manifest's
 *            among them), deletes, folder removals, journal removed.
 *   cleanup  one listing without hashes confirms the board holds what the
 *            plan says and that no temp or record is left.
 *   reset    the after-apply action (none, soft-reset, hard-reset).
 *
 * Cancellation (the signal): before the commit it abandons the transaction
 * and discards what was staged (the board is as before); once the commit
 * has begun it is finished, and the result says the signal came then
 * (`interruptedDuringCommit`), skipping the after-apply action. A cut before
 * the journal leaves the whole old state; after it, recovery at the next
 * connection completes the whole new state (the engine's promise).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { AfterApply, LoadedConfig } from '../config/types.js';
import type { Device } from '../device/device.js';
import type { Staged } from '../device/fs/transaction.js';
import type { UploadSource } from '../device/fs/source.js';
import { abortError, BelayError, isBelayError } from '../errors.js';
import { isTempName } from '../paths/board.js';
import { reservedPath } from '../paths/reserved.js';
import { canonicalJson } from './canonical-json.js';
import { MANIFEST_FORMAT_VERSION } from './manifest.js';
import { BELAY_DIR, MANIFEST_NAME, MANIFEST_PATH } from './records.js';
import { checkPlanAgainstBoard, checkPlanSettings, type CheckedBoard } from './stale.js';
import type { Change, FileState, Manifest, Plan } from './types.js';
import { belayVersion } from './version.js';

export type ApplyPhase = 'check' | 'stage' | 'commit' | 'cleanup' | 'reset';

/** What a phase is about to do (onStart). */
export interface PhaseDetail {
  /** stage: files to stage (the manifest included); commit: renames + deletes. */
  files?: number;
  /** stage: payload bytes in all. */
  bytes?: number;
  /** reset: the action. */
  action?: AfterApply;
}

/** Progress while staging: the current file and the whole set. */
export interface StageProgress {
  /** Board path being staged. */
  path: string;
  /** 1-based number of the file being staged, of `files`. */
  index: number;
  files: number;
  fileDone: number;
  fileTotal: number;
  /** Payload bytes of all files, done and in all. */
  done: number;
  total: number;
}

export interface ApplyHooks {
  onStart?: (phase: ApplyPhase, detail: PhaseDetail) => void;
  onProgress?: (phase: 'stage', progress: StageProgress) => void;
  onDone?: (phase: ApplyPhase) => void;
}

export interface ApplyOptions {
  /** Cancels before the commit (staged files are discarded); noticed, not obeyed, during it. */
  signal?: AbortSignal;
  hooks?: ApplyHooks;
  /** The plan file's name, for messages. */
  name?: string;
  /** The after-apply action (default: the config's device.afterApply). */
  afterApply?: AfterApply;
  /** The apply's time and id recorded in the manifest (default now and a random id; tests fix them). */
  now?: Date;
  applyId?: string;
}

export interface ApplyResult {
  applyId: string;
  board: string;
  created: string[];
  updated: string[];
  deleted: string[];
  mkdirs: string[];
  rmdirs: string[];
  /** Folders the plan removes that still held something (left in place). */
  kept: string[];
  /** keep-both: where the board's copies were kept. */
  preserved: string[];
  /** Payload bytes staged (the manifest included). */
  bytes: number;
  /** Whether the commit went under a journal. */
  journaled: boolean;
  /** False when the board already matched the plan and held its manifest: nothing was written. */
  wrote: boolean;
  /** The action run after the commit, or 'skipped' (interrupted during the commit). */
  afterApply: AfterApply | 'skipped';
  /** The signal fired once the commit had begun: the commit was finished, nothing after it ran. */
  interruptedDuringCommit: boolean;
}

/** One file to stage. */
interface Upload {
  target: string;
  source: UploadSource;
  expect: FileState;
  /** Where the bytes come from, for messages. */
  from: string;
}

/**
 * Applies `plan` (made for this board under `config`) on `device`. Refuses
 * a stale plan before writing anything; see the module comment for the rest.
 */
export async function applyPlan(device: Device, plan: Plan, config: LoadedConfig, options: ApplyOptions = {}): Promise<ApplyResult> {
  const { signal, hooks = {} } = options;
  const name = options.name ?? 'the plan';
  const afterApply = options.afterApply ?? config.device.afterApply;

  hooks.onStart?.('check', {});
  checkPlanSettings(plan, config, name);
  const checked = await checkPlanAgainstBoard(device, plan, config, { signal, name });
  const manifest = newManifest(plan, options);
  const result: ApplyResult = {
    applyId: manifest.applyId,
    board: plan.board.id,
    created: [],
    updated: [],
    deleted: [],
    mkdirs: [],
    rmdirs: [],
    kept: [],
    preserved: [],
    bytes: 0,
    journaled: false,
    wrote: false,
    afterApply: 'none',
    interruptedDuringCommit: false,
  };
  if (plan.changes.length === 0 && sameRecord(checked.manifest, manifest)) {
    hooks.onDone?.('check');
    return result;
  }
  // Compact: the manifest goes over the link at every apply and plan.
  const manifestBytes = Buffer.from(`${canonicalJson(manifest)}\n`, 'utf8');
  const uploads = await uploadsOf(device, plan, config, { signal });
  const deletes = plan.changes.filter((c) => c.action === 'delete').map((c) => c.path);
  const mkdirs = plan.changes.filter((c) => c.action === 'mkdir').map((c) => c.path);
  const rmdirs = plan.changes.filter((c) => c.action === 'rmdir').map((c) => c.path);
  await preflight(device, checked, uploads, mkdirs, manifestBytes.length, { signal });
  hooks.onDone?.('check');

  // ---- stage: nothing the board runs is touched yet
  const total = uploads.reduce((n, u) => n + u.expect.size, 0) + manifestBytes.length;
  const files = uploads.length + 1;
  hooks.onStart?.('stage', { files, bytes: total });
  const staged: Staged[] = [];
  let done = 0;
  try {
    for (const [i, upload] of uploads.entries()) {
      if (signal?.aborted) throw abortError(signal);
      let reported = -1;
      const report = (fileDone: number) => {
        if (fileDone === reported) return;
        reported = fileDone;
        hooks.onProgress?.('stage', { path: upload.target, index: i + 1, files, fileDone, fileTotal: upload.expect.size, done: done + fileDone, total });
      };
      report(0);
      const item = await device.fs.stage(upload.target, upload.source, { parents: true, prechecked: true, size: upload.expect.size, signal, onProgress: (p) => report(p.done) });
      staged.push(item);
      if (item.size !== upload.expect.size || item.hash.digest !== upload.expect.hash) {
        throw new BelayError('PLAN_SOURCES_CHANGED', `${upload.from} changed while it was being applied (the board received ${item.size} B hashing ${item.hash.digest.slice(0, 8)}, the plan says ${upload.expect.size} B hashing ${upload.expect.hash.slice(0, 8)})`, {
          data: { paths: [upload.target] },
          hint: 'nothing was changed on the board; make a new plan once the file is written',
        });
      }
      report(upload.expect.size);
      done += upload.expect.size;
    }
    if (signal?.aborted) throw abortError(signal);
    const index = files;
    hooks.onProgress?.('stage', { path: MANIFEST_PATH, index, files, fileDone: 0, fileTotal: manifestBytes.length, done, total });
    staged.push(await device.fs.stage(reservedPath(MANIFEST_NAME), manifestBytes, { parents: true, prechecked: true, signal }));
    done += manifestBytes.length;
    hooks.onProgress?.('stage', { path: MANIFEST_PATH, index, files, fileDone: manifestBytes.length, fileTotal: manifestBytes.length, done, total });
    // The last moment a cancel leaves the board as it was.
    if (signal?.aborted) throw abortError(signal);
  } catch (err) {
    await discard(device);
    throw stagingError(err, total, uploads.length);
  }
  result.bytes = done;
  hooks.onDone?.('stage');

  // ---- commit: once begun, finished; the signal is only noticed
  hooks.onStart?.('commit', { files: staged.length + deletes.length });
  const committed = await device.fs.commit({ renames: staged, deletes, mkdirs, rmdirs }).catch((err: unknown) => {
    throw commitError(err);
  });
  result.wrote = true;
  result.journaled = committed.journaled;
  result.kept = committed.kept;
  result.interruptedDuringCommit = signal?.aborted ?? false;
  for (const change of plan.changes) {
    if (change.action === 'create') result.created.push(change.path);
    else if (change.action === 'update') result.updated.push(change.path);
    else if (change.action === 'delete') result.deleted.push(change.path);
    else if (change.action === 'mkdir') result.mkdirs.push(change.path);
    else if (!committed.kept.includes(change.path)) result.rmdirs.push(change.path);
    if (change.preserveAs) result.preserved.push(change.preserveAs);
  }
  hooks.onDone?.('commit');

  // ---- cleanup: the board holds what the plan says, and nothing of the transaction is left
  hooks.onStart?.('cleanup', {});
  await confirm(device, plan, manifestBytes.length, committed.kept);
  hooks.onDone?.('cleanup');

  if (result.interruptedDuringCommit) {
    result.afterApply = 'skipped';
    return result;
  }
  result.afterApply = afterApply;
  if (afterApply !== 'none') {
    hooks.onStart?.('reset', { action: afterApply });
    if (afterApply === 'hard-reset') await device.hardReset({ signal });
    else await device.restart({ signal });
    hooks.onDone?.('reset');
  }
  return result;
}

function newManifest(plan: Plan, options: ApplyOptions): Manifest {
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    board: plan.board.id,
    applyId: options.applyId ?? randomUUID(),
    appliedAt: (options.now ?? new Date()).toISOString(),
    belayVersion: belayVersion(),
    profile: plan.profile,
    hashAlgorithm: plan.hashAlgorithm,
    files: plan.manifest.files,
    dirs: plan.manifest.dirs,
  };
}

/** Whether the board's manifest already records what this apply would (time and id aside). */
function sameRecord(current: Manifest | null, next: Manifest): boolean {
  if (!current) return false;
  const record = (m: Manifest) => canonicalJson({ board: m.board, profile: m.profile, hashAlgorithm: m.hashAlgorithm, files: m.files, dirs: m.dirs });
  return record(current) === record(next);
}

/** The files to stage, in plan order: each create and update, and a kept copy for each keep-both. */
async function uploadsOf(device: Device, plan: Plan, config: LoadedConfig, options: { signal?: AbortSignal }): Promise<Upload[]> {
  const inline = new Map(config.files.map((file) => [file.path, file]));
  const uploads: Upload[] = [];
  for (const change of plan.changes) {
    if (change.action !== 'create' && change.action !== 'update') continue;
    if (change.preserveAs) uploads.push(await preservedCopy(device, change, options));
    uploads.push(sourceOf(change, config.rootDir, inline));
  }
  return uploads;
}

function sourceOf(change: Change, rootDir: string, inline: Map<string, LoadedConfig['files'][number]>): Upload {
  const source = change.source;
  if (!source || !change.after) throw new BelayError('PLAN_INVALID', `the plan's change of ${change.path} has no source`);
  if (source.kind === 'local') {
    const file = resolve(rootDir, source.path);
    return { target: change.path, source: { file }, expect: change.after, from: source.path };
  }
  const text = inline.get(change.path);
  if (!text) throw new BelayError('PLAN_SOURCES_CHANGED', `belay.yaml no longer has the inline file ${change.path}`, { data: { paths: [change.path] }, hint: 'make a new plan' });
  return { target: change.path, source: Buffer.from(text.content, 'utf8'), expect: change.after, from: `belay.yaml files: ${change.path}` };
}

/** keep-both: the board's copy, read (hash-checked against the plan's `before`) to be staged under its kept name. */
async function preservedCopy(device: Device, change: Change, options: { signal?: AbortSignal }): Promise<Upload> {
  const { data, hash } = await device.fs.read(change.path, { signal: options.signal });
  if (!change.before || hash.digest !== change.before.hash || data!.length !== change.before.size) {
    throw new BelayError('PLAN_STALE', `the board changed since the plan was made: ${JSON.stringify(change.path)}`, { data: { paths: [change.path] }, hint: 'make a new plan' });
  }
  return { target: change.preserveAs!, source: data!, expect: change.before, from: `the board's ${change.path}` };
}

/**
 * Before the first byte: every name must be one the board's filesystem can
 * hold, and there must be room for all staged files at once (the old copies
 * stay until the commit), the folders made, and the records.
 */
async function preflight(device: Device, checked: CheckedBoard, uploads: Upload[], mkdirs: string[], manifestSize: number, options: { signal?: AbortSignal }): Promise<void> {
  const { signal } = options;
  const existing = checked.actual.entries.map((e) => e.path).filter((p) => !isTempName(p) && p !== BELAY_DIR && !p.startsWith(`${BELAY_DIR}/`));
  await device.fs.checkNames([...mkdirs, ...uploads.map((u) => u.target)], { existing, signal });
  // Per mount: a plan may write to several (a flash and an SD card).
  const byMount = new Map<string, { files: Array<{ size: number; replaced: number }>; dirs: number }>();
  const need = async (path: string) => {
    const { mount } = await device.fs.mountOf(path, { signal });
    let entry = byMount.get(mount);
    if (!entry) byMount.set(mount, (entry = { files: [], dirs: 0 }));
    return entry;
  };
  for (const upload of uploads) (await need(upload.target)).files.push({ size: upload.expect.size, replaced: 0 });
  for (const dir of mkdirs) (await need(dir)).dirs += 1;
  // The records: the new manifest beside the old, the intent log (a line per staged file), the journal.
  const records = await need(MANIFEST_PATH);
  const perFile = uploads.reduce((n, u) => n + 2 * Buffer.byteLength(u.target, 'utf8') + 48, 0);
  records.files.push({ size: manifestSize, replaced: 0 }, { size: perFile + 64, replaced: 0 }, { size: perFile + 64, replaced: 0 });
  for (const [mount, { files, dirs }] of byMount) {
    try {
      await device.fs.checkSpaceFor(mount, files, dirs, { signal });
    } catch (err) {
      if (!isBelayError(err, 'NO_SPACE')) throw err;
      throw new BelayError('NO_SPACE', `this apply does not fit on the board: ${err.message}`, {
        data: { ...err.data, mount },
        detail: 'Every new file is staged beside its old copy and verified before any is replaced, so an apply needs room for all of them at once, plus its records.',
        hint: 'nothing was changed on the board; free some space (belay df, belay rm) or deploy less',
        cause: err,
      });
    }
  }
}

/** After a failure while staging: the error to report (a full flash says how much the apply needs). */
function stagingError(err: unknown, total: number, files: number): unknown {
  if (!isBelayError(err, 'NO_SPACE')) return err;
  return new BelayError('NO_SPACE', `the board ran out of space while staging (${err.message}); this apply stages ${total} bytes in ${files + 1} files`, {
    data: { ...err.data, needed: total },
    hint: 'the staged files were removed and nothing was changed on the board; free some space (belay df, belay rm) or deploy less',
    cause: err,
  });
}

/** A commit that failed part way: its journal is on the board, and the next connection completes it. */
function commitError(err: unknown): unknown {
  if (!isBelayError(err, 'LINK_LOST') && !isBelayError(err, 'TIMEOUT')) return err;
  return new BelayError(err.code, `${err.message} during the commit`, {
    data: err.data,
    detail: err.detail,
    hint: 'the board holds the commit\'s journal: the next belay command that connects to it finishes the commit (then "belay plan" shows the result)',
    cause: err,
  });
}

/** Abandons staging; when the link is gone, the intent log lets the next connection do it. */
async function discard(device: Device): Promise<void> {
  await device.fs.discard().catch(() => undefined);
}

/** One listing (sizes, no hashes: staged files were verified from flash) that the board holds what the plan says. */
async function confirm(device: Device, plan: Plan, manifestSize: number, kept: string[]): Promise<void> {
  const entries = new Map((await device.fs.list('/', { recursive: true })).map((e) => [e.path, e]));
  const wrong: string[] = [];
  for (const change of plan.changes) {
    const entry = entries.get(change.path);
    if (change.action === 'create' || change.action === 'update') {
      if (entry?.kind !== 'file' || entry.size !== change.after!.size) wrong.push(`${change.path}: not the planned file`);
      if (change.preserveAs && entries.get(change.preserveAs)?.kind !== 'file') wrong.push(`${change.preserveAs}: the kept copy is missing`);
    } else if (change.action === 'delete' && entry) wrong.push(`${change.path}: still there`);
    else if (change.action === 'mkdir' && entry?.kind !== 'dir') wrong.push(`${change.path}: no folder`);
    else if (change.action === 'rmdir' && entry && !kept.includes(change.path)) wrong.push(`${change.path}: still there`);
  }
  if (entries.get(MANIFEST_PATH)?.size !== manifestSize) wrong.push(`${MANIFEST_PATH}: not the new manifest`);
  for (const path of entries.keys()) {
    if (path.startsWith(`${BELAY_DIR}/`) && /\/(journal\.json|intent\.log)$|\.belay-tmp-/.test(path)) wrong.push(`${path}: a transaction record was left`);
  }
  const touched = new Set(plan.changes.map((c) => c.path.slice(0, c.path.lastIndexOf('/')) || '/'));
  for (const [path, entry] of entries) {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (entry.kind === 'file' && isTempName(path) && touched.has(parent) && !plan.notManaged.temp.includes(path)) wrong.push(`${path}: a staged file was left`);
  }
  if (wrong.length > 0) {
    throw new BelayError('VERIFY_FAILED', `after the commit the board does not hold what the plan says (${wrong.length} path${wrong.length === 1 ? '' : 's'})`, {
      detail: wrong.map((w) => `  ${w}`).join('\n'),
      data: { problems: wrong },
      hint: 'plan again to see the board as it is',
    });
  }
}
