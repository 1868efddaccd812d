/**
 * DeviceFs: the board's filesystem as a library API (`device.fs`).
 *
 * Every operation is one short program on the board: a call of a helper
 * from ../snippets/fs_*.py with its paths as pyLiteral literals. The helpers
 * are installed once per session (board-code.ts); the transfer path and hash
 * algorithm come from the connect-time capability probe. If the board lost
 * the helpers (a soft reset), the NameError is caught and they are installed again.
 *
 * Writes are transactions (transaction.ts): `stage` puts verified bytes in a
 * temp beside the target, `commit` renames (with deletes, mkdirs and rmdirs)
 * under a journal when one is needed, `discard` undoes staging, `recover`
 * finishes or undoes what an interrupted session left. `write` is stage +
 * commit. Before its first operation the filesystem runs recovery if the
 * probe found an unfinished transaction, so no operation builds on a half state.
 *
 * Paths follow the one board-path rule (paths/board.ts): readers take what
 * the board has, writers refuse control characters, temp names and /.belay
 * (the engine reaches /.belay with a ReservedPath from paths/reserved.ts).
 */
import { BelayError, isBelayError, throwIfAborted } from '../../errors.js';
import type { BoardSession } from '../session.js';
import type { PyValue } from '../snippets.js';
import { installFromCache } from './helper-cache.js';
import { HELPER_GROUPS, RESIDENT_HELPERS_HEAP, compileBudget, groupVersion, installPrograms, pyCall, pyJsonCall, removalProgram, type HelperGroup } from './board-code.js';
import { boardPath, boardDirname, tempPathFor, writePath, type BoardPathInput } from '../../paths/board.js';
import { fsError, mapFsErrors } from './board-errors.js';
import { lookThenUpload, uploadBinary } from './upload-binary.js';
import { chosenPath, isAFolder, notAFolder, parseLook, writeTarget, type RawPreflight, type WriteTarget } from './write-target.js';
import { PACK_PATH, prepareBatch, uploadBatch } from './upload-batch.js';
import { PACK_MAX_FILE, planBatches, type BatchItem, type BatchLimits } from './batch-plan.js';
import { readFile } from 'node:fs/promises';
import { compressUpload, linkWantsCompression, type CompressionChoice, type CompressionMode } from './compress.js';
import { chooseWindow, type WindowChoice } from '../link-window.js';
import { downloadBinary } from './download-binary.js';
import { downloadEncoded, encodedChunkFor, uploadEncoded } from './encoded.js';
import { hashBytes, hashLocalFile, sameHash } from '../../hashing/hashing.js';
import { sizeOf, type UploadSource } from './source.js';
import { buildJournal, needsJournal, type CommitRequest, type CommitResult, type RecoveryReport, type Staged } from './transaction.js';
import { fatRefusals, namesError, type FilesystemKind, type NameRefusal } from './names.js';
import { errnoName } from '../../protocol/errno.js';
import type { FolderDigest } from './folder-digest.js';
import type { ContentHash, DiskUsage, FsEntry, FsFeatures, FsStat, ListOptions, OperationOptions, Progress, TransferOptions, TransferStats, WriteOptions } from './types.js';

export interface DeviceFsOptions {
  /**
   * Bytes the host may have in flight to the board's receiver: at most the
   * board's receive buffer. Default: by link kind (../link-window.ts): 8 KiB
   * on native USB, what the board reports, else 256, safe for every common
   * board. Larger is faster on high-latency links.
   */
  window?: number;
  /** Force a transfer path, for tests and benchmarks ("auto" probes). */
  transfer?: 'auto' | 'binary' | 'encoded';
  /**
   * Compress uploads (raw deflate, decompressed by the board as it receives):
   * `auto` (default) where the board can and the link is slow (a UART or
   * unknown link at <= 460800 baud) and the file shrinks; `always` whenever
   * the board can; `never`. See compress.ts.
   */
  compress?: CompressionMode;
  /**
   * Keep a copy of the board-side helpers under /.belay/helpers on the
   * board's flash and run it from there in later sessions (default true;
   * boards with heap to spare only, see helper-cache.ts): after a reset or
   * a `run`, a file command sends a ~1.6 KB loader instead of ~13 KB of
   * source. False: the helpers always go over the link, and nothing is
   * written to /.belay for them.
   */
  helperCache?: boolean;
}

export interface ReadOptions extends TransferOptions {
  /** Receives the file chunk by chunk (memory stays bounded); the result then holds no data. */
  onData?: (chunk: Buffer) => void | Promise<void>;
}

export interface BatchWriteOptions extends OperationOptions {
  /**
   * Stage the files up to PACK_MAX_FILE in one pack where renames are
   * atomic (littlefs), as batchesFor allows: the flash must hold a second
   * copy of them at the commit. Default false: a temp per file.
   */
  pack?: boolean;
  /** Called as the bytes of file `index` start to go (in order). */
  onFile?: (index: number) => void;
  /** Progress within file `index`. */
  onProgress?: (index: number, progress: Progress) => void;
}

export interface StageOptions extends TransferOptions {
  /** Size in bytes, if `source` is a stream (for progress and the space check). */
  size?: number;
  /** Create missing parent directories first (recorded, so a cut before the commit removes them again). Default false. */
  parents?: boolean;
  /** The caller already checked names and free space for this file. */
  prechecked?: boolean;
}

type RawEntry = ['f', string, number, string | null] | ['d', string] | ['s', string, number | null] | ['g', string, string, number];

type RawCommit = { renamed: string[]; written?: string[]; deleted: string[]; rmdirs: string[]; kept: string[]; missing: string[]; names: NameCheck[] };
/** What settling a commit needs of the board's report (all an in-upload commit sends back). */
type CommitFindings = Pick<RawCommit, 'missing' | 'names'>;
/** Per path from _bnames: [exists, listed under exactly this name (null: absent or unlistable; a number: the stat errno)]. */
type NameCheck = [boolean, boolean | number | null];

/** What one round trip tells before a write (see preflight()). */
export interface Preflight {
  names: Map<string, NameCheck>;
  /** Size and free space by mount point. */
  usage: Map<string, DiskUsage>;
}
type RawRecovery = Partial<RawCommit> & { journal: boolean; removed?: string[]; restored?: string[] };

/** How long the removal of a small board's helpers at the end of a session may take (it takes milliseconds). */
const RELEASE_TIMEOUT_MS = 5000;

export class DeviceFs {
  private readonly installed = new Set<HelperGroup>();
  readonly options: Readonly<DeviceFsOptions>;

  constructor(
    private readonly device: BoardSession,
    options: DeviceFsOptions = {},
  ) {
    this.options = Object.freeze({ transfer: 'auto', ...options });
  }

  /* ------------------------------------------------------------ session */

  /** The board's transfer features, from the connect-time capability probe. */
  get features(): FsFeatures {
    const c = this.device.capabilities;
    return { hash: c.hash, base64: c.binascii, stdinBuffer: c.stdinBuffer, stdoutBuffer: c.stdoutBuffer, rxBuffer: c.rxBuffer };
  }

  private windowChoice: WindowChoice | undefined;

  /** What the board's upload receiver is sized by: the credit window, and the free heap its frame buffer comes from. */
  private get receiverSizing(): { window: number; freeHeap?: number } {
    return { window: this.window.window, freeHeap: this.device.capabilities.memFree };
  }

  /** The credit window for uploads and why (see ../link-window.ts), decided once per session. */
  get window(): WindowChoice {
    this.windowChoice ??= chooseWindow({
      explicit: this.options.window,
      link: this.device.transport.link,
      reported: this.device.capabilities.rxBuffer,
      platform: this.device.capabilities.platform,
    });
    return this.windowChoice;
  }

  /** Installs the board-side helpers (once per session) and returns the transfer features. */
  async probe(options: OperationOptions = {}): Promise<FsFeatures> {
    await this.install(options, ['base']);
    return this.features;
  }

  /** Whether the helpers an earlier session left on the board were looked at. */
  private adopted = false;

  /**
   * Takes over the helper groups an earlier session left in the board's
   * globals when their version is this code's (no bytes sent), and removes
   * those of another version, so a small heap need not hold two copies.
   */
  private async adoptHelpers(options: OperationOptions): Promise<void> {
    if (this.adopted) return;
    this.adopted = true;
    const onBoard = this.device.capabilities.helpers;
    const stale: HelperGroup[] = [];
    for (const group of Object.keys(HELPER_GROUPS) as HelperGroup[]) {
      if (onBoard[group] === undefined) continue;
      if (onBoard[group] === groupVersion(group)) this.installed.add(group);
      else stale.push(group);
    }
    if (stale.length > 0) await this.device.exec(removalProgram(stale), options);
    // Helpers an earlier session kept: the board had heap to spare then, so those added now stay too.
    if (this.installed.size > 0) this.keep = true;
  }

  /**
   * Whether the helpers stay on the board after this session (decided at
   * the first install): only with RESIDENT_HELPERS_HEAP free, and then
   * recorded on the board (tracked installs) so `run` can clear them.
   */
  private keep: boolean | undefined;

  /** Installs, in one program, the helper groups of `groups` the board does not have yet. */
  private async install(options: OperationOptions, groups: readonly HelperGroup[]): Promise<void> {
    await this.adoptHelpers(options);
    const missing = (['base', ...groups] as HelperGroup[]).filter((group, i, all) => all.indexOf(group) === i && !this.installed.has(group));
    if (missing.length === 0) return;
    const memFree = this.device.capabilities.memFree;
    this.keep ??= memFree !== undefined && memFree >= RESIDENT_HELPERS_HEAP;
    const budget = compileBudget(memFree);
    let only: Set<string> | undefined;
    this.cacheUsable ??= this.keep && this.options.helperCache !== false && this.device.capabilities.hashlib && this.device.capabilities.binascii;
    if (this.cacheUsable) {
      // Only a session that writes saves copies: listing or reading a board leaves its flash as it was.
      const save = missing.includes('write') || this.installed.has('write');
      const { helperCopies, bootCopy } = this.device.capabilities;
      const boot = this.bootSaved || bootCopy === true ? 'present' : bootCopy === false ? 'missing' : 'unknown';
      const settings = { budget, copies: helperCopies, save, resave: [...this.sentAsSource], loader: this.installed.has('cache'), boot } as const;
      const outcome = await installFromCache(this.device, missing, settings, options);
      if (outcome.loader) this.installed.add('cache');
      this.cacheUsable = outcome.usable;
      only = new Set(outcome.missing);
      for (const name of outcome.saved) this.sentAsSource.delete(name);
      if (outcome.saved.includes('boot')) this.bootSaved = true;
      if (!save) for (const name of outcome.missing) this.sentAsSource.add(name);
    }
    if (only === undefined || only.size > 0) {
      const programs = installPrograms(missing, budget, { tracked: this.keep, only });
      for (let i = 0; i < programs.length; i++) {
        try {
          await this.device.exec(programs[i], options);
        } catch (err) {
          if (!(await this.madeRoom(err, groups, options))) throw err;
          await this.device.exec(programs[i], options);
        }
      }
    }
    for (const group of missing) this.installed.add(group);
  }

  /**
   * After a MemoryError compiling helpers on a board that does not keep
   * them (a small heap, which an earlier call of the same session filled
   * with other groups: the upload receiver when a batch comes next, say):
   * removes the installed groups `groups` does not need, so the install can
   * be tried once more. False when there was nothing to remove, or the
   * error was another.
   */
  private async madeRoom(err: unknown, groups: readonly HelperGroup[], options: OperationOptions): Promise<boolean> {
    if (this.keep !== false || !isBelayError(err, 'BOARD_EXCEPTION') || err.data.type !== 'MemoryError') return false;
    const needed = new Set<HelperGroup>(['base', ...groups]);
    const spare = [...this.installed].filter((group) => !needed.has(group));
    if (spare.length === 0) return false;
    await this.device.exec(removalProgram(spare), options);
    for (const group of spare) this.installed.delete(group);
    return true;
  }

  /**
   * Whether installs go through the helpers' copy on the board's flash
   * (helper-cache.ts): only on a board that keeps the helpers in its heap
   * (a small one has no heap for a file's text beside what it compiles),
   * with sha256 to check a copy, and not again in a session once the board
   * turns out unable to hold one.
   */
  private cacheUsable: boolean | undefined;
  /** This session saved the boot copy (boot-copy.ts): later saves leave it. */
  private bootSaved = false;
  /** Helper files this session sent as source while only reading: the first install that writes saves their copies too. */
  private readonly sentAsSource = new Set<string>();

  /**
   * At the end of a session, and before a program of the user's: on a board
   * that does not keep the helpers, removes those this session installed,
   * so the heap is the user's again (a later call installs them anew).
   */
  async release(): Promise<void> {
    if (this.keep !== false || this.installed.size === 0) return;
    const groups = [...this.installed];
    this.installed.clear();
    // Bounded: a board that no longer answers must not hold the command's exit.
    await this.device.exec(removalProgram(groups), { timeoutMs: RELEASE_TIMEOUT_MS });
  }

  /** Forgets the installed helpers (after a soft reset they must be installed again). */
  reset(): void {
    this.installed.clear();
  }

  /** The helper groups a write needs: the encoded fallback too when uploads go that way. */
  private writeGroups(): HelperGroup[] {
    const features = this.features;
    return this.options.transfer === 'encoded' || !(features.stdinBuffer && features.stdoutBuffer) ? ['write', 'encoded'] : ['write', 'frames', 'upload'];
  }

  /**
   * Runs `work` with the helpers of `groups` installed and any interrupted
   * transaction recovered first; reinstalls once if the board forgot them.
   */
  private async session<T>(options: OperationOptions, work: (features: FsFeatures) => Promise<T>, groups: readonly HelperGroup[] = ['base']): Promise<T> {
    if (this.recoveryDue !== false) await this.recover(options);
    await this.install(options, groups);
    try {
      return await work(this.features);
    } catch (err) {
      const data = isBelayError(err, 'BOARD_EXCEPTION') ? err.data : undefined;
      if (data?.type !== 'NameError' || !String(data.message).includes("'_b")) throw err;
      this.installed.clear();
      await this.install(options, groups);
      return work(this.features);
    }
  }

  private op<T>(op: string, a: string, b: PyValue, options: OperationOptions): Promise<T> {
    return this.session(options, () => this.device.execJson<T>(pyJsonCall('_bop', op, a, b), options));
  }

  /* -------------------------------------------------------------- reads */

  /**
   * Lists `path` in one round trip: a file gives itself, a directory its
   * entries (not itself), or with `recursive` its whole tree; each file with
   * its size and, with `hash`, its content hash. Sorted by path. Folders
   * below `path` that cannot be listed (EPERM on system folders) are
   * skipped and passed to `onSkip`.
   */
  async list(path = '/', options: ListOptions = {}): Promise<FsEntry[]> {
    const root = boardPath(path);
    const want = options.hash === true;
    const deep = options.recursive === true;
    return mapFsErrors('listing', root, () =>
      this.session(options, async () => {
        const { stdout } = await this.device.exec(pyCall('_btree', root, want, deep), { signal: options.signal });
        return this.parseListing(stdout, options.onSkip).entries;
      }),
    );
  }

  /**
   * The tree under `path` as one digest per folder (folder-digest.ts): an
   * unchanged tree is told from a changed one for a line per folder instead
   * of a line per file. A file at `path` comes back as its entry.
   */
  async folderDigests(path: string, options: OperationOptions & { onSkip?: (path: string, errnoName: string) => void } = {}): Promise<{ file?: FsEntry; folders: FolderDigest[] }> {
    const root = boardPath(path);
    return mapFsErrors('listing', root, () =>
      this.session(options, async () => {
        const { stdout } = await this.device.exec(pyCall('_bdig', root), { signal: options.signal });
        const { entries, folders } = this.parseListing(stdout, options.onSkip);
        return { file: entries.find((entry) => entry.kind === 'file'), folders };
      }),
    );
  }

  /** The entries directly in each of `folders` (not below), with hashes, in one round trip. */
  async listFolders(folders: string[], options: OperationOptions = {}): Promise<FsEntry[]> {
    if (folders.length === 0) return [];
    const paths = folders.map((folder) => boardPath(folder));
    return mapFsErrors('listing', paths[0], () =>
      this.session(options, async () => {
        const { stdout } = await this.device.exec(pyCall('_bdirs', paths), { signal: options.signal });
        return this.parseListing(stdout).entries;
      }),
    );
  }

  /** Parses the JSON lines of _btree, _bdirs and _bdig (fs_tree.py); entries sorted by path. */
  private parseListing(stdout: string, onSkip?: (path: string, errnoName: string) => void): { entries: FsEntry[]; folders: FolderDigest[] } {
    const algorithm = this.features.hash;
    const entries: FsEntry[] = [];
    const folders: FolderDigest[] = [];
    for (const line of stdout.split('\n')) {
      if (!line.trim()) continue;
      const raw = JSON.parse(line) as RawEntry;
      if (raw[0] === 's') onSkip?.(raw[1], raw[2] === null ? 'EIO' : errnoName(raw[2], this.device.capabilities.platform));
      else if (raw[0] === 'g') folders.push({ path: raw[1], digest: raw[2], count: raw[3] });
      else if (raw[0] === 'd') entries.push({ path: raw[1], kind: 'dir', size: 0 });
      else entries.push({ path: raw[1], kind: 'file', size: raw[2], ...(raw[3] ? { hash: { algorithm, digest: raw[3] } } : {}) });
    }
    return { entries: entries.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)), folders };
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

  /**
   * Size and free space of the filesystem holding `path`. `free` and `used`
   * are null when the board's figures cannot be right (more free than the
   * size, or negative: littlefs miscounts on a nearly full flash).
   */
  async df(path = '/', options: OperationOptions = {}): Promise<DiskUsage> {
    const target = boardPath(path);
    const raw = await mapFsErrors('measuring', target, () => this.op<{ size: number; free: number; block: number }>('df', target, null, options));
    return diskUsage(raw.size, raw.free, raw.block);
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
   * Writes a file from bytes, a local file ({file}) or a stream of chunks:
   * staged beside `path`, verified by hashing the staged file back from
   * flash, then committed (stage + commit). With `skipUnchanged`, a board
   * file with the same hash is left alone (`skipped: true`; needs bytes or a
   * local file, whose hash can be known first). With `inPlace`, the bytes
   * overwrite the target directly (no room for a second copy needed, but a
   * cut or a failed check leaves no file there).
   */
  async write(path: BoardPathInput, source: UploadSource, options: WriteOptions = {}): Promise<TransferStats> {
    const where = writeTarget(path, options.into);
    throwIfAborted(options.signal);
    const total = options.size ?? (await sizeOf(source));
    return this.session(options, async (features) => {
      // A lone write on the binary path: one program looks, checks and uploads.
      if (this.useBinary(features.stdinBuffer && features.stdoutBuffer) && this.pendingTemps.size === 0) return this.writeLone(where, source, total, options, features);
      const target = await this.landing(where, options);
      // The caller's path, not the canonical string: a ReservedPath stays one.
      const dest = where.mode === 0 ? path : target;
      const opts: WriteOptions = { ...options, parents: Boolean(options.parents) || where.mode === 2 };
      if (opts.skipUnchanged && !isStream(source)) {
        const local = source instanceof Uint8Array ? hashBytes(features.hash, source) : await hashLocalFile(features.hash, source.file, opts.signal);
        const entry = await this.entryAt(target, opts);
        if (entry?.kind === 'file' && sameHash(entry.hash, local)) {
          opts.onProgress?.({ done: total ?? 0, total });
          return { bytes: 0, wireBytes: 0, method: 'binary', hash: local, skipped: true, path: target };
        }
      }
      if (opts.inPlace) {
        if (!opts.prechecked) await this.checkNames([target], opts);
        opts.onStart?.(target);
        return { ...(await this.transfer(target, target, source, total, opts)), path: target };
      }
      opts.onStart?.(target);
      // A lone write commits inside its upload program (one program, not
      // two) unless other staged files of this session would ride along.
      const commitNow = this.pendingTemps.size === 0;
      const { staged, stats, committed } = await this.stageUpload(dest, source, { ...opts, size: total, commitNow });
      if (committed) this.settleCommit([staged.target], committed);
      else await this.commit({ renames: [staged], signal: opts.signal });
      return { ...stats, path: target };
    }, this.writeGroups());
  }

  /**
   * A lone write in one program (fs_put.py, lookThenUpload): the board
   * says what is at the target (which of `where`'s candidates, its hash
   * when the sizes match, the preflight); from that the host skips an
   * unchanged file, refuses names the filesystem cannot hold, a folder in
   * the way or a flash without room, all before a byte is sent, or lets the
   * upload follow: staged, verified from flash and committed (in place,
   * with `inPlace`) in that same program.
   */
  private async writeLone(where: WriteTarget, source: UploadSource, total: number | undefined, options: WriteOptions, features: FsFeatures): Promise<TransferStats> {
    const local = options.skipUnchanged && !isStream(source)
      ? source instanceof Uint8Array ? hashBytes(features.hash, source) : await hashLocalFile(features.hash, source.file, options.signal)
      : undefined;
    const compression = await this.compressionFor(source, total, options);
    // inPlace: the bytes go to the target itself. A candidate that cannot be written gets no temp (the board is never sent to it).
    const tmps = where.candidates.map((c) => ('path' in c ? (options.inPlace ? c.path : tempPathFor(c.path)) : '')) as [string, string];
    let target = 'path' in where.candidates[0] ? where.candidates[0].path : where.path;
    let skipped = false;
    /** The temp once the bytes are on their way (undefined before: nothing to undo). */
    let sending: string | undefined;
    const decide = async (report: { unchanged: number } | { look: unknown }) => {
      if ('unchanged' in report) {
        target = chosenPath(where, report.unchanged);
        skipped = true;
        return undefined;
      }
      const look = parseLook(report.look);
      // A file where the folder was meant, or (its name lookup says ENOTDIR) above it.
      const [exists, detail] = look.preflight.n[0] ?? [false, null];
      if (where.mode === 2 && (look.pathKind === 'f' || (!exists && typeof detail === 'number' && errnoName(detail, this.device.capabilities.platform) === 'ENOTDIR'))) throw notAFolder(where.path);
      target = chosenPath(where, look.index);
      // Every check below is the host's alone: the mount table is known from here on, so none runs a program.
      const preflight = this.takePreflight(look.preflight, [target]);
      if (look.kind === 'd') throw isAFolder(target);
      if (!options.prechecked) {
        await this.checkNames([target], { ...options, preflight, existing: [] });
        if (total !== undefined && !options.inPlace) await this.checkSpaceFor(target, [{ size: total, replaced: 0 }], 0, { ...options, preflight });
      }
      const commit = options.inPlace ? undefined : { journaled: needsJournal({ m: [], r: [[tmps[look.index], target]], x: [], y: [] }, await this.atomicRename(target, options)) };
      options.onStart?.(target);
      // Stopped before the receiver starts: nothing was written, nothing to undo.
      throwIfAborted(options.signal);
      sending = tmps[look.index];
      return { tmp: sending, target, commit };
    };
    try {
      const result = await lookThenUpload(this.device, {
        path: where.path,
        name: where.name,
        mode: where.mode,
        tmps,
        same: local && total !== undefined ? [total, local.digest] : null,
        parents: Boolean(options.parents) || where.mode === 2,
        source,
        algorithm: features.hash,
        total,
        ...this.receiverSizing,
        compression,
        signal: options.signal,
        onProgress: options.onProgress,
        decide,
      });
      if (!result) {
        if (!skipped) throw new BelayError('PROTOCOL', `the write of ${target} stopped with nothing sent`);
        options.onProgress?.({ done: total ?? 0, total });
        return { bytes: 0, wireBytes: 0, method: 'binary', hash: local!, skipped: true, path: target };
      }
      if (result.committed) this.settleCommit([target], result.committed as CommitFindings);
      const { bytes, wireBytes, hash, boardHeap, sent } = result;
      return { bytes, wireBytes, method: 'binary', hash, boardHeap, ...(compression ? { compressed: sent } : {}), path: target };
    } catch (err) {
      // As transfer(): the receiver removes its temp itself on a clean stop;
      // after anything else once bytes were on their way, undo here.
      if (sending !== undefined && !isBelayError(err, 'LINK_LOST')) await this.undoStaging(sending, target);
      throw fsError(err, 'writing', target);
    }
  }

  /** Where a write goes when the board cannot be asked in the write's own program: a stat first, when `into` leaves it open. */
  private async landing(where: WriteTarget, options: OperationOptions): Promise<string> {
    if (where.mode === 0) return chosenPath(where, 0);
    const info = await this.stat(where.path, options);
    if (where.mode === 2 && info?.kind === 'file') throw notAFolder(where.path);
    return chosenPath(where, where.mode === 2 || info?.kind === 'dir' ? 1 : 0);
  }

  /** The compressed upload of `source` when the link and the file gain from it (with its board half installed), else undefined. */
  private async compressionFor(source: UploadSource, total: number | undefined, options: OperationOptions): Promise<CompressionChoice | undefined> {
    const mode = this.options.compress ?? 'auto';
    if (!linkWantsCompression(mode, this.device.transport.link, this.device.capabilities.deflate && this.device.capabilities.ioBase)) return undefined;
    const compression = await compressUpload(source, total, { mode, freeHeap: this.device.capabilities.memFree });
    if (compression) await this.install(options, ['write', 'frames', 'upload', 'deflate']);
    return compression;
  }

  /**
   * Stages `source` for `target`: refuses names the target's filesystem
   * cannot hold, checks free space, records the temp (and any parent made)
   * in the intent log, uploads, and verifies the staged file's hash as read
   * back from flash. The target is untouched until `commit`.
   */
  async stage(target: BoardPathInput, source: UploadSource, options: StageOptions = {}): Promise<Staged> {
    return (await this.stageUpload(target, source, options)).staged;
  }

  /**
   * stage(), also returning the upload's stats; with `commitNow` the board
   * commits the file in the same program and `committed` says what it found
   * (nothing then stays staged).
   */
  private async stageUpload(
    target: BoardPathInput,
    source: UploadSource,
    options: StageOptions & { commitNow?: boolean },
  ): Promise<{ staged: Staged; stats: TransferStats; committed?: CommitFindings }> {
    const path = writePath(target, 'file');
    throwIfAborted(options.signal);
    const total = options.size ?? (await sizeOf(source));
    return this.session(options, async () => {
      if (!options.prechecked) {
        const preflight = await this.preflight([path], options);
        await this.checkNames([path], { ...options, preflight });
        if (total !== undefined) await this.checkSpaceFor(path, [{ size: total, replaced: 0 }], 0, { ...options, preflight });
      }
      let salt = 0;
      let temp = tempPathFor(path);
      while ([...this.pendingTemps.values()].some((other) => other.temp === temp && other.target !== path)) temp = tempPathFor(path, ++salt);
      const { committed, ...stats } = await this.transfer(temp, path, source, total, options);
      const staged: Staged = { target: path, temp, size: stats.bytes, hash: stats.hash };
      if (!committed) this.pendingTemps.set(path, staged);
      return { staged, stats, committed };
    }, this.writeGroups());
  }

  /** Staged files of this session not yet committed or discarded, by target. */
  private readonly pendingTemps = new Map<string, Staged>();

  /** One upload into `temp` (the target itself for in-place writes), verified from flash. */
  private async transfer(temp: string, target: string, source: UploadSource, total: number | undefined, options: StageOptions & { commitNow?: boolean }): Promise<TransferStats & { committed?: CommitFindings }> {
    const features = await this.probe(options);
    const parents = Boolean(options.parents);
    return mapFsErrors('writing', target, async () => {
      if (this.useBinary(features.stdinBuffer && features.stdoutBuffer)) {
        const compression = await this.compressionFor(source, total, options);
        try {
          const { committed, ...result } = await uploadBinary(this.device, {
            tmp: temp,
            target,
            parents,
            source,
            algorithm: features.hash,
            total,
            ...this.receiverSizing,
            compression,
            // A lone rename needs a journal only where rename does not replace atomically (FAT).
            commit: options.commitNow && temp !== target ? { journaled: needsJournal({ m: [], r: [[temp, target]], x: [], y: [] }, await this.atomicRename(target, options)) } : undefined,
            signal: options.signal,
            onProgress: options.onProgress,
          });
          return { ...result, method: 'binary', ...(compression ? { compressed: result.sent } : {}), ...(committed ? { committed: committed as CommitFindings } : {}) };
        } catch (err) {
          // The receiver removes its temp itself on a clean stop; after
          // anything else (a timeout, a protocol surprise) undo here. With
          // the link gone nobody can: the intent log lets the next session.
          if (!isBelayError(err, 'LINK_LOST')) await this.undoStaging(temp, target);
          throw err;
        }
      }
      try {
        const chunk = encodedChunkFor(this.device.capabilities.memFree);
        const result = await uploadEncoded(this.device, { tmp: temp, target, parents, source, algorithm: features.hash, base64: features.base64, total, chunk, signal: options.signal, onProgress: options.onProgress });
        return { bytes: result.bytes, wireBytes: result.wireBytes, hash: result.hash, method: features.base64 ? 'base64' : 'literal' };
      } catch (err) {
        if (!isBelayError(err, 'LINK_LOST')) await this.undoStaging(temp, target);
        throw err;
      }
    });
  }

  /** After a failed upload: remove its temp, and roll back the intent log when nothing else is staged. */
  private async undoStaging(temp: string, target: string): Promise<void> {
    await this.device.exec(pyCall(this.installed.has('encoded') ? '_bwdrop' : '_brm', temp)).catch(() => undefined);
    if (temp === target) return;
    if (this.pendingTemps.size === 0) await this.device.exec(pyJsonCall('_bback')).catch(() => undefined);
  }

  /**
   * Commits staged files, with deletes, mkdirs and rmdirs, in one round
   * trip. Several changes (or a filesystem whose rename is not atomic, like
   * FAT) go under a journal, so a cut at any point leaves a board that
   * recovery turns into the whole old or the whole new state. Afterwards
   * every renamed target is checked to exist under its exact name.
   */
  async commit(request: CommitRequest): Promise<CommitResult> {
    const journal = buildJournal(request);
    // Staged files of this session left out of the commit go with it.
    const renamed = new Set(journal.r.map(([temp]) => temp));
    for (const staged of this.pendingTemps.values()) if (!renamed.has(staged.temp)) journal.x.push(staged.temp);
    return this.session(request, async () => {
      const atomic = (await Promise.all(journal.r.map(([, target]) => this.atomicRename(target, request)))).every(Boolean);
      const journaled = needsJournal(journal, atomic);
      const raw = await mapFsErrors('committing', journal.r[0]?.[1] ?? journal.x[0] ?? '/', () =>
        this.device.execJson<RawCommit>(pyJsonCall('_bcommit', journal as unknown as PyValue, journaled), { signal: request.signal }),
      );
      this.settleCommit(journal.r.map(([, target]) => target), raw);
      return { renamed: raw.renamed, deleted: raw.deleted, rmdirs: raw.rmdirs, kept: raw.kept, journaled };
    }, ['write']);
  }

  /** Whether a rename onto `target` replaces it atomically (littlefs, a POSIX board; not FAT, not unknown). */
  private async atomicRename(target: string, options: OperationOptions): Promise<boolean> {
    const kind = await this.filesystemOf(target, options);
    return kind === 'lfs' || kind === 'posix';
  }

  /** After the board committed: nothing stays staged; every target is there under its exact name. */
  private settleCommit(targets: string[], raw: CommitFindings): void {
    this.pendingTemps.clear();
    if (raw.missing.length > 0) throw new BelayError('FS_ERROR', `the commit found neither the staged copy nor the target of ${raw.missing.join(', ')}`, { data: { missing: raw.missing } });
    this.checkExactNames(targets, raw.names);
  }

  /** Abandons staging: removes the staged temps (and directories made for them); the board is as before. */
  async discard(staged: Staged[] = [], options: OperationOptions = {}): Promise<RecoveryReport> {
    return this.session(options, async () => {
      for (const item of staged) this.pendingTemps.delete(item.target);
      this.pendingTemps.clear();
      const raw = await this.device.execJson<RawRecovery>(pyJsonCall('_bback'), options);
      return toReport({ ...raw, journal: false });
    }, ['write']);
  }

  /** Set when recovery ran in this session (at the first operation, or by recover()). */
  lastRecovery: RecoveryReport | undefined;
  private recoveryDue: boolean | undefined;

  /**
   * Finishes (journal present) or undoes (staging without a journal) what an
   * interrupted session left on the board; idempotent, and itself safe to
   * cut. Runs only when the connect-time probe saw pending records, unless
   * `force`. The CLI calls it right after connecting and reports what it did.
   */
  async recover(options: OperationOptions & { force?: boolean } = {}): Promise<RecoveryReport> {
    this.recoveryDue ??= this.device.capabilities.pending.length > 0;
    if (!this.recoveryDue && !options.force) return toReport({ journal: false });
    // A journal may name a batch's pack: its roll forward writes the targets from it.
    await this.install(options, ['write', 'pack']);
    const raw = await this.device.execJson<RawRecovery>(pyJsonCall('_brecover'), options);
    this.recoveryDue = false;
    this.lastRecovery = toReport(raw);
    return this.lastRecovery;
  }

  /** The board's entry at exactly `path`, or undefined. */
  private async entryAt(path: string, options: OperationOptions): Promise<FsEntry | undefined> {
    const [entry] = await this.list(path, { ...options, hash: true }).catch((err: unknown) => {
      if (isBelayError(err, 'FS_ERROR') && err.data.errnoName === 'ENOENT') return [];
      throw err;
    });
    return entry?.path === path ? entry : undefined;
  }

  /* --------------------------------------------------- filesystem facts */

  private mountTable: Array<[string, FilesystemKind]> | undefined;

  /** The kind of filesystem holding `path` (probed once per session for all mounts). */
  async filesystemOf(path: string, options: OperationOptions = {}): Promise<FilesystemKind> {
    return (await this.mountOf(path, options)).kind;
  }

  /** The mount holding `path`: its mount point and filesystem kind ("/" and unknown when the board cannot say). */
  async mountOf(path: string, options: OperationOptions): Promise<{ mount: string; kind: FilesystemKind }> {
    if (!this.mountTable) await this.preflight([], options);
    const target = boardPath(path);
    let best: [string, FilesystemKind] | undefined;
    for (const entry of this.mountTable!) {
      const mount = entry[0];
      const inside = mount === '/' || target === mount || target.startsWith(`${mount}/`);
      if (inside && (!best || mount.length > best[0].length)) best = entry;
    }
    return { mount: best?.[0] ?? '/', kind: best?.[1] ?? 'unknown' };
  }

  /**
   * One round trip before writing `paths`: the mount table (kept for the
   * session), how each name comes out on the board, and the size and free
   * space of each mount they go to.
   */
  private async preflight(paths: string[], options: OperationOptions): Promise<Preflight> {
    return this.session(options, async () => {
      const names = new Map<string, NameCheck>();
      const usage = new Map<string, DiskUsage>();
      // On a small heap the paths go in batches: each is a literal the board compiles and answers for.
      for (const batch of batches(paths, compileBudget(this.device.capabilities.memFree) / 4)) {
        const part = this.takePreflight(await this.device.execJson<RawPreflight>(pyJsonCall('_bpre', batch), options), batch);
        for (const [path, check] of part.names) names.set(path, check);
        for (const [mount, figures] of part.usage) usage.set(mount, figures);
      }
      return { names, usage };
    }, ['write']);
  }

  /** What _bpre answered for `paths`, with its mount table kept for the session. */
  private takePreflight(raw: RawPreflight, paths: string[]): Preflight {
    this.mountTable = raw.m.map(([mount, kind]): [string, FilesystemKind] => [mount, kind === 'fat' || kind === 'lfs' || kind === 'posix' ? kind : 'unknown']);
    const usage = new Map<string, DiskUsage>();
    for (const [mount, [size, free, block]] of Object.entries(raw.s)) usage.set(mount, diskUsage(size, free, block));
    return { names: new Map(paths.map((path, i) => [path, raw.n[i]])), usage };
  }

  /**
   * Refuses, before anything is sent, names the filesystem cannot hold or
   * would fold onto another file: FAT rules for `paths` among themselves and
   * against what the board already has (`existing`, else each path's
   * siblings), and on every filesystem a name the board resolves to an entry
   * its folder does not list under that exact name, or refuses outright.
   */
  async checkNames(paths: string[], options: OperationOptions & { existing?: string[]; preflight?: Preflight } = {}): Promise<void> {
    if (paths.length === 0) return;
    const canonical = paths.map((p) => boardPath(p));
    const pre = options.preflight ?? (await this.preflight(canonical, options));
    const fat: string[] = [];
    for (const path of canonical) if ((await this.mountOf(path, options)).kind === 'fat') fat.push(path);
    if (fat.length > 0) {
      const existing = options.existing ?? (await this.siblings(fat, options));
      const refusals = fatRefusals(fat, existing);
      if (refusals.length > 0) throw namesError(refusals, 'fat');
    }
    const folded = this.foldedNames(canonical, pre);
    if (folded.length > 0) throw namesError(folded, 'unknown');
  }

  /** Board paths beside `paths` (every entry under their parents), for collision checks. */
  private async siblings(paths: string[], options: OperationOptions): Promise<string[]> {
    const out: string[] = [];
    for (const dir of new Set(paths.map(boardDirname))) {
      const entries = await this.list(dir, options).catch(() => [] as FsEntry[]);
      for (const entry of entries) if (boardDirname(entry.path) === dir) out.push(entry.path);
    }
    return out;
  }

  /**
   * Of `paths`, those the board resolves to an entry its folder does not
   * list under exactly that name (folded onto another file), or cannot even
   * look up (any error but ENOENT: the filesystem refuses the name).
   */
  private foldedNames(paths: string[], pre: Preflight): NameRefusal[] {
    const platform = this.device.capabilities.platform;
    const out: NameRefusal[] = [];
    for (const path of paths) {
      const [exists, detail] = pre.names.get(path) ?? [false, null];
      if (exists && detail === false) out.push({ path, reason: 'the board resolves it to a file with another name' });
      if (!exists && typeof detail === 'number' && errnoName(detail, platform) !== 'ENOENT') out.push({ path, reason: `the board refuses the name (${errnoName(detail, platform)})` });
    }
    return out;
  }

  /** After a commit: each target must exist under its exact name (a filesystem that folded it would show another). */
  private checkExactNames(targets: string[], raw: NameCheck[]): void {
    const wrong = targets.filter((_, i) => !raw[i][0] || raw[i][1] === false);
    if (wrong.length > 0) {
      throw new BelayError('FS_ERROR', `after the commit the board has no file named exactly ${wrong.map((p) => JSON.stringify(p)).join(', ')}`, {
        data: { paths: wrong },
        hint: 'the board\'s filesystem changed the name (case, control characters): rename the file locally',
      });
    }
  }

  /**
   * Refuses uploads the filesystem has no room for, before a byte is sent.
   * Files are staged one at a time, each beside its old copy (which stays
   * until the new one is verified), so the need is the peak over that
   * sequence, plus a block per directory made and a few for the records.
   * Skipped when the board's free count is unknown.
   */
  async checkSpaceFor(where: string, files: Array<{ size: number; replaced: number }>, dirs: number, options: OperationOptions & { preflight?: Preflight } = {}): Promise<void> {
    if (files.length === 0) return;
    const { mount } = await this.mountOf(where, options);
    const usage = options.preflight?.usage.get(mount) ?? (await this.df(mount, options));
    if (usage.free === null || usage.blockSize <= 0) return;
    const block = usage.blockSize;
    const blocks = (bytes: number) => Math.ceil(bytes / block) * block;
    let grown = (dirs + 4) * block;
    let needed = grown;
    for (const file of files) {
      needed = Math.max(needed, grown + blocks(file.size));
      grown += blocks(file.size) - blocks(file.replaced);
    }
    if (needed > usage.free) throw noSpace(files.length === 1 ? where : `${files.length} files under ${where}`, where, needed, usage.free);
  }

  /**
   * Cuts `files` (to be written under `where`, with `dirs` folders made) into
   * batches for writeBatch (batch-plan.ts): each batch's temps must fit on
   * the flash beside the old copies, and its commit list in the board's
   * heap; `pack` says whether writeBatch may stage small files in a pack
   * (there is room for it). Refuses with NO_SPACE, before a byte is sent,
   * when a file does not fit even alone.
   */
  async batchesFor<T extends BatchItem>(where: string, files: T[], dirs: number, options: OperationOptions = {}): Promise<{ batches: T[][]; pack: boolean }> {
    if (files.length === 0) return { batches: [], pack: false };
    const { mount } = await this.mountOf(where, options);
    const usage = await this.df(mount, options);
    const limits: BatchLimits = { free: usage.blockSize > 0 ? usage.free : null, blockSize: usage.blockSize, freeHeap: this.device.capabilities.memFree };
    // A pack (where renames are atomic) needs room for a second copy of its files; without that room, temps.
    if (await this.atomicRename(where, options)) {
      const packed = planBatches(files, dirs, { ...limits, packMaxFile: PACK_MAX_FILE });
      if ('batches' in packed) return { batches: packed.batches, pack: true };
    }
    const plan = planBatches(files, dirs, limits);
    if ('shortfall' in plan) throw noSpace(`${files.length === 1 ? files[0].path : `${files.length} files under ${where}`}`, where, plan.shortfall.needed, plan.shortfall.free);
    return { batches: plan.batches, pack: false };
  }

  /**
   * Writes `files` as one transaction in one board program (upload-batch.ts):
   * every file is staged, verified from flash and then all are committed
   * together (under a journal where needsJournal says so; on littlefs the
   * small files staged in one pack and written from it), or, on any
   * mismatch, board error or Ctrl-C, none is and every temp is removed. The
   * caller has checked names and space (batchesFor sizes a batch so its
   * temps fit); missing parent folders are made, recorded. A board without
   * sys.stdin.buffer gets one write per file (the encoded transfer has no
   * batch receiver). Returns the stats of each file, in order.
   */
  async writeBatch(files: Array<{ path: BoardPathInput; source: Uint8Array | { file: string } }>, options: BatchWriteOptions = {}): Promise<TransferStats[]> {
    const targets = files.map((file) => writePath(file.path, 'file'));
    throwIfAborted(options.signal);
    if (files.length === 0) return [];
    const features = await this.probe(options);
    if (!this.useBinary(features.stdinBuffer && features.stdoutBuffer)) {
      const out: TransferStats[] = [];
      for (const [i, file] of files.entries()) {
        options.onFile?.(i);
        out.push(await this.write(file.path, file.source, { signal: options.signal, parents: true, prechecked: true, onProgress: (progress) => options.onProgress?.(i, progress) }));
      }
      return out;
    }
    // Read first: a local read error stops the batch before anything is sent.
    const contents: Uint8Array[] = [];
    for (const file of files) {
      throwIfAborted(options.signal);
      contents.push(file.source instanceof Uint8Array ? file.source : await readLocal(file.source.file));
    }
    return this.session(options, async () => {
      const atomic = (await Promise.all(targets.map((target) => this.atomicRename(target, options)))).every(Boolean);
      // Small files go into the pack where renames are atomic (littlefs): not
      // on FAT, where writing a target in place can tear it.
      const packs = (bytes: Uint8Array) => options.pack === true && atomic && bytes.length <= PACK_MAX_FILE;
      const temps = new Set([...this.pendingTemps.values()].map((staged) => staged.temp));
      const batch = targets.map((target, i) => {
        if (packs(contents[i])) return { target, temp: '', bytes: contents[i] };
        let salt = 0;
        let temp = tempPathFor(target);
        while (temps.has(temp)) temp = tempPathFor(target, ++salt);
        temps.add(temp);
        return { target, temp, bytes: contents[i] };
      });
      const packed = batch.some((file) => file.temp === '');
      const journal = buildJournal({ renames: batch.map(({ target, temp, bytes }) => ({ target, temp: temp || PACK_PATH, size: bytes.length, hash: { algorithm: features.hash, digest: '' } })) });
      const compress = linkWantsCompression(this.options.compress ?? 'auto', this.device.transport.link, this.device.capabilities.deflate && this.device.capabilities.ioBase);
      const prepared = await prepareBatch(batch, compress ? { freeHeap: this.device.capabilities.memFree } : undefined);
      let started = -1;
      const onProgress = (index: number, done: number) => {
        // (Not onFile?.(++started): optional chaining would skip the increment too.)
        for (; started < index; started++) options.onFile?.(started + 1);
        options.onProgress?.(index, { done, total: contents[index].length });
      };
      const solo = this.pendingTemps.size === 0;
      const result = await uploadBatch(this.device, prepared, {
        algorithm: features.hash,
        ...this.receiverSizing,
        journaled: packed || needsJournal(journal, atomic),
        ...(packed ? { pack: PACK_PATH } : {}),
        solo,
        signal: options.signal,
        undo: () => this.undoBatch([...new Set(batch.map((file) => file.temp || PACK_PATH))], solo),
        onProgress,
      });
      onProgress(files.length - 1, contents[files.length - 1].length);
      // The board reports the renamed targets' names first, then those written from the pack.
      const reported = [...batch.filter((file) => file.temp !== ''), ...batch.filter((file) => file.temp === '')].map((file) => file.target);
      this.settleCommit(reported, result.committed as CommitFindings);
      // Wire bytes per file: the batch's, shared by each file's part of the stream.
      const share = (n: number, i: number) => Math.round((n * (prepared.headers[i].length + contents[i].length)) / prepared.stream.length);
      return result.files.map((file, i) => ({
        bytes: contents[i].length,
        wireBytes: share(result.wireBytes, i),
        method: 'binary' as const,
        hash: file.hash,
        boardHeap: file.boardHeap,
        ...(result.compressed ? { compressed: share(result.sent, i) } : {}),
      }));
      // The pack's helpers come with the others (one load of their copies on a board that keeps them),
      // before the batch receiver: on a small heap that goes as a program of its own, the largest to compile.
    }, ['write', 'frames', ...(options.pack ? (['pack'] as const) : []), 'batch']);
  }

  /** After a failed batch: remove its temps, and roll back the intent log when nothing else is staged. */
  private async undoBatch(temps: string[], solo: boolean): Promise<void> {
    if (solo) await this.device.exec(pyJsonCall('_bback')).catch(() => undefined);
    else for (const temp of temps) await this.device.exec(pyCall('_brm', temp)).catch(() => undefined);
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

}

/** `items` in consecutive batches of at most `budget` characters (one item at least; one empty batch for none). */
function batches(items: string[], budget: number): string[][] {
  const out: string[][] = [[]];
  let size = 0;
  for (const item of items) {
    const last = out[out.length - 1];
    if (last.length > 0 && size + item.length > budget) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(item);
    size += item.length + 4;
  }
  return out;
}

function isStream(source: UploadSource): source is AsyncIterable<Uint8Array> {
  return !(source instanceof Uint8Array) && !('file' in source);
}

/** What the board said about a filesystem's size; free and used are null when they cannot be right. */
function diskUsage(size: number, free: number, blockSize: number): DiskUsage {
  const sane = Number.isFinite(free) && free >= 0 && free <= size;
  return { size, free: sane ? free : null, used: sane ? size - free : null, blockSize };
}

function toReport(raw: RawRecovery): RecoveryReport {
  const renamed = raw.renamed ?? [];
  const written = raw.written ?? [];
  const removed = raw.removed ?? [];
  const restored = raw.restored ?? [];
  const deleted = raw.deleted ?? [];
  const rmdirs = raw.rmdirs ?? [];
  const acted = renamed.length + written.length + removed.length + restored.length + deleted.length + rmdirs.length > 0;
  return {
    action: raw.journal ? 'forward' : acted ? 'back' : 'none',
    renamed,
    written,
    deleted,
    rmdirs,
    removed,
    restored,
    missing: raw.missing ?? [],
  };
}

function noSpace(what: string, where: string, needed: number, free: number): BelayError {
  return new BelayError('NO_SPACE', `no room for ${what}: needs ${formatSize(needed)}, ${formatSize(free)} free; the old copy stays until the new one is verified`, {
    data: { path: where, needed, free },
    hint: 'free some space (belay df, belay rm); on a board too full for a second copy, put --in-place overwrites one file directly (unsafe if the link or power fails)',
  });
}

/** A local file's bytes (LOCAL_IO when it cannot be read). */
async function readLocal(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new BelayError('LOCAL_IO', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
