/**
 * Buffers the bytes a Transport delivers and lets the protocol wait for what
 * it expects: a marker, a count of bytes, or "anything". Every wait has a
 * silence timeout, may have a wall-clock deadline (a board that keeps talking
 * must not keep a wait alive for ever) and honours an AbortSignal; a link
 * that closes fails every wait at once with LINK_LOST instead of leaving it
 * hanging.
 *
 * Received bytes wait in one buffer that grows by doubling and is reused
 * once read, so taking in a chunk costs its own length however much is
 * waiting (a download whose writer lags keeps a backlog; copying that whole
 * backlog for every chunk made memory and time grow with its square).
 */
import { BelayError, abortError } from '../errors.js';
import type { Transport } from '../transport/types.js';

/**
 * The protocol's clock: milliseconds from a monotonic source, for silence
 * timeouts and wall-clock deadlines (raw-repl.ts sets them, this file checks
 * them). process.hrtime rather than performance.now(): the `performance`
 * global loads perf_hooks and seven more internal modules on first use, a
 * cost every short command paid.
 */
export function now(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}

interface Waiter {
  check(): boolean;
  fail(error: BelayError): void;
  /** Board activity restarts the timeout: it measures silence, not total time. */
  restartTimer(): void;
}

export interface WaitOptions {
  /** How long the board may stay silent (Infinity: wait for ever). */
  timeoutMs: number;
  /** now() after which the wait fails however much the board says. */
  deadline?: number;
  signal?: AbortSignal;
  /** Named in the timeout error: what we were waiting for. */
  what: string;
}

/** The smallest buffer allocated for received bytes. */
const MIN_CAPACITY = 4096;
/** A buffer larger than this is let go once empty (a burst's backlog is not kept for the rest of the session). */
const KEEP_CAPACITY = 64 * 1024;

export class ByteReader {
  /** Received bytes not yet read: data[start, end). */
  private data: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private waiter: Waiter | undefined;
  private closedWith: BelayError | undefined;
  private readonly unsubscribe: Array<() => void>;
  /** For --debug: sees every chunk received. */
  onReceive?: (chunk: Uint8Array) => void;

  constructor(private readonly transport: Transport) {
    this.unsubscribe = [
      transport.onData((chunk) => {
        this.onReceive?.(chunk);
        this.append(chunk);
        this.poke();
      }),
      transport.onClose((error) => {
        this.closedWith = error ?? new BelayError('LINK_LOST', `${transport.description} closed`);
        this.waiter?.fail(this.closedWith);
      }),
    ];
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
  }

  get buffered(): number {
    return this.end - this.start;
  }

  /** The bytes waiting, as a view that is valid until the next append or unread (copy what is kept). */
  private get buffer(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  /** Marks `count` waiting bytes as read. */
  private consume(count: number): void {
    this.start += count;
    if (this.start < this.end) return;
    this.start = this.end = 0;
    if (this.data.length > KEEP_CAPACITY) this.data = Buffer.alloc(0);
  }

  private append(chunk: Uint8Array): void {
    const waiting = this.end - this.start;
    if (this.end + chunk.length > this.data.length) {
      if (waiting + chunk.length <= this.data.length / 2) this.data.copyWithin(0, this.start, this.end);
      else {
        const grown = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * (waiting + chunk.length)));
        this.data.copy(grown, 0, this.start, this.end);
        this.data = grown;
      }
      this.start = 0;
      this.end = waiting;
    }
    this.data.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Takes everything received so far, without waiting (possibly empty). */
  take(): Buffer {
    const taken = this.buffer;
    // The caller owns those bytes now: later ones go to a fresh buffer.
    this.data = Buffer.alloc(0);
    this.start = this.end = 0;
    return taken;
  }

  private poke(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (waiter.check()) this.waiter = undefined;
    else waiter.restartTimer();
  }

  private wait<T>(options: WaitOptions, attempt: () => T | undefined): Promise<T> {
    if (this.waiter) return Promise.reject(new BelayError('INTERNAL', 'two reads at once on one link'));
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      const fail = (error: BelayError) => {
        finish();
        reject(error);
      };
      const onAbort = () => fail(abortError(options.signal!));
      const waiter: Waiter = {
        check: () => {
          const result = attempt();
          if (result === undefined) return false;
          finish();
          resolve(result);
          return true;
        },
        fail,
        restartTimer: () => {
          if (timer) clearTimeout(timer);
          startTimer();
        },
      };
      const startTimer = () => {
        const untilDeadline = options.deadline === undefined ? Infinity : Math.max(0, options.deadline - now());
        const wait = Math.min(options.timeoutMs, untilDeadline);
        if (!Number.isFinite(wait)) return;
        const byDeadline = untilDeadline < options.timeoutMs;
        timer = setTimeout(() => {
          fail(
            new BelayError('TIMEOUT', `the board did not answer in time (waiting for ${options.what})`, {
              hint: 'check the board is running MicroPython and not busy; try `belay reset`',
              data: { waitingFor: options.what, timeoutMs: options.timeoutMs, received: this.buffered, deadline: byDeadline },
            }),
          );
        }, wait);
      };
      if (options.signal?.aborted) return fail(abortError(options.signal));
      if (waiter.check()) return;
      if (this.closedWith) return fail(this.closedWith);
      this.waiter = waiter;
      options.signal?.addEventListener('abort', onAbort, { once: true });
      startTimer();
    });
  }

  /** Resolves with the bytes before `marker` (the marker itself is consumed). */
  readUntil(marker: Uint8Array | string, options: WaitOptions): Promise<Buffer> {
    const needle = typeof marker === 'string' ? Buffer.from(marker, 'latin1') : Buffer.from(marker);
    return this.wait(options, () => {
      const at = this.buffer.indexOf(needle);
      if (at < 0) return undefined;
      const before = Buffer.from(this.buffer.subarray(0, at));
      this.consume(at + needle.length);
      return before;
    });
  }

  /**
   * Waits for `marker` and drops everything before it as it arrives, so a
   * board that talks without end costs no memory while we look for it.
   */
  async skipUntil(marker: string, options: WaitOptions): Promise<void> {
    const needle = Buffer.from(marker, 'latin1');
    await this.wait(options, () => {
      const at = this.buffer.indexOf(needle);
      if (at < 0) {
        // Keep only what could be the start of the marker.
        this.consume(Math.max(0, this.buffered - (needle.length - 1)));
        return undefined;
      }
      this.consume(at + needle.length);
      return true as const;
    });
  }

  /**
   * Like readUntil, but hands over bytes as they arrive (for streaming
   * output), keeping back only what could be the start of the marker.
   */
  async streamUntil(marker: number, onChunk: (chunk: Buffer) => void, options: WaitOptions): Promise<void> {
    await this.wait(options, () => {
      const at = this.buffer.indexOf(marker);
      const end = at < 0 ? this.buffered : at;
      if (end > 0) {
        const chunk = Buffer.from(this.buffer.subarray(0, end));
        this.consume(end);
        onChunk(chunk);
      }
      if (at < 0) return undefined;
      this.consume(1);
      return true as const;
    });
  }

  /** Exactly `count` bytes. */
  readExactly(count: number, options: WaitOptions): Promise<Buffer> {
    return this.wait(options, () => {
      if (this.buffered < count) return undefined;
      const out = Buffer.from(this.buffer.subarray(0, count));
      this.consume(count);
      return out;
    });
  }

  /** Puts bytes back in front of the buffer (a reader that took one byte too many). */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (bytes.length <= this.start) {
      this.start -= bytes.length;
      this.data.set(bytes, this.start);
      return;
    }
    const waiting = this.buffer;
    const data = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * (bytes.length + waiting.length)));
    data.set(bytes, 0);
    data.set(waiting, bytes.length);
    this.data = data;
    this.start = 0;
    this.end = bytes.length + waiting.length;
  }
}
