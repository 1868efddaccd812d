/**
 * The transport layer moves bytes and nothing else. A Transport is one open
 * link to one board: bytes out with write(), bytes in through onData, and a
 * close event when the link ends (on purpose or because the board vanished).
 */
import type { BelayError } from '../errors.js';

export interface Transport {
  /** Human-readable name of the link (a device path, `emulator:NAME`). */
  readonly description: string;
  readonly closed: boolean;
  /** Bytes moved so far, both ways: the one place wire bytes are counted. */
  readonly wire: WireCount;
  write(data: Uint8Array): Promise<void>;
  /** Subscribes to incoming bytes; returns an unsubscribe function. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called once when the link ends; `error` is set when it ended unexpectedly. */
  onClose(listener: (error?: BelayError) => void): () => void;
  close(): Promise<void>;
}

/** A small listener set shared by transports for their data and close events. */
export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}

/** Running byte counts of one link; a transfer's cost is the difference across it. */
export class WireCount {
  sent = 0;
  received = 0;

  get total(): number {
    return this.sent + this.received;
  }
}
