/**
 * DeviceFs: the board's filesystem as a library API (`device.fs`).
 *
 * Every operation is one short program on the board: a call of a helper
 * from ../snippets/fs_*.py with its paths as pyLiteral literals. The helpers
 * are installed once per session (board-code.ts); installing them also
 * probes the board's transfer features, so the fastest safe transfer path
 * is chosen once. If the board lost them (a soft reset), the NameError is
 * caught and they are installed again.
 *
 * Writes never leave a half-written file at the target: bytes go to a temp
 * name beside it (paths/board.ts tempPathFor), are verified by hash, then
 * renamed over the target. On failure the temp is removed; when the link
 * itself is lost the board cannot be told, and the temp stays under its
 * recognisable name until the next write of that file (or cleanTemps) removes it.
 *
 * Paths follow the one board-path rule (paths/board.ts): readers take what
 * the board has, writers refuse control characters, temp names and /.belay
 * (the engine reaches /.belay with a ReservedPath from paths/reserved.ts).
 */
import { BelayError, isBelayError, throwIfAborted } from '../../errors.js';
import type { Device } from '../device.js';
import type { PyValue } from '../snippets.js';
import { installProgram, pyCall, pyJsonCall } from './board-code.js';
import { boardPath, boardDirname, tempPathFor, isTempName, writePath, type BoardPathInput } from '../../paths/board.js';
import { mapFsErrors } from './board-errors.js';
import { uploadBinary, DEFAULT_WINDOW } from './upload-binary.js';
import { downloadBinary } from './download-binary.js';
import { downloadEncoded, uploadEncoded } from './encoded.js';
import { hashBytes, hashLocalFile, sameHash } from '../../hashing/hashing.js';
import { sizeOf, type UploadSource } from './source.js';
import type { ContentHash, DiskUsage, FsEntry, FsFeatures, FsStat, HashAlgorithm, OperationOptions, TransferOptions, TransferStats, WriteOptions } from './types.js';

export interface DeviceFsOptions {
  /**
   * Bytes the host may have in flight to the board's receiver: at most the
   * board's receive buffer. Default: what the board reports (the emulated
   * board does), else 256, safe for every common board. Larger is faster on
   * high-latency links.
   */
  window?: number;
  /** Force a transfer path, for tests and benchmarks ("auto" probes). */
  transfer?: 'auto' | 'binary' | 'encoded';
}

export interface ReadOptions extends TransferOptions {
  /** Receives the file chunk by chunk (memory stays bounded); the result then holds no data. */
  onData?: (chunk: Buffer) => void | Promise<void>;
}

type RawEntry = ['f', string, number, string | null] | ['d', string];

export class DeviceFs {
  private features: FsFeatures | undefined;
  readonly options: DeviceFsOptions;

  constructor(
    private readonly device: Device,
    options: DeviceFsOptions = {},
  ) {
    this.options = { transfer: 'auto', ...options };
  }

  /* ------------------------------------------------------------ session */

  /** Installs the board-side helpers and learns the board's features (once per session). */
  async probe(options: OperationOptions = {}): Promise<FsFeatures> {
    if (this.features) return this.features;
    const raw = await this.device.execJson<{ hash: HashAlgorithm; base64: boolean; stdin_buffer: boolean; stdout_buffer: boolean; rx_buffer: number | null }>(
installProgram(), options,
    );
    this.features = {
      hash: raw.hash,
      base64: raw.base64,
      stdinBuffer: raw.stdin_buffer,
      stdoutBuffer: raw.stdout_buffer,
      rxBuffer: typeof raw.rx_buffer === 'number' && raw.rx_buffer > 0 ? raw.rx_buffer : undefined,
    };
    return this.features;
  }

  /** Forgets the probe (after a soft reset the helpers must be installed again). */
  reset(): void {
    this.features = undefined;
  }

  /** Runs `work` with the helpers installed; reinstalls once if the board forgot them. */
  private async session<T>(options: OperationOptions, work: (features: FsFeatures) => Promise<T>): Promise<T> {
    const features = await this.probe(options);
    try {
      return await work(features);
    } catch (err) {
      const data = isBelayError(err, 'BOARD_EXCEPTION') ? err.data : undefined;
      if (data?.type !== 'NameError' || !String(data.message).includes("'_b")) throw err;
      this.features = undefined;
      return work(await this.probe(options));
    }
  }

  private op<T>(op: string, a: string, b: PyValue, options: OperationOptions): Promise<T> {
    return this.session(options, () => this.device.execJson<T>(pyJsonCall('_bop', op, a, b), options));
  }

  /* -------------------------------------------------------------- reads */

  /**
   * Lists `path` and everything below it in one round trip: a file gives
   * itself, a directory its whole tree (not itself), each file with its size
   * and (unless `hash: false`) its content hash. Sorted by path.
   */
  async list(path = '/', options: OperationOptions & { hash?: boolean } = {}): Promise<FsEntry[]> {
    const root = boardPath(path);
    const want = options.hash !== false;
    return mapFsErrors('listing', root, () =>
      this.session(options, async (features) => {
        const { stdout } = await this.device.exec(pyCall('_btree', root, want), { signal: options.signal });
        const entries: FsEntry[] = [];
        for (const line of stdout.toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          const raw = JSON.parse(line) as RawEntry;
          if (raw[0] === 'd') entries.push({ path: raw[1], kind: 'dir', size: 0 });
          else entries.push({ path: raw[1], kind: 'file', size: raw[2], ...(raw[3] ? { hash: { algorithm: features.hash, digest: raw[3] } } : {}) });
        }
        return entries.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
      }),
    );
  }

  /** Kind and size of `path`, or null when nothing is there. */
  async stat(path: string, options: OperationOptions = {}): Promise<FsStat | null> {
    const target = boardPath(path);
    const raw = await mapFsErrors('reading', target, () => this.op<{ kind: 'f' | 'd' | null; size: number }>('stat', target, null, options));
    if (raw.kind === null) return null;
    return { path: target, kind: raw.kind === 'd' ? 'dir' : 'file', size: raw.kind === 'd' ? 0 : raw.size };
  }

  async exists(path: string, options: OperationOptions = {}): Promise<boolean> {
    return (await this.stat(path, options)) !== null;
  }

  /** Content hash of a file on the board: SHA-256 when the board has hashlib (see fs_lib.py for the fallbacks). */
  hash(path: string, options: OperationOptions = {}): Promise<ContentHash> {
    const target = boardPath(path);
    return mapFsErrors('hashing', target, () => this.op<ContentHash>('hash', target, null, options));
  }

  /** Free space of the filesystem holding `path`. */
  async df(path = '/', options: OperationOptions = {}): Promise<DiskUsage> {
    const target = boardPath(path);
    const raw = await mapFsErrors('measuring', target, () => this.op<{ size: number; free: number; block: number }>('df', target, null, options));
    return { size: raw.size, free: raw.free, used: raw.size - raw.free, blockSize: raw.block };
  }

  /**
   * Reads a file, verified by hash. With `onData` the bytes stream out
   * chunk by chunk and the result holds no data; without, they are collected.
   */
  async read(path: string, options: ReadOptions = {}): Promise<{ data?: Buffer } & TransferStats> {
    const target = boardPath(path);
    const chunks: Buffer[] = [];
    const sink = options.onData ?? ((chunk: Buffer) => void chunks.push(chunk));
    const stats = await mapFsErrors('reading', target, () =>
      this.session(options, async (features): Promise<TransferStats> => {
        if (this.useBinary(features.stdoutBuffer)) {
          const result = await downloadBinary(this.device, { path: target, algorithm: features.hash, sink, signal: options.signal, onProgress: options.onProgress });
          return { ...result, method: 'binary' };
        }
        const result = await downloadEncoded(this.device, { path: target, algorithm: features.hash, base64: features.base64, sink, signal: options.signal, onProgress: options.onProgress });
        return { bytes: result.bytes, wireBytes: result.wireBytes, hash: result.hash, method: result.method };
      }),
    );
    return options.onData ? stats : { data: Buffer.concat(chunks), ...stats };
  }

  private useBinary(available: boolean): boolean {
    if (this.options.transfer === 'encoded') return false;
    if (this.options.transfer === 'binary' && !available) throw new BelayError('USAGE', 'this board has no sys.stdin.buffer/stdout.buffer for binary transfers');
    return available;
  }

  /* ------------------------------------------------------------- writes */

  /**
   * Writes a file from bytes, a local file ({file}) or a stream of chunks,
   * through a temp file verified by hash and renamed over `path`. With
   * `skipUnchanged`, a board file with the same hash is left alone
   * (`skipped: true`; needs bytes or a local file, whose hash can be known first).
   */
  async write(path: BoardPathInput, source: UploadSource, options: WriteOptions = {}): Promise<TransferStats> {
    const target = writePath(path, 'file');
    const tmp = tempPathFor(target);
    throwIfAborted(options.signal);
    const total = options.size ?? (await sizeOf(source));
    return mapFsErrors('writing', target, () =>
      this.session(options, async (features) => {
        if (options.skipUnchanged && !isStream(source)) {
          const local = source instanceof Uint8Array ? hashBytes(features.hash, source) : await hashLocalFile(features.hash, source.file, options.signal);
          const [entry] = await this.list(target).catch((err: unknown) => {
            if (isBelayError(err, 'FS_ERROR') && err.data.errnoName === 'ENOENT') return [];
            throw err;
          });
          if (entry?.kind === 'file' && entry.path === target && sameHash(entry.hash, local)) {
            options.onProgress?.({ done: total ?? 0, total });
            return { bytes: 0, wireBytes: 0, method: 'binary', hash: local, skipped: true };
          }
        }
        if (options.parents) await this.mkdir(boardDirname(target), { parents: true, signal: options.signal });
        if (this.useBinary(features.stdinBuffer && features.stdoutBuffer)) {
          try {
            const result = await uploadBinary(this.device, {
              tmp,
              target,
              source,
              algorithm: features.hash,
              total,
              window: this.options.window ?? features.rxBuffer ?? DEFAULT_WINDOW,
              signal: options.signal,
              onProgress: options.onProgress,
            });
            return { ...result, method: 'binary' };
          } catch (err) {
            // The receiver removes its temp file itself on a clean stop; after
            // anything else (a timeout, a protocol surprise) make sure here.
            // With the link gone nobody can: the temp stays under its temp name.
            if (!isBelayError(err, 'LINK_LOST') && !isBelayError(err, 'ABORTED')) await this.dropTemp(tmp);
            throw err;
          }
        }
        try {
          const result = await uploadEncoded(this.device, { tmp, source, algorithm: features.hash, base64: features.base64, total, signal: options.signal, onProgress: options.onProgress });
          await this.op('rename', tmp, target, {});
          return { bytes: result.bytes, wireBytes: result.wireBytes, hash: result.hash, method: features.base64 ? 'base64' : 'literal' };
        } catch (err) {
          if (!isBelayError(err, 'LINK_LOST')) await this.dropTemp(tmp);
          throw err;
        }
      }),
    );
  }

  private async dropTemp(tmp: string): Promise<void> {
    await this.device.exec(pyCall('_bwdrop', tmp)).catch(() => undefined);
  }

  /** Creates a directory; with `parents`, also its missing parents (and an existing directory is fine). */
  async mkdir(path: BoardPathInput, options: OperationOptions & { parents?: boolean } = {}): Promise<void> {
    const target = writePath(path, 'dir');
    if (target === '/' && options.parents) return;
    await mapFsErrors('creating', target, () => this.op('mkdir', target, Boolean(options.parents), options));
  }

  /** Removes a file or an empty directory; with `recursive`, a whole tree. Returns how many entries went. */
  async remove(path: BoardPathInput, options: OperationOptions & { recursive?: boolean } = {}): Promise<number> {
    const target = writePath(path, 'remove');
    if (target === '/' && options.recursive) {
      throw new BelayError('PATH_INVALID', 'refusing to remove the board root "/"', { hint: 'remove its entries one by one' });
    }
    const { removed } = await mapFsErrors('removing', target, () => this.op<{ removed: number }>('rm', target, Boolean(options.recursive), options));
    return removed;
  }

  /** Renames (moves) a file or directory; an existing target file is replaced. */
  async rename(from: BoardPathInput, to: BoardPathInput, options: OperationOptions = {}): Promise<void> {
    const source = writePath(from, 'remove');
    const target = writePath(to, 'dir');
    await mapFsErrors('renaming', source, () => this.op('rename', source, target, options));
  }

  /** Removes leftover upload temp files (".belay-tmp-*") under `path`; returns their paths. */
  async cleanTemps(path = '/', options: OperationOptions = {}): Promise<string[]> {
    const temps = (await this.list(path, { ...options, hash: false })).filter((entry) => entry.kind === 'file' && isTempName(entry.path));
    for (const entry of temps) await this.remove(entry.path, options);
    return temps.map((entry) => entry.path);
  }
}

function isStream(source: UploadSource): source is AsyncIterable<Uint8Array> {
  return !(source instanceof Uint8Array) && !('file' in source);
}
