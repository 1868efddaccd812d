/**
 * The raw REPL conversation with a MicroPython board.
 *
 *   \r\x03 (twice)      interrupt whatever runs, without resetting the board
 *   \r\x01              enter raw mode: "raw REPL; CTRL-B to exit\r\n>"
 *   code \x04           run it: "OK" stdout \x04 stderr \x04 ">"
 *   \x05A\x01           raw-paste: "R\x01" + u16 window (flow-controlled input),
 *                       "R\x00" (refused) or no such answer (old firmware)
 *   \x04 at empty line  soft reset (boot.py runs, main.py does not)
 *   \x02 then \x04      soft reset from the friendly REPL (boot.py, then main.py)
 *   \x02                back to the friendly REPL
 *
 * Every wait has a timeout; an aborted exec interrupts the board and waits for
 * the raw prompt, so the board is left idle and ready for the next command.
 */
import { BelayError, abortError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import { ByteReader } from './byte-reader.js';
import { boardException } from './board-exception.js';

const CTRL_A = 0x01;
const CTRL_D = 0x04;
const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n';
/** Without raw-paste, hosts send at most this much per pause (boards have small buffers). */
const PLAIN_CHUNK = 256;
const PLAIN_PAUSE_MS = 10;
/** A healthy board shows the raw REPL banner at once; past this, try to unstick it. */
const FIRST_BANNER_WAIT_MS = 2000;
/** More than any frame a stdin-reading program of ours waits for (2047 + header). */
const UNSTICK_BYTES = 4096;

export interface RawReplOptions {
  /** Longest silence tolerated from the board, in ms (default 10 s). */
  timeoutMs?: number;
  /** Try raw-paste first (default true); false forces the plain raw REPL. */
  rawPaste?: boolean;
  /** Sees the conversation, for --debug. */
  log?: (direction: 'send' | 'receive', bytes: Uint8Array) => void;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Silence allowed while the code runs (default: the session's timeout; Infinity for ever). */
  timeoutMs?: number;
  /** Receives stdout as it arrives (for streaming); the result still holds all of it unless `discardStdout`. */
  onStdout?: (chunk: Buffer) => void;
  discardStdout?: boolean;
  /** Platform used to name errno values in exceptions. */
  platform?: string;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: string;
}

/**
 * The link while interactive code runs (see RawRepl.execInteractive): the
 * caller speaks its own framed protocol with the program, byte for byte.
 */
export interface InteractiveIo {
  /** Sends bytes to the running program (its sys.stdin). */
  write(bytes: Uint8Array): Promise<void>;
  /** Exactly `count` bytes from the program's stdout. */
  read(count: number, what: string): Promise<Buffer>;
  /** Whatever has arrived so far, without waiting (possibly empty). */
  take(): Buffer;
  /** Puts bytes back in front of the received stream (e.g. the \x04 that ends stdout). */
  unread(bytes: Uint8Array): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RawRepl {
  private readonly reader: ByteReader;
  private readonly timeoutMs: number;
  private inRaw = false;
  /** undefined until the first exec finds out. */
  private rawPaste: boolean | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly options: RawReplOptions = {},
  ) {
    this.reader = new ByteReader(transport);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (options.rawPaste === false) this.rawPaste = false;
    if (options.log) this.reader.onReceive = (chunk) => options.log!('receive', chunk);
  }

  /** Whether the board accepted raw-paste (undefined before the first exec). */
  get supportsRawPaste(): boolean | undefined {
    return this.rawPaste;
  }

  get isRaw(): boolean {
    return this.inRaw;
  }

  dispose(): void {
    this.reader.dispose();
  }

  private async send(bytes: Uint8Array | string): Promise<void> {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.options.log?.('send', data);
    await this.transport.write(data);
  }

  private wait(what: string, signal?: AbortSignal, timeoutMs = this.timeoutMs) {
    return { what, signal, timeoutMs };
  }

  /** Stops a running program (Ctrl-C twice) and enters raw mode. */
  async enter(signal?: AbortSignal): Promise<void> {
    try {
      await this.tryEnter(signal, Math.min(this.timeoutMs, FIRST_BANNER_WAIT_MS));
    } catch (err) {
      if (!(err instanceof BelayError && err.code === 'TIMEOUT')) throw err;
      // A program with Ctrl-C disabled may be blocked reading stdin: typically
      // the receiver of a host that died mid-transfer. Enough Ctrl-C bytes
      // complete whatever it reads; it then sees a byte that is not its
      // protocol and stops, and the rest interrupt as usual.
      for (let sent = 0; sent < UNSTICK_BYTES; sent += PLAIN_CHUNK) {
        await this.send(Buffer.alloc(PLAIN_CHUNK, 0x03));
        await sleep(PLAIN_PAUSE_MS);
      }
      try {
        await this.tryEnter(signal, this.timeoutMs);
      } catch (again) {
        if (again instanceof BelayError && again.code === 'TIMEOUT') {
          throw new BelayError('NOT_RAW_REPL', `${this.transport.description} did not enter the raw REPL`, {
            hint: 'is it running MicroPython? A program that disabled Ctrl-C (micropython.kbd_intr(-1)) needs `belay reset --hard` or a power cycle',
            cause: again,
          });
        }
        throw again;
      }
    }
    this.inRaw = true;
  }

  private async tryEnter(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    await this.send('\r\x03');
    await sleep(50);
    await this.send('\x03');
    await sleep(50);
    this.reader.take(); // whatever the board said before: not ours
    await this.send('\r\x01');
    await this.reader.readUntil(RAW_BANNER, this.wait('the raw REPL banner', signal, timeoutMs));
    await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal));
  }

  /** Runs code and returns its stdout; a board-side exception becomes BOARD_EXCEPTION. */
  async exec(code: string | Uint8Array, options: ExecOptions = {}): Promise<ExecResult> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    if (!this.inRaw) await this.enter(signal);
    const source = typeof code === 'string' ? Buffer.from(code, 'utf8') : code;
    await this.sendCode(source, signal);
    return this.follow(options);
  }

  /**
   * Runs code that talks with the host while it runs: once the code is
   * sent, `body` owns the link (writes to the program's stdin, reads its
   * framed stdout). When `body` returns, whatever stdout is left, stderr
   * and the prompt are read as usual; a board exception still throws
   * BOARD_EXCEPTION. If `body` throws, the board is interrupted and the raw
   * prompt recovered before the error is passed on (a program that disabled
   * Ctrl-C must be ended in-band by `body` itself).
   */
  async execInteractive<T>(code: string | Uint8Array, body: (io: InteractiveIo) => Promise<T>, options: ExecOptions = {}): Promise<{ value: T } & ExecResult> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    if (!this.inRaw) await this.enter(signal);
    const source = typeof code === 'string' ? Buffer.from(code, 'utf8') : code;
    await this.sendCode(source, signal);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const io: InteractiveIo = {
      write: (bytes) => this.send(bytes),
      read: (count, what) => this.reader.readExactly(count, this.wait(what, undefined, timeoutMs)),
      take: () => this.reader.take(),
      unread: (bytes) => this.reader.unread(bytes),
    };
    let value: T;
    try {
      value = await body(io);
    } catch (err) {
      if (!(err instanceof BelayError && err.code === 'LINK_LOST')) await this.recoverFromAbort();
      throw err;
    }
    const result = await this.follow({ ...options, signal: undefined });
    return { value, ...result };
  }

  private async sendCode(source: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.rawPaste !== false) {
      await this.send('\x05A\x01');
      const answer = await this.reader.readExactly(2, this.wait('the raw-paste answer', signal, Math.min(this.timeoutMs, 2000))).catch((err: unknown) => {
        if (err instanceof BelayError && err.code === 'TIMEOUT') return undefined;
        throw err;
      });
      if (answer?.equals(Buffer.from('R\x01', 'latin1'))) {
        this.rawPaste = true;
        await this.sendRawPaste(source, signal);
        return;
      }
      this.rawPaste = false;
      if (answer === undefined) {
        // No answer at all: clear whatever the board made of those bytes and start over.
        await this.enter(signal);
      } else if (!answer.equals(Buffer.from('R\x00', 'latin1'))) {
        // Old firmware: Ctrl-E was ignored and Ctrl-A re-entered raw mode.
        await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal));
      }
    }
    await this.sendPlain(source, signal);
  }

  private async sendRawPaste(source: Uint8Array, signal?: AbortSignal): Promise<void> {
    const header = await this.reader.readExactly(2, this.wait('the raw-paste window', signal));
    const increment = header.readUInt16LE(0);
    if (increment === 0) throw new BelayError('PROTOCOL', 'the board announced a raw-paste window of 0 bytes');
    let credit = increment;
    let offset = 0;
    // The board ends a paste early when compiling fails as the code arrives
    // (a MemoryError on a small heap, a syntax error): the host acknowledges
    // with \x04 and the error follows as the program's output.
    const endedEarly = async () => {
      const rest = this.reader.take();
      const at = rest.indexOf(CTRL_D);
      if (at >= 0 && at + 1 < rest.length) this.reader.unread(rest.subarray(at + 1));
      await this.send(Uint8Array.of(CTRL_D));
    };
    while (offset < source.length) {
      // Collect the credit the board has granted so far (or must grant before we go on).
      // During a paste the board sends nothing but flow-control bytes.
      const granted = this.reader.take();
      const end = granted.indexOf(CTRL_D);
      for (const byte of end >= 0 ? granted.subarray(0, end) : granted) if (byte === CTRL_A) credit += increment;
      if (end >= 0) {
        this.reader.unread(granted.subarray(end));
        return endedEarly();
      }
      if (credit === 0) {
        const grant = await this.reader.readExactly(1, this.wait('raw-paste flow control', signal));
        if (grant[0] === CTRL_A) credit += increment;
        else if (grant[0] === CTRL_D) {
          this.reader.unread(grant);
          return endedEarly();
        }
        continue;
      }
      if (signal?.aborted) {
        await this.send(Uint8Array.of(CTRL_D)); // end the paste cleanly; the board then compiles what it has
        throw abortError(signal);
      }
      const take = Math.min(credit, source.length - offset);
      await this.send(source.subarray(offset, offset + take));
      offset += take;
      credit -= take;
    }
    await this.send(Uint8Array.of(CTRL_D));
    // The board acknowledges the end with \x04 (credit bytes may come first).
    await this.reader.readUntil(Uint8Array.of(CTRL_D), this.wait('the end of raw-paste', signal));
  }

  private async sendPlain(source: Uint8Array, signal?: AbortSignal): Promise<void> {
    for (let offset = 0; offset < source.length; offset += PLAIN_CHUNK) {
      if (signal?.aborted) {
        await this.send('\x03'); // drop the partial line
        throw abortError(signal);
      }
      await this.send(source.subarray(offset, offset + PLAIN_CHUNK));
      if (offset + PLAIN_CHUNK < source.length) await sleep(PLAIN_PAUSE_MS);
    }
    await this.send(Uint8Array.of(CTRL_D));
    const ok = await this.reader.readExactly(2, this.wait('"OK" after the code', signal));
    if (ok.toString('latin1') !== 'OK') {
      throw new BelayError('PROTOCOL', `the board answered ${JSON.stringify(ok.toString('latin1'))} instead of "OK"`);
    }
  }

  /** Reads stdout \x04 stderr \x04 > ; on abort interrupts the board and still reads to the prompt. */
  private async follow(options: ExecOptions): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const chunks: Buffer[] = [];
    const onChunk = (chunk: Buffer) => {
      options.onStdout?.(chunk);
      if (!options.discardStdout) chunks.push(chunk);
    };
    const readAll = async (signal?: AbortSignal) => {
      await this.reader.streamUntil(CTRL_D, onChunk, this.wait('the program output', signal, timeoutMs));
      const stderr = await this.reader.readUntil(Uint8Array.of(CTRL_D), this.wait('the error output', signal));
      await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal));
      return stderr.toString('utf8');
    };
    let stderr: string;
    try {
      stderr = await readAll(options.signal);
    } catch (err) {
      // Aborted, or silent for too long: the program may still run. Stop it,
      // so the session is back at an idle prompt for whatever comes next.
      if (!(err instanceof BelayError) || (err.code !== 'ABORTED' && err.code !== 'TIMEOUT')) throw err;
      await this.recoverFromAbort();
      throw err;
    }
    if (stderr.length > 0) throw boardException(stderr, options.platform);
    return { stdout: Buffer.concat(chunks), stderr };
  }

  /** After Ctrl-C from the user: stop the program and get back to an idle raw prompt. */
  private async recoverFromAbort(): Promise<void> {
    this.inRaw = false;
    try {
      await this.enter();
    } catch {
      // The link may be gone; the caller reports the abort either way.
    }
  }

  /** Soft reset in raw mode: the board restarts its interpreter and runs boot.py. */
  async softReset(signal?: AbortSignal): Promise<string> {
    if (!this.inRaw) await this.enter(signal);
    await this.send(Uint8Array.of(CTRL_D));
    await this.reader.readUntil('soft reboot\r\n', this.wait('the soft reboot', signal));
    const bootOutput = await this.reader.readUntil(RAW_BANNER, this.wait('the raw REPL after reboot', signal));
    await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal));
    this.rawPaste = this.options.rawPaste === false ? false : undefined;
    return bootOutput.toString('utf8');
  }

  /** Starts code and does not wait for it (machine.reset(), a program left running). */
  async execNoFollow(code: string, signal?: AbortSignal): Promise<void> {
    if (!this.inRaw) await this.enter(signal);
    await this.sendPlain(Buffer.from(code, 'utf8'), signal);
    this.inRaw = false;
  }

  /**
   * Soft reset from the friendly REPL, so the board starts its program as it
   * does after power-on: boot.py, then main.py (a soft reset in raw mode runs
   * boot.py only). Returns once the board says it is rebooting; what main.py
   * then does is not waited for, and the session is no longer in raw mode.
   */
  async rebootFriendly(signal?: AbortSignal): Promise<void> {
    if (!this.inRaw) await this.enter(signal);
    await this.send('\r\x02');
    this.inRaw = false;
    await this.send(Uint8Array.of(CTRL_D));
    await this.reader.readUntil('soft reboot', this.wait('the soft reboot', signal));
  }

  /** Back to the friendly REPL, as a user's terminal expects to find the board. */
  async leave(): Promise<void> {
    if (!this.inRaw || this.transport.closed) return;
    await this.send('\r\x02');
    this.inRaw = false;
  }
}
