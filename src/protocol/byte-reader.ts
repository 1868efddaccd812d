/**
 * Buffers the bytes a Transport delivers and lets the protocol wait for what
 * it expects: a marker, a count of bytes, or "anything". Every wait has a
 * silence timeout, may have a wall-clock deadline (a board that keeps talking
 * must not keep a wait alive for ever) and honours an AbortSignal; a link
 * that closes fails every wait at once with LINK_LOST instead of leaving it
 * hanging.
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

export class ByteReader {
  private buffer = Buffer.alloc(0);
  private waiter: Waiter | undefined;
  private closedWith: BelayError | undefined;
  private readonly unsubscribe: Array<() => void>;
  /** For --debug: sees every chunk received. */
  onReceive?: (chunk: Uint8Array) => void;

  constructor(private readonly transport: Transport) {
    this.unsubscribe = [
      transport.onData((chunk) => {
        this.onReceive?.(chunk);
        this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
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
    return this.buffer.length;
  }

  /** Takes everything received so far, without waiting (possibly empty). */
  take(): Buffer {
    const old = this.buffer;
    this.buffer = Buffer.alloc(0);
    return old;
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
              data: { waitingFor: options.what, timeoutMs: options.timeoutMs, received: this.buffer.length, deadline: byDeadline },
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
      const before = this.buffer.subarray(0, at);
      this.buffer = this.buffer.subarray(at + needle.length);
      return Buffer.from(before);
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
        const keep = Math.min(this.buffer.length, needle.length - 1);
        if (this.buffer.length > keep) this.buffer = Buffer.from(this.buffer.subarray(this.buffer.length - keep));
        return undefined;
      }
      this.buffer = this.buffer.subarray(at + needle.length);
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
      const end = at < 0 ? this.buffer.length : at;
      if (end > 0) {
        onChunk(Buffer.from(this.buffer.subarray(0, end)));
        this.buffer = this.buffer.subarray(end);
      }
      if (at < 0) return undefined;
      this.buffer = this.buffer.subarray(1);
      return true as const;
    });
  }

  /** Exactly `count` bytes. */
  readExactly(count: number, options: WaitOptions): Promise<Buffer> {
    return this.wait(options, () => {
      if (this.buffer.length < count) return undefined;
      const out = Buffer.from(this.buffer.subarray(0, count));
      this.buffer = this.buffer.subarray(count);
      return out;
    });
  }

  /** Puts bytes back in front of the buffer (a reader that took one byte too many). */
  unread(bytes: Uint8Array): void {
    if (bytes.length > 0) this.buffer = Buffer.concat([Buffer.from(bytes), this.buffer]);
  }
}
