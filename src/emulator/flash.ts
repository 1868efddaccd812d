/**
 * The emulated board's flash: a host folder that the interpreter's in-memory
 * filesystem (Emscripten MEMFS) writes through to, operation by operation.
 *
 * The worker is the board's CPU and RAM; this folder is its flash. Every
 * filesystem mutation the board makes (a write, a create, a rename...) lands
 * in the folder before the Python call returns, so killing the worker at any
 * instant leaves exactly what a real board would keep after a power cut. The
 * same hooks enforce the flash size (ENOSPC past it, and `os.statvfs`
 * reports it) and count mutations so a test can cut the power at the Nth one
 * (or have the flash keep a wrong byte of it).
 *
 * Two filesystems are emulated above these hooks: littlefs (the default,
 * POSIX-like names, atomic rename) and FAT (fat.ts: names read as the FAT
 * driver reads them, rename over a file in two steps). Errors are thrown
 * with WASI numbers, as everywhere in Emscripten; interpreter.ts turns them
 * into the numbers a board raises.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installFat, fatClusterCount } from './fat.js';
import type { FilesystemKind } from './options.js';
import { WASI } from './wasi-errno.js';

/** littlefs' longest name, in bytes (LFS_NAME_MAX). */
const LFS_NAME_MAX = 255;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;

/** Entries Emscripten creates at the root that a board does not have. */
const SYSTEM_ENTRIES = new Set(['dev', 'proc', 'tmp', 'home']);

/** Thrown into the interpreter as an OSError. */
type ErrnoErrorClass = new (errno: number) => Error;

/** Thrown inside a hook to stop the interpreter dead, as a power cut would. */
export class PowerCut extends Error {
  constructor() {
    super('power cut');
    this.name = 'PowerCut';
  }
}

export interface FlashOptions {
  /** Host folder holding the board's files. */
  dir: string;
  sizeBytes: number;
  /** Allocation unit: a littlefs block or a FAT cluster. */
  blockSize: number;
  filesystem: FilesystemKind;
  /** List Emscripten's /dev and /proc at the root (hidden by default, as a board has none). */
  listSystemEntries: boolean;
  /** Cut the power instead of performing the Nth mutation (1-based, since power-on). */
  powerCutAt?: number;
  /** Store the Nth mutation's data, when it is a write, with its first byte inverted (the caller's buffer untouched). */
  corruptAt?: number;
  /** Called with the running mutation count after each mutation. */
  onMutation?: (count: number) => void;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Emscripten's FS object is untyped. */
type EmscriptenFS = any;

export class Flash {
  private usedBlocks = 0;
  private mutations = 0;

  constructor(
    private readonly FS: EmscriptenFS,
    private readonly options: FlashOptions,
  ) {}

  /** Allocation units available to files: FAT loses some to its tables and root folder. */
  get totalBlocks(): number {
    if (this.options.filesystem === 'fat') return fatClusterCount(this.options.sizeBytes, this.options.blockSize);
    return Math.floor(this.options.sizeBytes / this.options.blockSize);
  }

  private fail(errno: number): never {
    throw new (this.FS.ErrnoError as ErrnoErrorClass)(errno);
  }

  /** Runs a change on the host folder; a host failure reaches the program as EIO, never as a crash. */
  private onHost<T>(change: () => T): T {
    try {
      return change();
    } catch (err) {
      if (err instanceof PowerCut) throw err;
      return this.fail(WASI.EIO);
    }
  }

  /** A board's VFS refuses to remove or rename the root itself (EPERM), on every filesystem. */
  private refuseRoot(boardPath: string): void {
    if (path.posix.resolve(this.FS.cwd(), boardPath) === '/') this.fail(WASI.EPERM);
  }

  /** littlefs refuses names longer than LFS_NAME_MAX bytes when creating them. */
  private checkNewName(boardPath: string): void {
    if (this.options.filesystem !== 'littlefs') return; // fat.ts has checked already
    if (Buffer.byteLength(path.posix.basename(boardPath), 'utf8') > LFS_NAME_MAX) this.fail(WASI.ENAMETOOLONG);
  }

  /** Copies the host folder into MEMFS (power-on) and installs the write-through hooks. */
  mount(): void {
    const FS = this.FS;
    for (const name of ['tmp', 'home']) {
      try {
        if (name === 'home') FS.rmdir('/home/web_user');
        FS.rmdir(`/${name}`);
      } catch {
        // not present in this build: nothing to hide
      }
    }
    fs.mkdirSync(this.options.dir, { recursive: true });
    this.loadTree(this.options.dir, '/');
    this.install();
    if (this.options.filesystem === 'fat') installFat(FS);
  }

  private blocksFor(size: number): number {
    return Math.ceil(size / this.options.blockSize);
  }

  private loadTree(hostDir: string, boardDir: string): void {
    for (const entry of fs.readdirSync(hostDir, { withFileTypes: true })) {
      const hostPath = path.join(hostDir, entry.name);
      const boardPath = path.posix.join(boardDir, entry.name);
      if (entry.isDirectory()) {
        this.FS.mkdir(boardPath);
        this.usedBlocks += 1;
        this.loadTree(hostPath, boardPath);
      } else if (entry.isFile()) {
        const data = fs.readFileSync(hostPath);
        this.FS.writeFile(boardPath, data);
        this.usedBlocks += this.blocksFor(data.length);
      }
    }
  }

  /** Board path -> host path, or undefined for Emscripten's own /dev and /proc. */
  private hostPath(boardPath: string): string | undefined {
    const absolute = path.posix.resolve(this.FS.cwd(), boardPath);
    const first = absolute.split('/')[1];
    if (first === 'dev' || first === 'proc') return undefined;
    return path.join(this.options.dir, ...absolute.split('/').filter(Boolean));
  }

  /** Counts one mutation; cuts the power instead of performing the configured one. */
  private tick(): void {
    this.mutations += 1;
    if (this.options.powerCutAt !== undefined && this.mutations >= this.options.powerCutAt) throw new PowerCut();
    this.options.onMutation?.(this.mutations);
  }

  private reserve(blocks: number): void {
    if (blocks > 0 && this.usedBlocks + blocks > this.totalBlocks) this.fail(WASI.ENOSPC);
    this.usedBlocks += blocks;
  }

  private isDir(boardPath: string): boolean {
    try {
      return this.FS.isDir(this.FS.lookupPath(boardPath).node.mode);
    } catch {
      return false;
    }
  }

  private sizeOf(boardPath: string): number | undefined {
    try {
      const node = this.FS.lookupPath(boardPath).node;
      return this.FS.isFile(node.mode) ? node.usedBytes : undefined;
    } catch {
      return undefined;
    }
  }

  private install(): void {
    const FS = this.FS;
    const orig = {
      write: FS.write,
      open: FS.open,
      mkdir: FS.mkdir,
      rmdir: FS.rmdir,
      unlink: FS.unlink,
      rename: FS.rename,
      truncate: FS.truncate,
      ftruncate: FS.ftruncate,
      readdir: FS.readdir,
    };

    FS.write = (stream: any, buffer: Int8Array, offset: number, length: number, position?: number, canOwn?: boolean) => {
      const host = this.hostPath(stream.path);
      if (host === undefined || length === 0) return orig.write(stream, buffer, offset, length, position, canOwn);
      const oldSize: number = stream.node.usedBytes;
      const at = stream.flags & O_APPEND ? oldSize : (position ?? stream.position);
      const newSize = Math.max(oldSize, at + length);
      this.tick();
      this.reserve(this.blocksFor(newSize) - this.blocksFor(oldSize));
      let written: number;
      if (this.mutations === this.options.corruptAt) {
        // What lands in flash differs from what the program holds in RAM.
        const stored = buffer.slice(offset, offset + length);
        stored[0] = ~stored[0];
        written = orig.write(stream, stored, 0, length, position, false);
        buffer = stored;
        offset = 0;
      } else {
        written = orig.write(stream, buffer, offset, length, position, canOwn);
      }
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, written).slice();
      this.onHost(() => {
        const fd = fs.openSync(host, 'r+');
        try {
          fs.writeSync(fd, bytes, 0, bytes.length, at);
        } finally {
          fs.closeSync(fd);
        }
      });
      return written;
    };

    FS.open = (target: any, flags: any, mode?: number) => {
      const host = typeof target === 'string' && typeof flags === 'number' ? this.hostPath(target) : undefined;
      if (host === undefined || (flags & (O_CREAT | O_TRUNC)) === 0) return orig.open(target, flags, mode);
      const before = this.sizeOf(target);
      const truncates = (flags & O_TRUNC) !== 0 && before !== undefined && before > 0;
      const creates = before === undefined && !this.isDir(target);
      if (creates) this.checkNewName(target);
      if (truncates || creates) this.tick();
      const stream = orig.open(target, flags, mode);
      if (truncates) {
        this.usedBlocks -= this.blocksFor(before);
        this.onHost(() => fs.truncateSync(host, 0));
      } else if (creates && FS.isFile(stream.node.mode)) {
        this.onHost(() => fs.writeFileSync(host, new Uint8Array(0)));
      }
      return stream;
    };

    FS.mkdir = (boardPath: string, mode?: number) => {
      const host = this.hostPath(boardPath);
      if (host === undefined) return orig.mkdir(boardPath, mode);
      this.checkNewName(boardPath);
      this.tick();
      this.reserve(1);
      try {
        const node = orig.mkdir(boardPath, mode);
        this.onHost(() => fs.mkdirSync(host));
        return node;
      } catch (err) {
        this.usedBlocks -= 1;
        throw err;
      }
    };

    FS.rmdir = (boardPath: string) => {
      const host = this.hostPath(boardPath);
      if (host === undefined) return orig.rmdir(boardPath);
      this.refuseRoot(boardPath);
      this.tick();
      orig.rmdir(boardPath);
      this.onHost(() => fs.rmdirSync(host));
      this.usedBlocks -= 1;
    };

    FS.unlink = (boardPath: string) => {
      const host = this.hostPath(boardPath);
      if (host === undefined) return orig.unlink(boardPath);
      this.refuseRoot(boardPath);
      const size = this.sizeOf(boardPath) ?? 0;
      this.tick();
      orig.unlink(boardPath);
      this.onHost(() => fs.unlinkSync(host));
      this.usedBlocks -= this.blocksFor(size);
    };

    FS.rename = (from: string, to: string) => {
      const hostFrom = this.hostPath(from);
      const hostTo = this.hostPath(to);
      if (hostFrom === undefined || hostTo === undefined) return orig.rename(from, to);
      this.refuseRoot(from);
      this.refuseRoot(to);
      this.checkNewName(to);
      const replaced = this.sizeOf(to);
      this.tick();
      orig.rename(from, to);
      this.onHost(() => fs.renameSync(hostFrom, hostTo));
      if (replaced !== undefined) this.usedBlocks -= this.blocksFor(replaced);
    };

    const resize = (boardPath: string, length: number, apply: () => void) => {
      const host = this.hostPath(boardPath);
      if (host === undefined) return apply();
      const oldSize = this.sizeOf(boardPath) ?? 0;
      this.tick();
      this.reserve(this.blocksFor(length) - this.blocksFor(oldSize));
      apply();
      this.onHost(() => fs.truncateSync(host, length));
    };
    FS.truncate = (boardPath: any, length: number) =>
      typeof boardPath === 'string' ? resize(boardPath, length, () => orig.truncate(boardPath, length)) : orig.truncate(boardPath, length);
    FS.ftruncate = (fd: number, length: number) =>
      resize(FS.getStreamChecked(fd).path, length, () => orig.ftruncate(fd, length));

    FS.readdir = (boardPath: string) => {
      const names: string[] = orig.readdir(boardPath);
      if (this.options.listSystemEntries || path.posix.resolve(FS.cwd(), boardPath) !== '/') return names;
      return names.filter((name) => !SYSTEM_ENTRIES.has(name));
    };

    // os.statvfs reports the emulated flash, for any path (a board's
    // filesystem ignores the path too), not Emscripten's made-up numbers.
    FS.statfs = () => {
      const free = Math.max(0, this.totalBlocks - this.usedBlocks);
      const unit = this.options.blockSize;
      return { bsize: unit, frsize: unit, blocks: this.totalBlocks, bfree: free, bavail: free, files: 0, ffree: 0, fsid: 0, flags: 0, namelen: 255 };
    };
  }
}
