/**
 * Paces a byte stream at a UART's speed (10 bits per byte on the wire), so an
 * emulated link at 115200 baud moves 11,520 bytes a second like a real one.
 * Without a rate it delivers at once.
 */

interface Pending {
  bytes: Uint8Array;
  done: () => void;
}

export class Pacer {
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private credit = 0;

  constructor(
    private readonly bytesPerSecond: number | undefined,
    private readonly deliver: (bytes: Uint8Array) => void,
  ) {}

  static forBaud(baud: number | undefined, deliver: (bytes: Uint8Array) => void): Pacer {
    return new Pacer(baud === undefined ? undefined : baud / 10, deliver);
  }

  /** Resolves when the bytes have been delivered. */
  send(bytes: Uint8Array): Promise<void> {
    if (this.bytesPerSecond === undefined) {
      this.deliver(bytes);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.queue.push({ bytes, done: resolve });
      if (!this.timer) {
        // An idle line sends the first byte at once (a byte's time, 87 us at
        // 115200, is far below a timer's resolution); only what follows it
        // waits for the line.
        const now = performance.now();
        this.credit = Math.min(1, this.credit + ((now - this.last) / 1000) * this.bytesPerSecond!);
        this.last = now;
        this.tick();
      }
    });
  }

  /** Bytes sent but not yet delivered (waiting for the line). */
  get queued(): number {
    let bytes = 0;
    for (const item of this.queue) bytes += item.bytes.length;
    return bytes;
  }

  /** Drops whatever is still queued (the link is gone). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const item of this.queue.splice(0)) item.done();
  }

  private tick(): void {
    const now = performance.now();
    this.credit += ((now - this.last) / 1000) * this.bytesPerSecond!;
    this.last = now;
    while (this.queue.length > 0 && this.credit >= 1) {
      const head = this.queue[0];
      const take = Math.min(head.bytes.length, Math.floor(this.credit));
      this.deliver(head.bytes.subarray(0, take));
      this.credit -= take;
      if (take === head.bytes.length) {
        this.queue.shift();
        head.done();
      } else {
        head.bytes = head.bytes.subarray(take);
      }
    }
    if (this.queue.length === 0) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.tick(), 1);
  }
}
