/**
 * The emulated board's serial output: collects bytes from the interpreter and
 * hands them to the host in chunks, as soon as a line ends.
 */
import type { WorkerMessage } from './options.js';

export class Output {
  private buffer = new Uint8Array(16384);
  private length = 0;
  /** Bytes of a fixed prefix still to be swallowed (the raw REPL's "OK" after raw-paste). */
  private swallow: number[] = [];
  /** While muted, output is discarded (interpreter restarts print their own banner). */
  muted = false;

  constructor(private readonly post: (message: WorkerMessage) => void) {}

  byte(value: number): void {
    if (this.muted) return;
    if (this.swallow.length > 0) {
      if (value === this.swallow[0]) {
        this.swallow.shift();
        return;
      }
      this.swallow = [];
    }
    this.buffer[this.length++] = value;
    // Lines go out as they end: the program may compute for a long time after
    // printing, and the worker runs no JavaScript meanwhile to flush later.
    if (value === 0x0a || this.length === this.buffer.length) this.flush();
  }

  text(value: string): void {
    for (const byte of Buffer.from(value, 'utf8')) this.byte(byte);
  }

  swallowNext(prefix: string): void {
    this.swallow = [...Buffer.from(prefix, 'latin1')];
  }

  flush(): void {
    if (this.length === 0) return;
    this.post({ type: 'output', bytes: this.buffer.slice(0, this.length) });
    this.length = 0;
  }
}
