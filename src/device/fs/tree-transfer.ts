/**
 * Copying between local paths and the board: single files and whole trees.
 *
 * putTree walks the local tree with the one local walker (src/local: default
 * ignores, hidden names, symlinks) and checks every board path it will
 * write before it sends anything, so a bad link or name refuses the whole
 * upload instead of leaving it half done. It then lists the board side once
 * (sizes and hashes in one round trip), hashes the local files with the
 * board's algorithm, and uploads only what differs, so an unchanged tree
 * costs one round trip. Before any byte is sent it also refuses names the
 * board's filesystem cannot hold or would fold together, and cuts the files
 * to write into batches whose temps fit on the flash (batch-plan.ts; on
 * littlefs small files share one pack instead, where the flash has room
 * for it). Each batch is one board program, one stream (compressed as a
 * whole on slow links) and one transaction (upload-batch.ts): its files are staged and
 * verified from flash, then committed together, or, on any mismatch, board
 * error or Ctrl-C, none is. A cut leaves every file old or new (a batch
 * whose commit began is finished by the next connection's recovery, one
 * that did not is rolled back), and no temp survives recovery. With
 * `dryRun` it reports what it would do and changes nothing.
 *
 * getTree checks every board name can exist on this host (and that none
 * collide when case is folded), and that no symlink below the local folder
 * leads out of it, before writing anything; files arrive through temp files.
 */
import nodePath from 'node:path';
import { BelayError, isBelayError, throwIfAborted } from '../../errors.js';
import { ancestors, boardBasename, boardDirname, boardJoin, boardPath, boardRelative, checkBoardPath, inUserTree, isTempName, writePath } from '../../paths/board.js';
import { folderDigest, type DigestEntry } from './folder-digest.js';
import { assertNoCaseCollisions, localPathFor } from '../../paths/local.js';
import type { DeviceFs } from './device-fs.js';
import { BATCH_MAX_BYTES } from './batch-plan.js';
import { hashLocalFile, sameHash } from '../../hashing/hashing.js';
import { walkTree, type SkippedEntry, type WalkOptions } from '../../local/walk.js';
import { AtomicFile, checkWriteTargets, ensureDir } from '../../local/write.js';
import type { ContentHash, FsEntry, HashAlgorithm, Progress, TransferStats } from './types.js';

export interface FileEvent {
  /** Board path. */
  path: string;
  /** Local path. */
  local: string;
  action: 'upload' | 'skip' | 'download' | 'mkdir';
  size: number;
}

export interface TreeOptions {
  signal?: AbortSignal;
  /** putTree: which local files to take (default: the walker's defaults; see src/local/walk.ts). */
  walk?: Pick<WalkOptions, 'ignore' | 'hidden' | 'exclude'>;
  /** putTree: report what would be uploaded and created, and change nothing on the board. */
  dryRun?: boolean;
  /** Called before each file (and directory created). */
  onFile?: (event: FileEvent) => void;
  /** Progress within the current file. */
  onProgress?: (event: FileEvent, progress: Progress) => void;
}

export interface TreeResult {
  files: Array<FileEvent & { stats?: TransferStats }>;
  bytes: number;
  wireBytes: number;
  /** putTree: local entries left out (ignored, hidden, excluded, special files). */
  skipped: SkippedEntry[];
}

/**
 * What the board holds under `root`, as far as putTree needs it, by path
 * (undefined when nothing is there): every folder, and every file of the
 * folders the local tree has. One round trip gives a digest per folder
 * (folder-digest.ts); a folder whose digest is the local folder's holds
 * exactly the local files, which are taken from the local side; only the
 * folders that differ are listed, in one more round trip. An unchanged tree
 * so costs a line per folder, not per file.
 */
async function boardEntries(fs: DeviceFs, root: string, tree: { dirs: string[]; files: Array<{ relative: string; size: number }> }, hashes: Map<string, ContentHash>, algorithm: HashAlgorithm, signal?: AbortSignal): Promise<Map<string, FsEntry> | undefined> {
  let digests: Awaited<ReturnType<DeviceFs['folderDigests']>>;
  try {
    digests = await fs.folderDigests(root, { signal });
  } catch (err) {
    if (isBelayError(err, 'FS_ERROR') && err.data.errnoName === 'ENOENT') return undefined;
    throw err;
  }
  const existing = new Map<string, FsEntry>();
  if (digests.file) return existing.set(digests.file.path, digests.file);
  // The local side folder by folder: what each holds directly, by board path.
  const local = new Map<string, { entries: DigestEntry[]; files: FsEntry[] }>([[root, { entries: [], files: [] }]]);
  for (const dir of tree.dirs) local.set(boardJoin(root, dir), { entries: [], files: [] });
  for (const dir of tree.dirs) {
    const path = boardJoin(root, dir);
    local.get(boardDirname(path))?.entries.push({ name: boardBasename(path), kind: 'dir' });
  }
  for (const file of tree.files) {
    const path = boardJoin(root, file.relative);
    const hash = hashes.get(file.relative)!;
    const folder = local.get(boardDirname(path));
    folder?.entries.push({ name: boardBasename(path), kind: 'file', size: file.size, digest: hash.digest });
    folder?.files.push({ path, kind: 'file', size: file.size, hash });
  }
  const differing: string[] = [];
  for (const folder of digests.folders) {
    if (folder.path !== root) existing.set(folder.path, { path: folder.path, kind: 'dir', size: 0 });
    // A folder the local tree lacks: that it is a folder is all putTree needs.
    const mine = local.get(folder.path);
    if (!mine) continue;
    const expected = folderDigest(algorithm, mine.entries);
    if (expected.digest === folder.digest && expected.count === folder.count) for (const file of mine.files) existing.set(file.path, file);
    else differing.push(folder.path);
  }
  for (const entry of await fs.listFolders(differing, { signal })) existing.set(entry.path, entry);
  return existing;
}

/** Uploads the local tree `localDir` into board directory `remoteDir`, skipping identical files. */
export async function putTree(fs: DeviceFs, localDir: string, remoteDir: string, options: TreeOptions = {}): Promise<TreeResult> {
  const root = writePath(remoteDir, 'dir');
  const { signal } = options;
  // Everything that can be refused is refused before the first byte goes out.
  const tree = await walkTree(localDir, { ...options.walk, signal });
  checkTargets(root, tree.dirs, tree.files.map((file) => file.relative));
  const features = await fs.probe({ signal });
  // Local hashes first: folder by folder they tell whether the board already holds the same.
  const hashes = new Map<string, ContentHash>();
  for (const file of tree.files) {
    throwIfAborted(signal);
    hashes.set(file.relative, await hashLocalFile(features.hash, file.path, signal));
  }
  const listing = await boardEntries(fs, root, tree, hashes, features.hash, signal);
  const existing = listing ?? new Map<string, FsEntry>();
  const result: TreeResult = { files: [], bytes: 0, wireBytes: 0, skipped: tree.skipped };
  // The one listing tells all: absent, a file (it lists itself) or a directory.
  if (existing.get(root)?.kind === 'file') throw new BelayError('FS_ERROR', `${root} is a file, not a directory`, { data: { path: root, errnoName: 'ENOTDIR' } });
  const dirPaths = tree.dirs.map((dir) => boardJoin(root, dir));
  for (const path of dirPaths) {
    if (existing.get(path)?.kind === 'file') throw new BelayError('FS_ERROR', `${path} is a file on the board, the local side has a directory`, { data: { path, errnoName: 'ENOTDIR' } });
  }
  // Decide everything before sending anything: what changes, whether its names fit, whether it fits.
  const planned: Array<{ path: string; local: string; size: number; same: boolean; replaced: number }> = [];
  for (const file of tree.files) {
    throwIfAborted(signal);
    const path = boardJoin(root, file.relative);
    const local = hashes.get(file.relative)!;
    const entry = existing.get(path);
    if (entry?.kind === 'dir') throw new BelayError('FS_ERROR', `${path} is a directory on the board, the local side has a file`, { data: { path, errnoName: 'EISDIR' } });
    const same = entry?.kind === 'file' && entry.size === file.size && sameHash(entry.hash, local);
    planned.push({ path, local: file.path, size: file.size, same, replaced: entry?.kind === 'file' ? entry.size : 0 });
  }
  const created = [...(listing ? [] : [root]), ...dirPaths.filter((path) => !existing.has(path))];
  const written = planned.filter((item) => !item.same);
  await fs.checkNames([...created, ...written.map((item) => item.path)], { signal, existing: [...existing.keys()].filter((path) => !isTempName(path)) });
  // Batches whose temps fit on the flash beside the old copies (NO_SPACE now if a file cannot fit at all).
  const { batches, pack } = options.dryRun ? { batches: [], pack: false } : await fs.batchesFor(root, written, created.length, { signal });
  // Folders that will hold a written file are made by its staging (recorded, so
  // a cut removes them again); the others, empty ones, are made here.
  const holding = new Set(written.flatMap((item) => ancestors(item.path)));
  for (const path of created) {
    if (holding.has(path)) continue;
    const event: FileEvent = { path, local: nodePath.join(tree.root, boardRelative(root, path) ?? ''), action: 'mkdir', size: 0 };
    options.onFile?.(event);
    if (!options.dryRun) await fs.mkdir(path, { parents: true, signal });
  }
  const done = new Map<string, FileEvent & { stats?: TransferStats }>();
  for (const item of planned) {
    if (!item.same && !options.dryRun) continue;
    const event: FileEvent = { path: item.path, local: item.local, action: item.same ? 'skip' : 'upload', size: item.size };
    options.onFile?.(event);
    done.set(item.path, event);
  }
  for (const batch of batches) {
    throwIfAborted(signal);
    const events = batch.map((item): FileEvent => ({ path: item.path, local: item.local, action: 'upload', size: item.size }));
    let stats: TransferStats[];
    if (batch.length === 1 && batch[0].size > BATCH_MAX_BYTES) {
      // Too large to hold in memory as a batch: streamed on its own.
      options.onFile?.(events[0]);
      stats = [await fs.write(batch[0].path, { file: batch[0].local }, { signal, size: batch[0].size, parents: true, prechecked: true, onProgress: (progress) => options.onProgress?.(events[0], progress) })];
    } else {
      stats = await fs.writeBatch(
        batch.map((item) => ({ path: item.path, source: { file: item.local } })),
        { signal, pack, onFile: (i) => options.onFile?.(events[i]), onProgress: (i, progress) => options.onProgress?.(events[i], progress) },
      );
    }
    events.forEach((event, i) => {
      result.bytes += stats[i].bytes;
      result.wireBytes += stats[i].wireBytes;
      done.set(event.path, { ...event, stats: stats[i] });
    });
  }
  result.files = planned.map((item) => done.get(item.path)!);
  return result;
}

/** Throws one PATH_INVALID/PATH_RESERVED naming every local entry whose board path cannot be written. */
function checkTargets(root: string, dirs: string[], files: string[]): void {
  const problems: Array<{ relative: string; path: string; code: 'PATH_INVALID' | 'PATH_RESERVED'; reason: string }> = [];
  const checkOne = (relative: string, purpose: 'dir' | 'file') => {
    const path = boardJoin(root, relative);
    const check = checkBoardPath(path, { purpose });
    if (!check.ok) problems.push({ relative, path, code: check.code, reason: check.reason });
  };
  for (const dir of dirs) checkOne(dir, 'dir');
  for (const file of files) checkOne(file, 'file');
  if (problems.length === 0) return;
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new BelayError(first.code, `${JSON.stringify(first.relative)} cannot be uploaded: board path ${JSON.stringify(first.path)} ${first.reason}${more}`, {
    detail: problems.map((p) => `${JSON.stringify(p.relative)}: ${p.reason}`).join('\n'),
    hint: 'nothing was uploaded; rename the files or leave them out with --exclude',
    data: { problems },
  });
}

/** Downloads board directory `remoteDir` into `localDir` (created as needed). */
export async function getTree(fs: DeviceFs, remoteDir: string, localDir: string, options: TreeOptions = {}): Promise<TreeResult> {
  const root = boardPath(remoteDir);
  const { signal } = options;
  const entries = (await fs.list(root, { signal, recursive: true })).filter((entry) => !isTempName(entry.path) && inUserTree(root, entry.path));
  const planned = entries.map((entry) => {
    const relative = boardRelative(root, entry.path);
    if (relative === undefined) throw new BelayError('PROTOCOL', `the board listed ${entry.path} outside ${root}`);
    return { entry, relative, local: localPathFor(localDir, relative) };
  });
  assertNoCaseCollisions(planned.map((item) => item.relative));
  await checkWriteTargets(localDir, planned.map((item) => ({ relative: item.relative, kind: item.entry.kind })));
  const result: TreeResult = { files: [], bytes: 0, wireBytes: 0, skipped: [] };
  for (const item of planned) {
    throwIfAborted(signal);
    if (item.entry.kind === 'dir') continue;
    const event: FileEvent = { path: item.entry.path, local: item.local, action: 'download', size: item.entry.size };
    options.onFile?.(event);
    const stats = await getFile(fs, item.entry.path, item.local, { signal, onProgress: (progress) => options.onProgress?.(event, progress) });
    result.bytes += stats.bytes;
    result.wireBytes += stats.wireBytes;
    result.files.push({ ...event, stats });
  }
  // Empty directories too, so the copy has the board's shape.
  for (const item of planned) if (item.entry.kind === 'dir') await ensureDir(item.local);
  return result;
}

/** Downloads one board file to a local path, through a temp file; nothing is left on failure. */
export async function getFile(fs: DeviceFs, remote: string, local: string, options: { signal?: AbortSignal; onProgress?: (progress: Progress) => void } = {}): Promise<TransferStats> {
  const file = await AtomicFile.open(local);
  try {
    const stats = await fs.read(remote, { ...options, onData: file.write });
    await file.commit();
    return stats;
  } catch (err) {
    await file.discard();
    throw err;
  }
}

