/**
 * Host-side file handling for transfers: walking a local tree, and writing a
 * download to a local file the same safe way uploads reach the board (a temp
 * file beside the target, renamed into place only when complete and
 * verified; removed on any failure).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import nodePath from 'node:path';
import { BelayError } from '../../errors.js';

export interface LocalFile {
  /** Absolute local path. */
  path: string;
  /** Path below the walked root, with "/" separators. */
  relative: string;
}

function localError(err: unknown, what: string): BelayError {
  const e = err as NodeJS.ErrnoException;
  return new BelayError('LOCAL_IO', `${what}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`, { cause: err, data: { errno: e.code } });
}

/** Regular files and directories below `root` (symlinks followed only to files), sorted. */
export async function walkLocal(root: string): Promise<{ files: LocalFile[]; dirs: string[] }> {
  const files: LocalFile[] = [];
  const dirs: string[] = [];
  const visit = async (dir: string, relative: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw localError(err, `cannot read ${dir}`);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = nodePath.join(dir, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        dirs.push(rel);
        await visit(path, rel);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push({ path, relative: rel });
      }
    }
  };
  await visit(root, '');
  return { files, dirs };
}

/** A local file being written through a temp name; `commit` renames it into place. */
export class LocalSink {
  private readonly temp: string;
  private stream: WriteStream | undefined;
  private failure: unknown;

  private constructor(readonly target: string) {
    this.temp = nodePath.join(nodePath.dirname(target), `.belay-part-${nodePath.basename(target)}`);
  }

  static async ensureDir(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw localError(err, `cannot create ${dir}`);
    }
  }

  static async open(target: string): Promise<LocalSink> {
    const sink = new LocalSink(target);
    try {
      await mkdir(nodePath.dirname(target), { recursive: true });
    } catch (err) {
      throw localError(err, `cannot create ${nodePath.dirname(target)}`);
    }
    sink.stream = createWriteStream(sink.temp);
    sink.stream.on('error', (err) => (sink.failure ??= err));
    return sink;
  }

  /** Writes a chunk, waiting when the disk is slower than the link (memory stays bounded). */
  write = (chunk: Buffer): Promise<void> | void => {
    if (this.failure) throw localError(this.failure, `cannot write ${this.target}`);
    if (!this.stream!.write(chunk)) return new Promise((resolve) => this.stream!.once('drain', () => resolve()));
  };

  private async end(): Promise<void> {
    const stream = this.stream!;
    await new Promise<void>((resolve) => stream.end(() => resolve()));
    if (this.failure) throw localError(this.failure, `cannot write ${this.target}`);
  }

  async commit(): Promise<void> {
    await this.end();
    try {
      await rename(this.temp, this.target);
    } catch (err) {
      throw localError(err, `cannot write ${this.target}`);
    }
  }

  async discard(): Promise<void> {
    await this.end().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}
