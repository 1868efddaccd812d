/**
 * Copying between local paths and the board: single files and whole trees.
 *
 * putTree lists the board side once (sizes and hashes in one round trip),
 * hashes the local files with the board's algorithm, and uploads only what
 * differs, so an unchanged tree costs one round trip. It also removes any
 * upload temp files (".belay-tmp-*") it finds there: leftovers of a link
 * that dropped mid-upload. getTree checks every board name can exist on this
 * host (and that none collide when case is folded) before writing anything.
 */
import { stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { BelayError, isBelayError, throwIfAborted } from '../../errors.js';
import { boardJoin, boardPath, boardRelative, isTempName } from '../../paths/board.js';
import { assertNoCaseCollisions, localPathFor } from '../../paths/local.js';
import type { DeviceFs } from './device-fs.js';
import { hashLocalFile, sameHash } from '../../hashing/hashing.js';
import { LocalSink, walkLocal } from './local-files.js';
import type { FsEntry, Progress, TransferStats } from './types.js';

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
  /** Called before each file (and directory created). */
  onFile?: (event: FileEvent) => void;
  /** Progress within the current file. */
  onProgress?: (event: FileEvent, progress: Progress) => void;
}

export interface TreeResult {
  files: Array<FileEvent & { stats?: TransferStats }>;
  bytes: number;
  wireBytes: number;
  /** Leftover temp files removed from the board. */
  cleaned: string[];
}

/** The listing, or undefined when nothing is at `path`. */
async function listIfExists(fs: DeviceFs, path: string, signal?: AbortSignal): Promise<FsEntry[] | undefined> {
  try {
    return await fs.list(path, { signal });
  } catch (err) {
    if (isBelayError(err, 'FS_ERROR') && err.data.errnoName === 'ENOENT') return undefined;
    throw err;
  }
}

/** Uploads the local tree `localDir` into board directory `remoteDir`, skipping identical files. */
export async function putTree(fs: DeviceFs, localDir: string, remoteDir: string, options: TreeOptions = {}): Promise<TreeResult> {
  const root = boardPath(remoteDir);
  const { signal } = options;
  const features = await fs.probe({ signal });
  const { files, dirs } = await walkLocal(localDir);
  const listing = await listIfExists(fs, root, signal);
  const existing = new Map((listing ?? []).map((entry) => [entry.path, entry]));
  const result: TreeResult = { files: [], bytes: 0, wireBytes: 0, cleaned: [] };
  for (const [path, entry] of existing) {
    if (entry.kind === 'file' && isTempName(path)) {
      await fs.remove(path, { signal });
      result.cleaned.push(path);
    }
  }
  // The one listing tells all: absent, a file (it lists itself) or a directory.
  if (existing.get(root)?.kind === 'file') throw new BelayError('FS_ERROR', `${root} is a file, not a directory`, { data: { path: root, errnoName: 'ENOTDIR' } });
  if (!listing) await fs.mkdir(root, { parents: true, signal });
  for (const dir of dirs) {
    const path = boardJoin(root, dir);
    const entry = existing.get(path);
    if (entry?.kind === 'dir') continue;
    if (entry?.kind === 'file') throw new BelayError('FS_ERROR', `${path} is a file on the board, the local side has a directory`, { data: { path, errnoName: 'ENOTDIR' } });
    const event: FileEvent = { path, local: nodePath.join(localDir, dir), action: 'mkdir', size: 0 };
    options.onFile?.(event);
    await fs.mkdir(path, { signal });
  }
  for (const file of files) {
    throwIfAborted(signal);
    const path = boardJoin(root, file.relative);
    const size = (await stat(file.path)).size;
    const local = await hashLocalFile(features.hash, file.path, signal);
    const entry = existing.get(path);
    const same = entry?.kind === 'file' && entry.size === size && sameHash(entry.hash, local);
    const event: FileEvent = { path, local: file.path, action: same ? 'skip' : 'upload', size };
    options.onFile?.(event);
    if (same) {
      result.files.push(event);
      continue;
    }
    const stats = await fs.write(path, { file: file.path }, { signal, size, onProgress: (progress) => options.onProgress?.(event, progress) });
    result.bytes += stats.bytes;
    result.wireBytes += stats.wireBytes;
    result.files.push({ ...event, stats });
  }
  return result;
}

/** Downloads board directory `remoteDir` into `localDir` (created as needed). */
export async function getTree(fs: DeviceFs, remoteDir: string, localDir: string, options: TreeOptions = {}): Promise<TreeResult> {
  const root = boardPath(remoteDir);
  const { signal } = options;
  const entries = (await fs.list(root, { signal, hash: false })).filter((entry) => !isTempName(entry.path));
  const planned = entries.map((entry) => {
    const relative = boardRelative(root, entry.path);
    if (relative === undefined) throw new BelayError('PROTOCOL', `the board listed ${entry.path} outside ${root}`);
    return { entry, relative, local: localPathFor(localDir, relative) };
  });
  assertNoCaseCollisions(planned.map((item) => item.relative));
  const result: TreeResult = { files: [], bytes: 0, wireBytes: 0, cleaned: [] };
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
  for (const item of planned) if (item.entry.kind === 'dir') await LocalSink.ensureDir(item.local);
  return result;
}

/** Downloads one board file to a local path, through a temp file; nothing is left on failure. */
export async function getFile(fs: DeviceFs, remote: string, local: string, options: { signal?: AbortSignal; onProgress?: (progress: Progress) => void } = {}): Promise<TransferStats> {
  const sink = await LocalSink.open(local);
  try {
    const stats = await fs.read(remote, { ...options, onData: sink.write });
    await sink.commit();
    return stats;
  } catch (err) {
    await sink.discard();
    throw err;
  }
}

