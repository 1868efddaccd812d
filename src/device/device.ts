/**
 * Device: one connected MicroPython board, the library's main handle.
 *
 * It owns the transport and the raw REPL session, queues calls so that two
 * concurrent operations never interleave on the wire, learns the board's
 * platform once (to name errno values right), and offers exec/info/reset.
 * Higher layers (filesystem, sync) build on `exec`.
 *
 * The capability probe (snippets/probe.py) and the filesystem engine
 * (./fs, the larger part of the code) are needed only by what touches files
 * or reports features: connecting with `probe: false` skips both, so a short
 * `exec` costs one program on the board and loads none of it. `probe()`
 * then does both on demand; connecting probes by default.
 */
import { BelayError, isBelayError, throwIfAborted } from '../errors.js';
import { RawRepl, type ExecBytesResult, type ExecOptions, type ExecResult, type InteractiveIo } from '../protocol/raw-repl.js';
import type { Transport } from '../transport/types.js';
import { openTransport, type OpenOptions } from '../port/open.js';
import { snippet, pyLiteral } from './snippets.js';
import type { DeviceFs, DeviceFsOptions } from './fs/device-fs.js';
import { parseCapabilities, type Capabilities, type RawProbe } from './capabilities.js';
import { boardException, errnoNeedsPlatform } from '../protocol/board-exception.js';
import type { BoardSession } from './session.js';

export interface ConnectOptions extends OpenOptions {
  signal?: AbortSignal;
  /** Longest silence tolerated from the board, and longest connect, in ms (default DEFAULT_TIMEOUT_MS, 10 s). */
  timeoutMs?: number;
  /** Set false to never try raw-paste. */
  rawPaste?: boolean;
  /** Sees every byte sent and received (the CLI's --debug). */
  log?: (direction: 'send' | 'receive', bytes: Uint8Array) => void;
  /** How the filesystem moves bytes (transfer window, forced path); see DeviceFsOptions. */
  fs?: DeviceFsOptions;
  /**
   * Probe the board's capabilities and load the filesystem engine while
   * connecting (default true). With false, connecting only reaches the raw
   * REPL: `capabilities` and `fs` are available once `await device.probe()`
   * has run (`info()` runs it itself). An interrupted transaction is then
   * noticed, and recovered, only when the filesystem is first used.
   */
  probe?: boolean;
}

export interface BoardInfo {
  implementation: string;
  version: string;
  platform: string;
  machine: string | null;
  /** sys.implementation._mpy: .mpy format version and architecture. */
  mpy: number | null;
  release?: string;
  unique_id: string | null;
  mem_free?: number;
  mem_alloc?: number;
  fs_size?: number;
  fs_free?: number;
  features: {
    hashlib: boolean;
    binascii: boolean;
    crc32: boolean;
    deflate: boolean;
    stdin_buffer: boolean;
    json: boolean;
    raw_paste: boolean;
  };
}

export class Device implements BoardSession, AsyncDisposable {
  private queue: Promise<unknown> = Promise.resolve();
  private probed: Capabilities | undefined;
  /** The probe under way or done (one per session, whoever asks first). */
  private probing: Promise<Capabilities> | undefined;
  /** sys.platform learnt without a probe (after an OSError, to name its errno). */
  private platformOnly: string | undefined;
  private closed = false;

  private constructor(
    readonly transport: Transport,
    private readonly repl: RawRepl,
    private readonly fsOptions: DeviceFsOptions = {},
  ) {}

  /** Opens the port and enters the raw REPL (interrupting whatever runs). */
  static async connect(options: ConnectOptions = {}): Promise<Device> {
    throwIfAborted(options.signal);
    const transport = await openTransport(options);
    try {
      return await Device.over(transport, options);
    } catch (err) {
      await transport.close();
      throw err;
    }
  }

  /** Wraps an already open transport. */
  static async over(transport: Transport, options: Omit<ConnectOptions, keyof OpenOptions> = {}): Promise<Device> {
    const repl = new RawRepl(transport, { timeoutMs: options.timeoutMs, rawPaste: options.rawPaste, log: options.log });
    const device = new Device(transport, repl, options.fs);
    // The probe's modules load while the board answers the raw REPL request.
    const meanwhile = options.probe !== false ? () => void device.probeModules() : undefined;
    await device.serialise(() => repl.enter(options.signal, meanwhile));
    if (options.probe !== false) await device.probe({ signal: options.signal });
    return device;
  }

  /** The filesystem engine's class, loaded by probe(). */
  private fsClass: typeof DeviceFs | undefined;
  private fsApi: DeviceFs | undefined;

  /**
   * The board's filesystem (listing, hashing, verified transfers,
   * transactions); see fs/device-fs.ts. Ready after connecting, unless
   * connected with `probe: false`: then after `await device.probe()`.
   */
  get fs(): DeviceFs {
    if (!this.fsClass) throw notProbed('device.fs');
    this.fsApi ??= new this.fsClass(this, this.fsOptions);
    return this.fsApi;
  }

  /** What the board offers (snippets/probe.py), probed once per session: at connect, or by probe(). */
  get capabilities(): Capabilities {
    if (!this.probed) throw notProbed('device.capabilities');
    return this.probed;
  }

  /**
   * Probes the board once (what it offers, whether a transaction waits for
   * recovery) and loads the filesystem engine meanwhile; later calls return
   * the same capabilities. Connecting does this unless `probe: false`.
   */
  probe(options: { signal?: AbortSignal } = {}): Promise<Capabilities> {
    this.probing ??= (async () => {
      const { engine, programs, call } = this.probeModules();
      let bootCopy: boolean | undefined;
      const raw = await this.serialise(async () => {
        const { signal } = options;
        const { RESIDENT_PROBE_HEAP, probeProgram } = await programs;
        // A board an earlier connection left the probe on answers a short call; otherwise it says its free heap.
        const resident = await this.repl.exec(await call, { signal });
        const answer = resident.stdout.toString().trim();
        if (!/^\d+$/.test(answer)) return this.parseJson<RawProbe>(async () => resident);
        const roomy = Number(answer) >= RESIDENT_PROBE_HEAP;
        // A board with room may hold the probe in its boot copy (boot-copy.ts); else, or failing that, the whole probe goes.
        if (roomy && this.fsOptions.helperCache !== false) {
          const booted = await this.bootFromCopy(signal);
          bootCopy = booted !== undefined;
          if (booted) return booted;
        }
        return this.parseJson<RawProbe>(() => this.repl.exec(probeProgram({ resident: roomy }), { signal }));
      });
      this.fsClass = (await engine).DeviceFs;
      this.probed = { ...parseCapabilities(raw), ...(bootCopy === undefined ? {} : { bootCopy }) };
      return this.probed;
    })();
    // A failed probe (interrupted, link lost) may be tried again.
    this.probing.catch(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /**
   * The probe's answer from the board's boot copy, or undefined when it has
   * no sound one (or running it failed, say for heap: nothing is lost, the
   * probe is sent).
   */
  private async bootFromCopy(signal: AbortSignal | undefined): Promise<RawProbe | undefined> {
    const { NO_BOOT_COPY, bootProgram } = await import('./boot-copy.js');
    try {
      const booted = await this.repl.exec(bootProgram(), { signal });
      if (booted.stdout.toString().trim() === NO_BOOT_COPY) return undefined;
      return await this.parseJson<RawProbe>(async () => booted);
    } catch (err) {
      if (isBelayError(err, 'BOARD_EXCEPTION') || isBelayError(err, 'PROTOCOL')) return undefined;
      throw err;
    }
  }

  /**
   * What a probe needs on the host, started once: the filesystem engine
   * (with the helpers' versions worked out), the probe's programs, and the
   * first call (whose name hashes the probe's code, which loads
   * node:crypto). Rejections are kept for probe() to see, not reported as
   * unhandled while the board answers.
   */
  private probeModules(): { engine: Promise<typeof import('./fs/device-fs.js')>; programs: Promise<typeof import('./probe-program.js')>; call: Promise<string> } {
    if (!this.probeLoads) {
      // The helpers' versions are checked as soon as the probe answers: work them out while it is on its way.
      const engine = import('./fs/device-fs.js').then(async (loaded) => {
        (await import('./fs/board-code.js')).warmGroupVersions();
        return loaded;
      });
      const programs = import('./probe-program.js');
      const call = programs.then((loaded) => loaded.residentProbeCall());
      for (const loading of [engine, programs, call]) loading.catch(() => undefined);
      this.probeLoads = { engine, programs, call };
    }
    return this.probeLoads;
  }

  private probeLoads: ReturnType<Device['probeModules']> | undefined;

  get description(): string {
    return this.transport.description;
  }

  /** sys.platform of the board (undefined before a probe). */
  get boardPlatform(): string | undefined {
    return this.probed?.platform ?? this.platformOnly;
  }

  /** Runs `work` after everything queued before it; nothing else touches the wire meanwhile. */
  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new BelayError('LINK_LOST', `${this.description} is closed`);
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs Python on the board and returns what it printed, as text (with
   * `bytes: true`, stdout as a Buffer of exactly what the board sent). Its
   * exceptions reject with BOARD_EXCEPTION. `timeoutMs` is a wall-clock
   * limit (the program is then interrupted and the call rejects with
   * TIMEOUT); without it the board may stay silent DEFAULT_TIMEOUT_MS at most.
   * With `filename` the code runs under that name (tracebacks show it, not
   * <stdin>) and travels as a string literal, so every byte arrives intact.
   */
  exec(code: string, options: ExecOptions & { filename?: string; bytes: true }): Promise<ExecBytesResult>;
  exec(code: string, options?: ExecOptions & { filename?: string }): Promise<ExecResult>;
  async exec(code: string, options: ExecOptions & { filename?: string } = {}): Promise<ExecResult | ExecBytesResult> {
    const { filename, bytes, ...rest } = options;
    const program = filename === undefined ? code : named(code, filename);
    if (filename !== undefined) await this.beforeNamedProgram();
    return this.serialise(async () => {
      throwIfAborted(options.signal);
      try {
        const result = await this.withHeapFigures(this.withErrnoNames(this.repl.exec(program, { platform: this.boardPlatform, ...rest })));
        return bytes ? result : { stdout: result.stdout.toString('utf8'), stderr: result.stderr };
      } catch (err) {
        throw filename === undefined ? err : withoutWrapperFrames(err);
      }
    });
  }

  /**
   * An OSError's number means different things on different ports: without
   * a probe the board's platform is unknown, so it is asked for (once, and
   * only for a bare number that ports read differently) and the error named again.
   */
  private async withErrnoNames<T>(running: Promise<T>): Promise<T> {
    try {
      return await running;
    } catch (err) {
      if (this.boardPlatform !== undefined || !isBelayError(err, 'BOARD_EXCEPTION') || !errnoNeedsPlatform(err.data)) throw err;
      const platform = await this.repl
        .exec('import sys\nprint(sys.platform)')
        .then(({ stdout }) => stdout.toString('utf8').trim())
        .catch(() => undefined);
      if (!platform) throw err;
      this.platformOnly = platform;
      throw boardException(err.data.traceback, platform);
    }
  }

  /**
   * Starts code and returns once the board has it, without waiting for it
   * to finish (`belay run --no-follow`): the program keeps running after the
   * link closes, until the next call on any session interrupts it.
   */
  async launch(code: string, options: { signal?: AbortSignal; filename?: string } = {}): Promise<void> {
    const program = options.filename === undefined ? code : named(code, options.filename);
    if (options.filename !== undefined) await this.beforeNamedProgram();
    else await this.releaseHelpers();
    return this.serialise(() => this.repl.execNoFollow(program, options.signal));
  }

  /**
   * Before the run wrapper (run_named.py): a small board's helpers go
   * (releaseHelpers), and the wrapper clears those a board with room kept,
   * so the fs layer forgets them all and its next call sends them again
   * instead of first failing on a name the board no longer has.
   */
  private async beforeNamedProgram(): Promise<void> {
    await this.releaseHelpers();
    this.fsApi?.reset();
  }

  /**
   * Before a user's program (a named run, a launch) and at close: a small
   * board's fs helpers are removed, so the program has the heap (on a board
   * with room the run wrapper clears what was kept, see run_named.py). After
   * a launch nothing is left to remove, so closing never interrupts the
   * program left running.
   */
  private async releaseHelpers(): Promise<void> {
    if (!this.transport.closed) await this.fsApi?.release().catch(() => undefined);
  }

  /**
   * Runs code that exchanges bytes with the host while it runs (transfers):
   * `body` gets the link once the code is sent. See RawRepl.execInteractive.
   */
  execInteractive<T>(code: string, body: (io: InteractiveIo) => Promise<T>, options: ExecOptions = {}): Promise<{ value: T } & ExecBytesResult> {
    return this.serialise(() => {
      throwIfAborted(options.signal);
      return this.withHeapFigures(this.repl.execInteractive(code, body, { platform: this.boardPlatform, ...options }));
    });
  }

  /**
   * A MemoryError is reported as one, with the heap figures read right after
   * it (free and used after a collection), so a user can tell a board that
   * is too small from one whose boot.py or main.py holds the memory.
   */
  private async withHeapFigures<T>(running: Promise<T>): Promise<T> {
    try {
      return await running;
    } catch (err) {
      if (!isBelayError(err, 'BOARD_EXCEPTION') || err.data.type !== 'MemoryError') throw err;
      const heap = await this.repl
        .exec('import gc\ngc.collect()\nprint(gc.mem_free(), gc.mem_alloc())')
        .then(({ stdout }) => stdout.toString('utf8').trim().split(/\s+/).map(Number))
        .catch(() => undefined);
      const [free, used] = heap && heap.length === 2 && heap.every(Number.isFinite) ? heap : [undefined, undefined];
      const figures = free === undefined ? 'heap figures unavailable' : `${free} B of ${free + used!} B heap free after collecting`;
      throw new BelayError('BOARD_EXCEPTION', `the board ran out of memory (MemoryError: ${String(err.data.message)}; ${figures})`, {
        detail: err.detail,
        data: { ...err.data, heap: free === undefined ? null : { free, used, total: free + used! } },
        hint: 'the board has too little free heap for this: free some (fewer modules imported by boot.py or main.py, a soft reset with `belay reset`), or use a board with more RAM',
        cause: err,
      });
    }
  }

  /** Runs code whose last output line is JSON, and parses it. */
  execJson<T>(code: string, options: ExecOptions = {}): Promise<T> {
    return this.parseJson<T>(() => this.exec(code, options));
  }

  private async parseJson<T>(run: () => Promise<{ stdout: string | Buffer }>): Promise<T> {
    const { stdout } = await run();
    const text = stdout.toString().trim();
    const last = text.slice(text.lastIndexOf('\n') + 1);
    try {
      return JSON.parse(last) as T;
    } catch {
      throw new BelayError('PROTOCOL', 'the board printed something that is not JSON', { detail: text.slice(0, 500) });
    }
  }

  /** Firmware, memory and filesystem figures, with the features from the capability probe (run now if it was not). */
  async info(options: { signal?: AbortSignal } = {}): Promise<BoardInfo> {
    const c = await this.probe(options);
    const raw = await this.execJson<Omit<BoardInfo, 'features'> & { json: boolean }>(snippet('info'), options);
    const { json, ...facts } = raw;
    return {
      ...facts,
      features: { hashlib: c.hashlib, binascii: c.binascii, crc32: c.crc32, deflate: c.deflate, stdin_buffer: c.stdinBuffer, json, raw_paste: this.repl.supportsRawPaste === true },
    };
  }

  /** Soft reset: the interpreter restarts, files stay, boot.py runs. Returns what boot.py printed. */
  softReset(options: { signal?: AbortSignal } = {}): Promise<string> {
    this.fsApi?.reset(); // the interpreter forgets the fs helpers
    return this.serialise(() => this.repl.softReset(options.signal));
  }

  /**
   * Restarts the board's program: a soft reset from the friendly REPL, so
   * boot.py and then main.py run, as after power-on but without a reboot of
   * the chip. The Device is closed afterwards (main.py owns the board now):
   * connect again to go on.
   */
  async restart(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.fsApi?.reset();
    await this.serialise(() => this.repl.rebootFriendly(options.signal));
    await this.close({ leaveRaw: false });
  }

  /**
   * Hard reset (machine.reset()). USB boards drop off the bus and come back;
   * the Device is closed afterwards either way: connect again to go on.
   */
  async hardReset(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.serialise(() => this.repl.execNoFollow('import machine\nmachine.reset()\n', options.signal));
    await this.close({ leaveRaw: false });
  }

  /** `await using device = await Device.connect(...)`: closed when the block ends, however it ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Leaves the raw REPL (so a terminal finds the friendly prompt) and closes the link. */
  async close(options: { leaveRaw?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    await this.queue;
    // A small board gets its heap back (the helpers go); a lost link has nothing to give back.
    if (options.leaveRaw !== false) await this.releaseHelpers();
    this.closed = true;
    if (options.leaveRaw !== false) await this.repl.leave().catch(() => undefined);
    this.repl.dispose();
    await this.transport.close();
  }
}

function notProbed(what: string): BelayError {
  return new BelayError('INTERNAL', `${what} needs the capability probe: this device was connected with probe: false`, {
    hint: 'await device.probe() first, or connect without probe: false',
  });
}

/** The program that runs `source` under `filename` (see snippets/run_named.py). */
function named(source: string, filename: string): string {
  return `${snippet('run_named')}\n_belay_run(${pyLiteral(source)}, ${pyLiteral(filename)})\n`;
}

/** Drops the wrapper's own <stdin> frames from a traceback: the user's file is what matters. */
function withoutWrapperFrames(err: unknown): unknown {
  if (!isBelayError(err, 'BOARD_EXCEPTION') || typeof err.data.traceback !== 'string') return err;
  const traceback = err.data.traceback
    .split('\n')
    .filter((line) => !/^\s*File "<stdin>"/.test(line))
    .join('\n');
  return new BelayError('BOARD_EXCEPTION', err.message, { detail: traceback, hint: err.hint, data: { ...err.data, traceback }, cause: err.cause });
}
