/**
 * Writing local files the safe way, for downloads (`get`, later `pull` and
 * backups):
 *
 * - checkWriteTargets looks at every path a tree write will touch before a
 *   byte is written: a symbolic link on the way that leads out of the
 *   target folder (or nowhere) is refused, naming the link, so a board's
 *   content can never land outside the folder the user named through a link
 *   someone committed to a repository; a file where a folder must go (or the
 *   reverse) is reported too, instead of failing halfway;
 * - AtomicFile writes through a temp file beside the target (same folder,
 *   so the rename is atomic), created exclusively (a planted file or link
 *   under the temp name is never written through), flushed to disk, and
 *   renamed into place only on commit; discard removes it. A link to a
 *   file is written through, the link kept; a device or pipe (/dev/null, a
 *   FIFO) is written into, never renamed over. Small chunks
 *   (a download's frames are 1 KiB) are gathered into writes of up to
 *   WRITE_BATCH bytes: one trip to the disk per frame made the host fall
 *   behind a fast link and pile up what it received.
 *
 * The folder the user names is trusted as given (it may itself be a link);
 * what lies below it is not. Someone racing belay on the same disk can still
 * swap a folder between check and write; that is out of reach of any tool
 * that writes by path.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import nodePath from 'node:path';
import { BelayError } from '../errors.js';
import { localIoError } from './errors.js';

/** Prefix of partial downloads; the walker ignores them (DEFAULT_IGNORES). */
export const PART_PREFIX = '.belay-part-';

export interface WriteTarget {
  /** Path below the root, "/"-separated. */
  relative: string;
  kind: 'file' | 'dir';
}

function isInside(path: string, root: string): boolean {
  const rel = nodePath.relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

/**
 * Refuses (LOCAL_SYMLINK, LOCAL_IO) before anything is written when writing
 * `targets` below `root` would go through a link leading out of `root`, or
 * meet a file where a folder must be. Nothing is created.
 */
export async function checkWriteTargets(root: string, targets: readonly WriteTarget[]): Promise<void> {
  const absoluteRoot = nodePath.resolve(root);
  const realRoot = await realpath(absoluteRoot).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined; // nothing below a missing root can be in the way
    throw localIoError(err, `cannot read ${root}`, absoluteRoot);
  });
  if (realRoot === undefined) return;
  // What is at each path below the root: one lstat per path, however many targets share it.
  const seen = new Map<string, Promise<'missing' | 'file' | 'dir' | { link: string }>>();
  const look = (relative: string) => {
    let found = seen.get(relative);
    if (!found) {
      const path = nodePath.join(absoluteRoot, ...relative.split('/'));
      found = lstat(path).then(
        async (info) => {
          if (!info.isSymbolicLink()) return info.isDirectory() ? 'dir' : 'file';
          const real = await realpath(path).catch(() => undefined);
          if (real === undefined || !isInside(real, realRoot)) return { link: real ?? '(nowhere)' };
          return (await lstat(real)).isDirectory() ? 'dir' : 'file';
        },
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return 'missing' as const;
          throw localIoError(err, `cannot read ${path}`, path);
        },
      );
      seen.set(relative, found);
    }
    return found;
  };

  const links = new Map<string, string>();
  const clashes: string[] = [];
  for (const target of targets) {
    const parts = target.relative.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const relative = parts.slice(0, i).join('/');
      const found = await look(relative);
      if (found === 'missing') break;
      if (typeof found === 'object') {
        links.set(relative, found.link);
        break;
      }
      const wanted = i < parts.length ? 'dir' : target.kind;
      if (found !== wanted) {
        clashes.push(`${relative} is a ${found}, a ${wanted} must go there`);
        break;
      }
    }
  }
  if (links.size > 0) {
    const list = [...links];
    const [first, leadsTo] = list[0];
    const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
    throw new BelayError('LOCAL_SYMLINK', `refusing to write through the symbolic link ${first}, which leads out of ${absoluteRoot} (to ${leadsTo})${more}`, {
      detail: list.map(([link, to]) => `${link} -> ${to}`).join('\n'),
      hint: 'nothing was written; remove the link or choose another target folder',
      data: { root: absoluteRoot, links: list.map(([relative, to]) => ({ relative, target: to })) },
    });
  }
  if (clashes.length > 0) {
    throw new BelayError('LOCAL_IO', `cannot write into ${absoluteRoot}: ${clashes[0]}${clashes.length > 1 ? ` (and ${clashes.length - 1} more)` : ''}`, {
      detail: clashes.join('\n'),
      hint: 'nothing was written; move the files in the way, or choose another target folder',
      data: { root: absoluteRoot, clashes },
    });
  }
}

/** Creates `dir` and its missing parents. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw localIoError(err, `cannot create ${dir}`, dir);
  }
}

function tempNameFor(target: string): string {
  const name = nodePath.basename(target);
  const tag = randomBytes(4).toString('hex');
  // Keep the target's name in the temp name when it fits, so a leftover says what it was.
  return Buffer.byteLength(name) <= 200 ? `${PART_PREFIX}${tag}-${name}` : `${PART_PREFIX}${tag}`;
}

/** AtomicFile gathers chunks smaller than this into writes of this size. */
export const WRITE_BATCH = 64 * 1024;

/**
 * Where a write to `target` lands: a symbolic link to a file is written
 * through (the file it names is replaced, the link stays, as cp does); a
 * device, pipe or socket there (/dev/null, a FIFO, /dev/stdout) is written
 * into directly, since renaming a file over it would replace the node
 * itself, /dev/null included when belay runs as root. Anything else
 * (nothing yet, a file, a dangling link) is replaced through a temp file.
 */
async function landingOf(target: string): Promise<{ path: string; direct: boolean }> {
  const here = await lstat(target).catch(() => undefined);
  if (!here) return { path: target, direct: false };
  const named = here.isSymbolicLink() ? await stat(target).catch(() => undefined) : here;
  if (named && !named.isFile() && !named.isDirectory()) return { path: target, direct: true };
  if (here.isSymbolicLink() && named?.isFile()) return { path: await realpath(target), direct: false };
  return { path: target, direct: false };
}

/**
 * A local file written through a temp name; `commit` renames it into place,
 * `discard` removes it. Onto a device or pipe (see landingOf) the bytes go
 * straight in: nothing to rename, nothing to take back.
 */
export class AtomicFile {
  private done = false;
  /** Chunks taken but not yet written: pending[0, filled). */
  private pending: Buffer | undefined;
  private filled = 0;

  private constructor(
    readonly target: string,
    /** The temp file, or undefined when writing straight into a device or pipe. */
    private readonly temp: string | undefined,
    private readonly handle: FileHandle,
  ) {}

  /** Opens the temp file beside `target` (creating `target`'s folder as needed). */
  static async open(target: string): Promise<AtomicFile> {
    const cannotWrite = (err: unknown): never => {
      throw localIoError(err, `cannot write ${target}`, target);
    };
    const landing = await landingOf(target).catch(cannotWrite);
    if (landing.direct) return new AtomicFile(target, undefined, await open(landing.path, 'w').catch(cannotWrite));
    const dir = nodePath.dirname(landing.path);
    await ensureDir(dir);
    const temp = nodePath.join(dir, tempNameFor(landing.path));
    // "wx": create or fail; never opens (or follows) something already there.
    const handle = await open(temp, 'wx').catch(cannotWrite);
    return new AtomicFile(landing.path, temp, handle);
  }

  /**
   * Appends a chunk. A small one is copied aside and written with the next
   * ones once WRITE_BATCH bytes are gathered; the promise settles when the
   * disk took whatever was written, so memory stays bounded.
   */
  write = async (chunk: Uint8Array): Promise<void> => {
    if (chunk.length >= WRITE_BATCH || this.filled + chunk.length > WRITE_BATCH) await this.flush();
    if (chunk.length >= WRITE_BATCH) return this.writeOut(chunk);
    this.pending ??= Buffer.allocUnsafe(WRITE_BATCH);
    this.pending.set(chunk, this.filled);
    this.filled += chunk.length;
  };

  /** Writes what was gathered. */
  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    // Handed over whole: a write that comes meanwhile gathers into a new buffer.
    const gathered = this.pending!.subarray(0, this.filled);
    this.pending = undefined;
    this.filled = 0;
    await this.writeOut(gathered);
  }

  private async writeOut(bytes: Uint8Array): Promise<void> {
    try {
      await this.handle.write(bytes);
    } catch (err) {
      throw localIoError(err, `cannot write ${this.target}`, this.target);
    }
  }

  /** Flushes and renames the temp file over the target. */
  async commit(): Promise<void> {
    this.done = true;
    const temp = this.temp;
    try {
      try {
        await this.flush();
        // A device or pipe has no disk to flush to (and may refuse fsync).
        if (temp !== undefined) await this.handle.sync();
      } finally {
        await this.handle.close();
      }
      if (temp !== undefined) await rename(temp, this.target);
    } catch (err) {
      if (temp !== undefined) await rm(temp, { force: true }).catch(() => undefined);
      throw localIoError(err, `cannot write ${this.target}`, this.target);
    }
  }

  /** Removes the temp file; the target is untouched. Safe to call after a failed commit. */
  async discard(): Promise<void> {
    if (!this.done) await this.handle.close().catch(() => undefined);
    this.done = true;
    if (this.temp !== undefined) await rm(this.temp, { force: true });
  }
}

/** Writes `data` to `target` atomically (temp file, flush, rename). */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const file = await AtomicFile.open(target);
  try {
    await file.write(typeof data === 'string' ? Buffer.from(data) : data);
    await file.commit();
  } catch (err) {
    await file.discard();
    throw err;
  }
}
