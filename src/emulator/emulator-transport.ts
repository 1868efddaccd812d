/**
 * The host side of an emulated board: a Transport whose other end is real
 * MicroPython running in a worker thread (board-worker.ts).
 *
 * Opening the transport powers the board on from its flash folder; closing it
 * powers it off. Like a USB cable, the link carries bytes both ways, can be
 * paced at a baud rate, and can be cut (after N bytes, or by a power cut the
 * board suffers at its Nth filesystem write); then the transport closes with
 * LINK_LOST. A Ctrl-C byte sent while the board runs code raises
 * KeyboardInterrupt in it, the way a board's UART interrupt handler does.
 */
import { Worker } from 'node:worker_threads';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BelayError } from '../errors.js';
import { Listeners, WireCount, type LinkInfo, type Transport } from '../transport/types.js';
import { Pacer } from '../transport/pacer.js';
import { ChannelWriter, createChannel, type ChannelBuffers } from './channel.js';
import { Corruptor, type CorruptionFault, type LinkDirection } from './corruption.js';
import { EMULATOR_DEFAULTS, type BoardSettings, type EmulatorOptions, type LinkKind, type StartKind, type WorkerMessage } from './options.js';
import { workerEntry } from './worker-entry.js';
import { boardUniqueId } from './board-id.js';

/** How long closing waits for the board to finish what it was doing (see settle()). */
const SETTLE_MS = 3000;
/** How long closing waits for a reset's power-on itself, before SETTLE_MS starts counting. */
const POWER_ON_LIMIT_MS = 60_000;

/** Where the last board powered on in this process keeps its interrupt state: the next one checks it first. */
let lastInterruptState: { words: Array<[number, number]>; charIndex: number } | undefined;
/** Likewise for the call-depth counter that a fixed heap's collector needs. */
let lastDepthIndex: number | undefined;

interface InterruptState {
  memory: Int32Array;
  words: Array<[number, number]>;
  charIndex: number;
}

export class EmulatorTransport implements Transport {
  readonly description: string;
  readonly wire = new WireCount();
  private worker: Worker | undefined;
  private channel!: ChannelBuffers;
  private writer!: ChannelWriter;
  private interrupt: InterruptState | undefined;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<BelayError | undefined>();
  private readonly toBoard: Pacer;
  private readonly toHost: Pacer;
  private readonly corruptors: Record<LinkDirection, Corruptor> = { 'to-board': new Corruptor(), 'to-host': new Corruptor() };
  private sent = 0;
  /** How the next power-on starts: as asked at open, then as a reset does. */
  private nextStart: StartKind;
  private safeBootHeld = false;
  /** The current power-on's start-up (boot.py, main.py) is over. */
  private startupDone = false;
  /** The board reset itself during this connection. */
  private resetSeen = false;
  private resetting: Promise<void> | undefined;
  /** The chain of USB writes (each waits for the board's room). */
  private writing: Promise<void> = Promise.resolve();
  private readonly linkKind: LinkKind;
  private mutationCount = 0;
  private isClosed = false;
  private readonly lockFile: string;

  private constructor(
    private readonly options: EmulatorOptions,
    name: string,
  ) {
    this.description = `emulator:${name}`;
    this.linkKind = options.link ?? EMULATOR_DEFAULTS.link;
    this.nextStart = options.start ?? EMULATOR_DEFAULTS.start;
    this.lockFile = `${options.dir.replace(/[\\/]+$/, '')}.lock`;
    this.toBoard = Pacer.forBaud(options.baud, (bytes) => this.deliverToBoard(bytes));
    this.toHost = Pacer.forBaud(options.baud, (bytes) => {
      const arriving = this.corruptors['to-host'].apply(bytes);
      this.wire.received += arriving.length;
      this.data.emit(arriving);
    });
    for (const fault of options.corrupt ?? []) this.corruptAfter(fault.direction, fault.after, fault);
  }

  /** Powers on an emulated board whose flash is `options.dir`. */
  static async open(options: EmulatorOptions, name = 'default'): Promise<EmulatorTransport> {
    checkOptions(options);
    const transport = new EmulatorTransport(options, name);
    transport.lock();
    try {
      await transport.powerOn();
    } catch (err) {
      await transport.close();
      throw err;
    }
    return transport;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * The link as the host can know it, as USB ids tell a serial port's: a
   * `usb` board is native USB, a `uart` one a bridge. Served on a pty the
   * host sees only an unknown pty.
   */
  get link(): LinkInfo {
    return { kind: this.linkKind, baud: this.options.baud, source: `emulated ${this.linkKind} link` };
  }

  /** Filesystem mutations since the last power-on: lets tests aim a power cut at each step. */
  get mutations(): number {
    return this.mutationCount;
  }

  /** Bytes the host has sent over the link since it was opened (what a `to-board` fault counts). */
  get bytesToBoard(): number {
    return this.corruptors['to-board'].count;
  }

  /** Bytes the host has written that a paced link has not yet delivered to the board. */
  get bytesOnTheLine(): number {
    return this.toBoard.queued;
  }

  /** Bytes the board has sent to the host since the link was opened (what a `to-host` fault counts). */
  get bytesToHost(): number {
    return this.corruptors['to-host'].count;
  }

  /**
   * Fault injection: the byte that travels in `direction` once `after` more
   * bytes have gone through intact arrives changed (XOR 0x01 unless told).
   */
  corruptAfter(direction: LinkDirection, after: number, change: Pick<CorruptionFault, 'xor' | 'value'> = {}): void {
    this.corruptors[direction].arm(after, change);
  }

  /**
   * Holds the safe-boot button: the next reset (machine.reset(), a hard
   * reset) starts without running boot.py or main.py, once.
   */
  holdSafeBoot(): void {
    this.safeBootHeld = true;
  }

  /** Bytes the board lost because its receive buffer was full. */
  get droppedBytes(): number {
    return this.writer.dropped;
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: BelayError) => void): () => void {
    return this.closeListeners.add(listener);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) throw new BelayError('LINK_LOST', `${this.description} is not connected`);
    let chunk = bytes;
    const limit = this.options.dropAfterBytes;
    const cut = limit !== undefined && this.sent + chunk.length >= limit;
    if (cut) chunk = chunk.subarray(0, Math.max(0, limit - this.sent));
    this.sent += chunk.length;
    this.wire.sent += chunk.length;
    chunk = this.corruptors['to-board'].apply(chunk);
    // Writes go one after another, as on a wire, even when callers do not wait.
    // A UART's bytes join the paced line's queue at once (the queue keeps
    // their order), as a host's tty buffer feeds a real UART back to back.
    // USB bytes each wait for the board's room, so they are chained.
    let sending: Promise<void>;
    if (this.linkKind === 'usb') {
      sending = this.writing.then(() => this.sendFlowControlled(chunk));
      this.writing = sending.catch(() => undefined);
    } else sending = this.toBoard.send(chunk);
    await sending;
    if (cut) {
      this.lose('the link to the emulated board was cut (fault injection)');
      throw new BelayError('LINK_LOST', `${this.description} disconnected`);
    }
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      await this.settle();
      this.isClosed = true;
      this.toBoard.clear();
      this.toHost.clear();
      await this.powerOff();
      this.closeListeners.emit(undefined);
    }
    this.unlock();
  }

  /* ------------------------------------------------------------ internals */

  /**
   * A host that hangs up right after sending a program (`machine.reset()`,
   * say) leaves a real board to carry on. This board lives only while it is
   * open, so closing first lets it finish what it was sent and, after a
   * reset, its start-up (boot.py, main.py), up to a bound: a program that
   * never ends is powered off after it. Starting the interpreter after a
   * reset can take seconds on a busy machine: the bound counts from when
   * it is up, so boot.py and main.py always get their time.
   */
  private async settle(): Promise<void> {
    const limit = performance.now() + POWER_ON_LIMIT_MS;
    let deadline = performance.now() + SETTLE_MS;
    while (performance.now() < deadline) {
      if (!this.worker && this.resetting === undefined) return; // powered off
      if (this.resetting !== undefined) deadline = Math.min(limit, performance.now() + SETTLE_MS);
      const busy = this.writer.pending > 0 || this.writer.executing || this.resetting !== undefined || (this.resetSeen && !this.startupDone);
      if (!busy) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** USB: the host waits while the board's buffer is full; nothing is ever dropped. */
  private async sendFlowControlled(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length && !this.isClosed) {
      const room = this.writer.flowSpace;
      if (room === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      const part = bytes.subarray(offset, offset + room);
      await this.toBoard.send(part);
      offset += part.length;
    }
  }

  private lock(): void {
    mkdirSync(dirname(this.lockFile), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockFile, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(readFileSync(this.lockFile, 'utf8'));
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
          throw new BelayError('PORT_BUSY', `${this.description} is in use by process ${owner}`, {
            hint: 'close the other belay (or emulator serve) using this board first',
          });
        }
        rmSync(this.lockFile, { force: true }); // left by a process that died
      }
    }
  }

  private unlock(): void {
    try {
      if (Number(readFileSync(this.lockFile, 'utf8')) === process.pid) rmSync(this.lockFile, { force: true });
    } catch {
      // already gone
    }
  }

  private powerOn(): Promise<void> {
    this.startupDone = false;
    this.channel = createChannel(this.options.rxBuffer ?? EMULATOR_DEFAULTS.rxBuffer);
    this.writer = new ChannelWriter(this.channel);
    this.interrupt = undefined;
    this.mutationCount = 0;
    const options: BoardSettings = {
      dir: this.options.dir,
      flashSize: this.options.flashSize ?? EMULATOR_DEFAULTS.flashSize,
      blockSize: this.options.blockSize ?? EMULATOR_DEFAULTS.blockSize,
      filesystem: this.options.filesystem ?? EMULATOR_DEFAULTS.filesystem,
      rxBuffer: this.options.rxBuffer ?? EMULATOR_DEFAULTS.rxBuffer,
      announceRxBuffer: this.options.announceRxBuffer ?? EMULATOR_DEFAULTS.announceRxBuffer,
      rawPaste: this.options.rawPaste ?? EMULATOR_DEFAULTS.rawPaste,
      rawPasteWindow: this.options.rawPasteWindow ?? EMULATOR_DEFAULTS.rawPasteWindow,
      hide: this.options.hide ?? [],
      runMain: this.options.runMain ?? EMULATOR_DEFAULTS.runMain,
      start: this.nextStart,
      uniqueId: this.options.uniqueId ?? boardUniqueId(this.options.dir),
      powerCutAtWrite: this.options.powerCutAtWrite,
      corruptAtWrite: this.options.corruptAtWrite,
      heapSize: this.options.heapSize,
      listSystemEntries: this.options.listSystemEntries ?? false,
    };
    const knownInterrupt = lastInterruptState;
    const knownDepthIndex = lastDepthIndex;
    const worker = new Worker(workerEntry(), { workerData: { options, channel: this.channel, knownInterrupt, knownDepthIndex } });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          this.interrupt = { memory: new Int32Array(message.memory), words: message.interruptWords, charIndex: message.interruptCharIndex };
          lastInterruptState = { words: message.interruptWords, charIndex: message.interruptCharIndex };
          lastDepthIndex = message.depthIndex ?? lastDepthIndex;
          if (!ready) {
            ready = true;
            resolve();
          }
        } else if (!ready && message.type === 'fatal') {
          reject(new BelayError('EMULATOR', `emulated board failed to start: ${message.message}`));
        } else this.onWorkerMessage(message);
      });
      worker.on('error', (err) => {
        const error = new BelayError('EMULATOR', `emulated board crashed: ${err.message}`, { cause: err });
        if (!ready) reject(error);
        else this.lose(error.message);
      });
      worker.on('exit', () => {
        if (!ready) reject(new BelayError('EMULATOR', 'emulated board failed to start'));
      });
    });
  }

  private async powerOff(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.interrupt = undefined;
    if (worker) await worker.terminate();
  }

  private onWorkerMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'output':
        void this.toHost.send(message.bytes);
        break;
      case 'mutations':
        this.mutationCount = message.count;
        break;
      case 'power-cut':
        this.lose('the emulated board lost power (fault injection)');
        break;
      case 'started':
        this.startupDone = true;
        break;
      case 'hard-reset':
        // A reset is a power-on (unless the safe-boot button is held).
        this.nextStart = this.safeBootHeld ? 'safe-boot' : 'power-on';
        this.safeBootHeld = false;
        // A UART-bridge board keeps the link through a reset: restart behind it.
        this.resetSeen = true;
        this.resetting = this.powerOff()
          .then(() => (this.isClosed ? undefined : this.powerOn()))
          .catch((err: unknown) => this.lose(`the emulated board did not come back from reset: ${(err as Error).message}`))
          .finally(() => (this.resetting = undefined));
        break;
      case 'fatal':
        this.lose(`emulated board crashed: ${message.message}`);
        break;
      default:
        break;
    }
  }

  /** The link is gone: power off, close with LINK_LOST. */
  private lose(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.toBoard.clear();
    this.toHost.clear();
    void this.powerOff().finally(() => {
      this.unlock();
      this.closeListeners.emit(new BelayError('LINK_LOST', `${this.description} disconnected: ${reason}`));
    });
  }

  /** Bytes arriving at the board's UART: Ctrl-C interrupts running code, the rest is buffered. */
  private deliverToBoard(bytes: Uint8Array): void {
    if (!this.worker) return;
    let start = 0;
    const state = this.interrupt;
    if (state && this.writer.executing) {
      const char = Atomics.load(state.memory, state.charIndex);
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== char) continue;
        this.writer.push(bytes.subarray(start, i));
        for (const [index, value] of state.words) Atomics.store(state.memory, index, value);
        this.writer.requestInterrupt();
        start = i + 1;
      }
    }
    this.writer.push(bytes.subarray(start));
  }
}

/** Refuses settings no board could have, before anything starts. */
function checkOptions(options: EmulatorOptions): void {
  for (const fault of options.corrupt ?? []) {
    if (fault.direction !== 'to-board' && fault.direction !== 'to-host') {
      throw new BelayError('USAGE', `a corruption fault goes to-board or to-host, not ${JSON.stringify(fault.direction)}`);
    }
  }
  if (options.start !== undefined && !['power-on', 'safe-boot', 'connect'].includes(options.start)) {
    throw new BelayError('USAGE', `an emulated board starts by power-on, safe-boot or connect, not ${JSON.stringify(options.start)}`);
  }
  const link = options.link ?? EMULATOR_DEFAULTS.link;
  if (link !== 'uart' && link !== 'usb') throw new BelayError('USAGE', `the emulated link can be uart or usb, not ${JSON.stringify(link)}`);
  const filesystem = options.filesystem ?? EMULATOR_DEFAULTS.filesystem;
  if (filesystem !== 'littlefs' && filesystem !== 'fat') {
    throw new BelayError('USAGE', `the emulated flash can be littlefs or fat, not ${JSON.stringify(filesystem)}`);
  }
  if (options.heapSize !== undefined && (!Number.isInteger(options.heapSize) || options.heapSize < 16 * 1024)) {
    throw new BelayError('USAGE', `a heap of ${options.heapSize} bytes is not possible: at least 16384 (the interpreter needs some to start)`);
  }
  const unit = options.blockSize ?? EMULATOR_DEFAULTS.blockSize;
  if (!Number.isInteger(unit) || unit <= 0 || (filesystem === 'fat' && unit % 512 !== 0)) {
    throw new BelayError('USAGE', `block size ${unit} is not possible${filesystem === 'fat' ? ' for FAT (a multiple of 512 bytes)' : ''}`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
