/**
 * Copying on the board (`belay cp`): a file, or with `recursive` a tree,
 * from one board path to another. Each file travels board -> host -> board
 * through the verified transfers of device.fs (read checks the board's hash,
 * write goes through a temp file checked by hash and renamed into place), so
 * a copy is never half-written and works on every board the transfers do.
 */
import { BelayError, throwIfAborted } from '../errors.js';
import { boardBasename, boardJoin, boardPath, boardRelative, isTempName, isWithin } from '../paths/board.js';
import type { DeviceFs } from './fs/device-fs.js';

export interface CopyOptions {
  signal?: AbortSignal;
  /** Copy a directory and everything in it. */
  recursive?: boolean;
  /** Called before each file is copied (for progress). */
  onFile?: (event: { from: string; to: string; size: number }) => void;
}

export interface CopyResult {
  /** The path the copy landed at (DEST, or DEST/NAME when DEST is a folder). */
  target: string;
  files: Array<{ from: string; to: string; size: number }>;
  dirs: string[];
  bytes: number;
}

export async function copyOnBoard(fs: DeviceFs, from: string, to: string, options: CopyOptions = {}): Promise<CopyResult> {
  const { signal } = options;
  const source = boardPath(from);
  const info = await fs.stat(source, { signal });
  if (!info) throw new BelayError('FS_ERROR', `${source}: no such file or directory`, { data: { path: source, errnoName: 'ENOENT' } });
  let target = boardPath(to);
  // Like cp: into an existing folder, under the source's own name.
  if ((await fs.stat(target, { signal }))?.kind === 'dir') target = boardJoin(target, boardBasename(source));
  if (target === source) throw new BelayError('PATH_INVALID', `${source} and ${target} are the same path`, { data: { from: source, to: target } });
  const result: CopyResult = { target, files: [], dirs: [], bytes: 0 };
  if (info.kind === 'file') {
    await copyFile(fs, source, target, info.size, result, options);
    return result;
  }
  if (!options.recursive) throw new BelayError('USAGE', `${source} is a directory: use cp -r`, { data: { path: source } });
  if (isWithin(target, source)) {
    throw new BelayError('PATH_INVALID', `cannot copy ${source} into itself (${target})`, { data: { from: source, to: target } });
  }
  const entries = (await fs.list(source, { signal, recursive: true })).filter((entry) => !isTempName(entry.path));
  await fs.mkdir(target, { signal, parents: true });
  result.dirs.push(target);
  for (const entry of entries) {
    throwIfAborted(signal);
    const relative = boardRelative(source, entry.path);
    if (relative === undefined || relative === '') continue;
    const destination = boardJoin(target, ...relative.split('/'));
    if (entry.kind === 'dir') {
      await fs.mkdir(destination, { signal, parents: true });
      result.dirs.push(destination);
    } else await copyFile(fs, entry.path, destination, entry.size, result, options);
  }
  return result;
}

async function copyFile(fs: DeviceFs, from: string, to: string, size: number, result: CopyResult, options: CopyOptions): Promise<void> {
  options.onFile?.({ from, to, size });
  const { data } = await fs.read(from, { signal: options.signal });
  await fs.write(to, data ?? new Uint8Array(), { signal: options.signal });
  result.files.push({ from, to, size });
  result.bytes += size;
}
