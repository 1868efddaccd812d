/**
 * The raw REPL conversation with a MicroPython board.
 *
 *   \r\x03\x03          interrupt whatever runs, without resetting the board
 *   \r\x01              enter raw mode: "raw REPL; CTRL-B to exit\r\n>"
 *   code \x04           run it: "OK" stdout \x04 stderr \x04 ">" (short code)
 *   \x05A\x01           raw-paste (longer code): "R\x01" + u16 window (flow-controlled input),
 *                       "R\x00" (refused) or no such answer (old firmware);
 *                       \x04 ends the code, \x03 abandons it (nothing runs)
 *   \x04 at empty line  soft reset (boot.py runs, main.py does not)
 *   \x02 then \x04      soft reset from the friendly REPL (boot.py, then main.py)
 *   \x02                back to the friendly REPL
 *
 * Nothing here sleeps to let the board settle: every step reads until the
 * answer it expects. Every wait has a silence timeout and, where a talkative
 * board could keep it alive for ever, a wall-clock deadline: entering the
 * raw REPL gives up with NOT_RAW_REPL within the session timeout whatever
 * the board prints.
 *
 * An aborted or timed-out call rejects at once. The board is then
 * interrupted and the session resynchronised in the background (back at an
 * idle raw prompt, every stale byte consumed); the next call waits for that.
 */
import { BelayError, abortError, isBelayError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import { ByteReader, now, type WaitOptions } from './byte-reader.js';
import { boardException } from './board-exception.js';

/**
 * The one default timeout of belay, in ms, for the library and the CLI alike:
 * the longest a board may stay silent while belay waits for it, and the
 * longest connecting (reaching the raw REPL prompt) may take.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

const CTRL_A = 0x01;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n';
/** Without raw-paste, hosts send at most this much per pause (boards have small buffers). */
const PLAIN_CHUNK = 256;
const PLAIN_PAUSE_MS = 10;
/**
 * Code this short goes in plain raw mode, without raw-paste's handshake:
 * it fits any board's receive buffer (256 bytes on the smallest UARTs)
 * whole, so it needs no flow control, and it saves a round trip (most
 * calls are one line: a helper call, `pass`).
 */
const SHORT_CODE = 192;
/** A healthy board shows the raw REPL banner at once; past this, try to unstick it. */
const FIRST_BANNER_WAIT_MS = 2000;
/** More than any frame a stdin-reading program of ours waits for (2047 + header). */
const UNSTICK_BYTES = 4096;

export interface RawReplOptions {
  /** Longest silence tolerated from the board, and longest connect, in ms (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Try raw-paste first (default true); false forces the plain raw REPL. */
  rawPaste?: boolean;
  /** Sees the conversation, for --debug. */
  log?: (direction: 'send' | 'receive', bytes: Uint8Array) => void;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /**
   * Wall-clock limit for the program, in ms: past it the program is
   * interrupted and the call rejects with TIMEOUT (Infinity: no limit).
   * Without it the program may run as long as it keeps printing, or stays
   * silent no longer than the session's timeout.
   */
  timeoutMs?: number;
  /** Receives stdout as it arrives (for streaming); the result still holds all of it unless `discardStdout`. */
  onStdout?: (chunk: Buffer) => void;
  discardStdout?: boolean;
  /** Platform used to name errno values in exceptions. */
  platform?: string;
  /** Device.exec: give stdout as bytes (a Buffer) instead of text. */
  bytes?: boolean;
}

/** What a program printed, as text (UTF-8). */
export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** What a program printed, stdout as the bytes the board sent (`exec(code, { bytes: true })`). */
export interface ExecBytesResult {
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
  /**
   * Exactly `count` bytes from the program's stdout. With `signal`, an abort
   * rejects the wait (and, as any failure of the body, interrupts the
   * program): only for a phase where the program has Ctrl-C enabled.
   */
  read(count: number, what: string, signal?: AbortSignal): Promise<Buffer>;
  /** Whatever has arrived so far, without waiting (possibly empty). */
  take(): Buffer;
  /** Puts bytes back in front of the received stream (e.g. the \x04 that ends stdout). */
  unread(bytes: Uint8Array): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors after which the board may still be running or mid-frame (the link itself is fine). */
function needsRecovery(err: unknown): boolean {
  return !(err instanceof BelayError) || (err.code !== 'LINK_LOST' && err.code !== 'BOARD_EXCEPTION');
}

export class RawRepl {
  private readonly reader: ByteReader;
  private readonly timeoutMs: number;
  private inRaw = false;
  /** undefined until the first exec finds out. */
  private rawPaste: boolean | undefined;
  /** True when bytes we sent may still be answered (an abandoned attempt): resynchronise before trusting the stream. */
  private unsettled = false;
  /** Set while the board is being brought back after an abort; every call waits for it. */
  private recovery: Promise<void> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly options: RawReplOptions = {},
  ) {
    this.reader = new ByteReader(transport);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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

  private wait(what: string, signal?: AbortSignal, timeoutMs = this.timeoutMs, deadline?: number): WaitOptions {
    return { what, signal, timeoutMs, deadline };
  }

  /* ------------------------------------------------------------ session */

  /**
   * Stops a running program (Ctrl-C) and enters raw mode; NOT_RAW_REPL
   * within the session timeout otherwise. `meanwhile` runs once the bytes
   * that ask for the raw REPL are on their way: work that can use the time
   * the board takes to answer (its banner crosses a slow link in ~5 ms).
   */
  async enter(signal?: AbortSignal, meanwhile?: () => void): Promise<void> {
    await this.settled(signal);
    await this.enterRaw(signal, meanwhile);
  }

  /** Waits for a background recovery (after an abort), then makes sure the board is at the raw prompt. */
  private async ready(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    await this.settled(signal);
    if (!this.inRaw) await this.enterRaw(signal);
  }

  /** Resolves once no recovery is running (a recovery never rejects). */
  async settled(signal?: AbortSignal): Promise<void> {
    while (this.recovery) {
      const pending = this.recovery;
      if (!signal) {
        await pending;
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(abortError(signal));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        void pending.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  private async enterRaw(signal?: AbortSignal, meanwhile?: () => void): Promise<void> {
    this.inRaw = false;
    const deadline = now() + this.timeoutMs;
    try {
      await this.tryEnter(signal, Math.min(deadline, now() + FIRST_BANNER_WAIT_MS), meanwhile);
    } catch (err) {
      this.unsettled = true; // that Ctrl-A may still be answered, later
      if (!isBelayError(err, 'TIMEOUT')) throw err;
      // A program with Ctrl-C disabled may be blocked reading stdin: typically
      // the receiver of a host that died mid-transfer. Enough Ctrl-C bytes
      // complete whatever it reads; it then sees a byte that is not its
      // protocol and stops, and the rest interrupt as usual.
      for (let sent = 0; sent < UNSTICK_BYTES && now() < deadline; sent += PLAIN_CHUNK) {
        await this.send(Buffer.alloc(PLAIN_CHUNK, CTRL_C));
        await sleep(PLAIN_PAUSE_MS);
      }
      try {
        await this.tryEnter(signal, deadline);
      } catch (again) {
        if (isBelayError(again, 'TIMEOUT')) throw this.notRawRepl(again);
        throw again;
      }
    }
    // An earlier Ctrl-A may be answered after the one we just matched: a
    // second banner would then pass for the answer to our next request.
    if (this.unsettled) await this.resynchronise(signal);
    this.inRaw = true;
  }

  private notRawRepl(cause: BelayError): BelayError {
    const emulated = this.transport.description.startsWith('emulator');
    return new BelayError('NOT_RAW_REPL', `${this.transport.description} did not reach the raw REPL within ${Math.round(this.timeoutMs / 1000)} s`, {
      hint: emulated
        ? 'a program on the emulated board may have disabled Ctrl-C (micropython.kbd_intr(-1)): fix or remove its boot.py/main.py in its flash folder (`belay emulator path` prints it)'
        : 'is it running MicroPython? A program that disabled Ctrl-C (micropython.kbd_intr(-1)) or hangs cannot be interrupted: press the board\'s reset button, or unplug it and plug it in again, then retry',
      data: { port: this.transport.description, timeoutMs: this.timeoutMs },
      cause,
    });
  }

  private async tryEnter(signal: AbortSignal | undefined, deadline: number, meanwhile?: () => void): Promise<void> {
    // Ctrl-C twice: a program may catch the first KeyboardInterrupt. The \r
    // before Ctrl-A ends any half-typed line at the friendly prompt.
    await this.send('\r\x03\x03');
    this.reader.take(); // whatever the board said before: not ours
    await this.send('\r\x01');
    meanwhile?.();
    await this.reader.skipUntil(`${RAW_BANNER}>`, this.wait('the raw REPL prompt', signal, this.timeoutMs, deadline));
  }

  /**
   * After an abort: the board may still run the program, sit mid-paste or
   * owe us output. Interrupt it, re-enter raw mode and consume everything up
   * to a fresh marker, so no stale byte is mistaken for the next answer.
   * Runs in the background; never rejects (a board that does not come back
   * leaves the session outside raw mode, and the next call tries again).
   */
  private startRecovery(): void {
    this.unsettled = true;
    this.inRaw = false;
    if (this.recovery || this.transport.closed) return;
    const recovery: Promise<void> = (async () => {
      try {
        await this.enterRaw();
      } catch {
        this.inRaw = false;
      }
    })().finally(() => {
      if (this.recovery === recovery) this.recovery = undefined;
    });
    this.recovery = recovery;
  }

  private async resynchronise(signal?: AbortSignal): Promise<void> {
    const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    // The code does not contain the marker it prints, so only the output can match.
    await this.send(`print('belay-sync-' + '${nonce}')\x04`);
    const deadline = now() + this.timeoutMs;
    await this.reader.skipUntil(`belay-sync-${nonce}`, this.wait('the resynchronisation marker', signal, this.timeoutMs, deadline));
    await this.reader.readUntil(Uint8Array.of(CTRL_D), this.wait('the end of the marker', signal, this.timeoutMs, deadline));
    await this.reader.readUntil(Uint8Array.of(CTRL_D), this.wait('the error output', signal, this.timeoutMs, deadline));
    await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal, this.timeoutMs, deadline));
    this.unsettled = false;
  }

  /* --------------------------------------------------------------- exec */

  /** Runs code and returns its stdout; a board-side exception becomes BOARD_EXCEPTION. */
  async exec(code: string | Uint8Array, options: ExecOptions = {}): Promise<ExecBytesResult> {
    const deadline = options.timeoutMs === undefined ? undefined : now() + options.timeoutMs;
    await this.ready(options.signal);
    try {
      await this.sendCode(toBytes(code), options.signal, deadline);
      return await this.follow(options, deadline);
    } catch (err) {
      if (needsRecovery(err)) this.startRecovery();
      if (isBelayError(err, 'TIMEOUT') && err.data.deadline === true && deadline !== undefined) {
        throw new BelayError('TIMEOUT', `the program did not finish within ${formatSeconds(options.timeoutMs!)}; it was interrupted`, {
          hint: 'allow it more time (--timeout), or none (--timeout 0)',
          data: { timeoutMs: options.timeoutMs, deadline: true },
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * Runs code that talks with the host while it runs: once the code is
   * sent, `body` owns the link (writes to the program's stdin, reads its
   * framed stdout). When `body` returns, whatever stdout is left, stderr
   * and the prompt are read as usual; a board exception still throws
   * BOARD_EXCEPTION. If `body` throws, the board is interrupted and the raw
   * prompt recovered (in the background) before the next call (a program
   * that disabled Ctrl-C must be ended in-band by `body` itself).
   */
  async execInteractive<T>(code: string | Uint8Array, body: (io: InteractiveIo) => Promise<T>, options: ExecOptions = {}): Promise<{ value: T } & ExecBytesResult> {
    const { signal } = options;
    await this.ready(signal);
    try {
      await this.sendCode(toBytes(code), signal);
      const io: InteractiveIo = {
        write: (bytes) => this.send(bytes),
        read: (count, what, signal) => this.reader.readExactly(count, this.wait(what, signal)),
        take: () => this.reader.take(),
        unread: (bytes) => this.reader.unread(bytes),
      };
      const value = await body(io);
      const result = await this.follow({ ...options, signal: undefined, timeoutMs: undefined });
      return { value, ...result };
    } catch (err) {
      if (needsRecovery(err)) this.startRecovery();
      throw err;
    }
  }

  /** Starts code and does not wait for it (machine.reset(), a program left running). */
  async execNoFollow(code: string | Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.ready(signal);
    try {
      await this.sendCode(toBytes(code), signal);
    } catch (err) {
      if (needsRecovery(err)) this.startRecovery();
      throw err;
    }
    // The program owns the board now; the next call interrupts it.
    this.inRaw = false;
  }

  private async sendCode(source: Uint8Array, signal?: AbortSignal, deadline?: number): Promise<void> {
    if (this.rawPaste !== false && source.length > SHORT_CODE) {
      await this.send('\x05A\x01');
      const answer = await this.reader
        .readExactly(2, this.wait('the raw-paste answer', signal, Math.min(this.timeoutMs, 2000), deadline))
        .catch((err: unknown) => {
          if (isBelayError(err, 'TIMEOUT') && err.data.deadline !== true) return undefined;
          throw err;
        });
      if (answer?.equals(Buffer.from('R\x01', 'latin1'))) {
        this.rawPaste = true;
        await this.sendRawPaste(source, signal, deadline);
        return;
      }
      this.rawPaste = false;
      if (answer === undefined) {
        // No answer at all: clear whatever the board made of those bytes and start over.
        await this.enterRaw(signal);
      } else if (!answer.equals(Buffer.from('R\x00', 'latin1'))) {
        // Old firmware: Ctrl-E was ignored and Ctrl-A re-entered raw mode.
        await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal, this.timeoutMs, deadline));
      }
    }
    await this.sendPlain(source, signal, deadline);
  }

  private async sendRawPaste(source: Uint8Array, signal?: AbortSignal, deadline?: number): Promise<void> {
    // The board ends a paste early when compiling fails as the code arrives
    // (a MemoryError on a small heap, a syntax error): the host acknowledges
    // with \x04 and the error follows as the program's output.
    const endedEarly = async () => {
      const rest = this.reader.take();
      const at = rest.indexOf(CTRL_D);
      if (at >= 0 && at + 1 < rest.length) this.reader.unread(rest.subarray(at + 1));
      await this.send(Uint8Array.of(CTRL_D));
    };
    try {
      const header = await this.reader.readExactly(2, this.wait('the raw-paste window', signal, this.timeoutMs, deadline));
      const increment = header.readUInt16LE(0);
      if (increment === 0) throw new BelayError('PROTOCOL', 'the board announced a raw-paste window of 0 bytes');
      let credit = increment;
      let offset = 0;
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
          const grant = await this.reader.readExactly(1, this.wait('raw-paste flow control', signal, this.timeoutMs, deadline));
          if (grant[0] === CTRL_A) credit += increment;
          else if (grant[0] === CTRL_D) {
            this.reader.unread(grant);
            return endedEarly();
          }
          continue;
        }
        if (signal?.aborted) throw abortError(signal);
        const take = Math.min(credit, source.length - offset);
        await this.send(source.subarray(offset, offset + take));
        offset += take;
        credit -= take;
      }
    } catch (err) {
      // Ctrl-C abandons the paste: the board compiles nothing and runs nothing
      // (Ctrl-D would run whatever part of the code had arrived).
      if (needsRecovery(err)) await this.send(Uint8Array.of(CTRL_C)).catch(() => undefined);
      throw err;
    }
    await this.send(Uint8Array.of(CTRL_D));
    // The board acknowledges the end with \x04 (credit bytes may come first).
    await this.reader.readUntil(Uint8Array.of(CTRL_D), this.wait('the end of raw-paste', signal, this.timeoutMs, deadline));
  }

  private async sendPlain(source: Uint8Array, signal?: AbortSignal, deadline?: number): Promise<void> {
    for (let offset = 0; offset < source.length; offset += PLAIN_CHUNK) {
      if (signal?.aborted) {
        await this.send(Uint8Array.of(CTRL_C)); // drop the partial code: nothing runs
        throw abortError(signal);
      }
      await this.send(source.subarray(offset, offset + PLAIN_CHUNK));
      if (offset + PLAIN_CHUNK < source.length) await sleep(PLAIN_PAUSE_MS);
    }
    await this.send(Uint8Array.of(CTRL_D));
    const ok = await this.reader.readExactly(2, this.wait('"OK" after the code', signal, this.timeoutMs, deadline));
    if (ok.toString('latin1') !== 'OK') {
      throw new BelayError('PROTOCOL', `the board answered ${JSON.stringify(ok.toString('latin1'))} instead of "OK"`);
    }
  }

  /** Reads stdout \x04 stderr \x04 > (the caller recovers the session if this fails). */
  private async follow(options: ExecOptions, deadline?: number): Promise<ExecBytesResult> {
    const { signal } = options;
    const chunks: Buffer[] = [];
    const onChunk = (chunk: Buffer) => {
      options.onStdout?.(chunk);
      if (!options.discardStdout) chunks.push(chunk);
    };
    // With a deadline the program may be silent as long as it likes within it.
    const silence = deadline === undefined ? this.timeoutMs : Infinity;
    await this.reader.streamUntil(CTRL_D, onChunk, this.wait('the program output', signal, silence, deadline));
    const stderr = (await this.reader.readUntil(Uint8Array.of(CTRL_D), this.wait('the error output', signal, this.timeoutMs, deadline))).toString('utf8');
    await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal, this.timeoutMs, deadline));
    if (stderr.length > 0) throw boardException(stderr, options.platform);
    return { stdout: Buffer.concat(chunks), stderr };
  }

  /* ------------------------------------------------------------- others */

  /** Soft reset in raw mode: the board restarts its interpreter and runs boot.py. */
  async softReset(signal?: AbortSignal): Promise<string> {
    await this.ready(signal);
    try {
      await this.send(Uint8Array.of(CTRL_D));
      await this.reader.readUntil('soft reboot\r\n', this.wait('the soft reboot', signal));
      const bootOutput = await this.reader.readUntil(RAW_BANNER, this.wait('the raw REPL after reboot', signal));
      await this.reader.readUntil('>', this.wait('the raw REPL prompt', signal));
      this.rawPaste = this.options.rawPaste === false ? false : undefined;
      return bootOutput.toString('utf8');
    } catch (err) {
      if (needsRecovery(err)) this.startRecovery();
      throw err;
    }
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
    await this.settled();
    if (!this.inRaw || this.transport.closed) return;
    await this.send('\r\x02');
    this.inRaw = false;
  }
}

function toBytes(code: string | Uint8Array): Uint8Array {
  return typeof code === 'string' ? Buffer.from(code, 'utf8') : code;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
