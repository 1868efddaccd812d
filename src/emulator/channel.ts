/**
 * The memory shared between the host side of an emulated board and its worker.
 * The host writes received "UART" bytes into a ring buffer; the worker reads
 * them, blocking on Atomics when the ring is empty, so Python code that reads
 * sys.stdin waits exactly like a board does.
 *
 * The board's receive buffer (`rxBuffer` bytes) is a limit on the ring, not
 * its size. While the board runs a program, bytes past that limit are
 * dropped (and counted) as a UART drops them: hosts must use flow control,
 * and tests can prove that they do. While it sits at its prompt, the ring
 * takes more, because a board's REPL keeps up with a host that paces as the
 * raw REPL protocol prescribes, and an emulator starved of CPU by a busy
 * computer must not lose what a board would not.
 */

/** Int32 slots at the start of the control block. */
export const enum Slot {
  /** Total bytes ever written by the host (ring head, monotonic). */
  Head = 0,
  /** Total bytes ever consumed by the board (ring tail, monotonic). */
  Tail = 1,
  /** 1 while the board is running Python code (a Ctrl-C then raises KeyboardInterrupt). */
  Executing = 2,
  /** Set by the host when a keyboard interrupt was delivered during execution. */
  Interrupt = 3,
  /** Bytes dropped because the ring was full. */
  Dropped = 4,
  /** Bumped on every host write: the worker waits on it. */
  Wake = 5,
}
const SLOTS = 8;
/** Bytes the ring holds for a board at its prompt. */
const PROMPT_RING = 64 * 1024;

export interface ChannelBuffers {
  control: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  /** The board's receive buffer: what it holds while a program runs. */
  rxBuffer: number;
}

export function createChannel(rxBuffer: number): ChannelBuffers {
  return {
    control: new SharedArrayBuffer(SLOTS * 4),
    ring: new SharedArrayBuffer(Math.max(rxBuffer, PROMPT_RING)),
    rxBuffer,
  };
}

/** Host side: push bytes into the ring; returns how many fitted. */
export class ChannelWriter {
  private readonly control: Int32Array;
  private readonly ring: Uint8Array;
  private readonly rxBuffer: number;

  constructor(buffers: ChannelBuffers) {
    this.control = new Int32Array(buffers.control);
    this.ring = new Uint8Array(buffers.ring);
    this.rxBuffer = buffers.rxBuffer;
  }

  get executing(): boolean {
    return Atomics.load(this.control, Slot.Executing) === 1;
  }

  get dropped(): number {
    return Atomics.load(this.control, Slot.Dropped);
  }

  /** Bytes received and not yet read by the board. */
  get pending(): number {
    return Atomics.load(this.control, Slot.Head) - Atomics.load(this.control, Slot.Tail);
  }

  /** Room in the receive buffer right now: `rxBuffer` while a program runs, more at the prompt. */
  get space(): number {
    const limit = this.executing ? this.rxBuffer : this.ring.length;
    return Math.max(0, limit - this.pending);
  }

  /** Room while a program runs, the most a flow-controlled link (USB) lets in. */
  get flowSpace(): number {
    return Math.max(0, this.rxBuffer - this.pending);
  }

  /** Stores what fits in `space` and drops (and counts) the rest; returns how many fitted. */
  push(bytes: Uint8Array): number {
    const fit = Math.min(bytes.length, this.space);
    let head = Atomics.load(this.control, Slot.Head);
    for (let i = 0; i < fit; i++) {
      this.ring[head % this.ring.length] = bytes[i];
      head += 1;
    }
    Atomics.store(this.control, Slot.Head, head);
    if (fit < bytes.length) Atomics.add(this.control, Slot.Dropped, bytes.length - fit);
    this.wake();
    return fit;
  }

  requestInterrupt(): void {
    Atomics.store(this.control, Slot.Interrupt, 1);
    this.wake();
  }

  private wake(): void {
    Atomics.add(this.control, Slot.Wake, 1);
    Atomics.notify(this.control, Slot.Wake);
  }
}

/** Worker side: take bytes out of the ring, optionally waiting for them. */
export class ChannelReader {
  private readonly control: Int32Array;
  private readonly ring: Uint8Array;

  constructor(buffers: ChannelBuffers) {
    this.control = new Int32Array(buffers.control);
    this.ring = new Uint8Array(buffers.ring);
  }

  get executing(): boolean {
    return Atomics.load(this.control, Slot.Executing) === 1;
  }

  set executing(value: boolean) {
    Atomics.store(this.control, Slot.Executing, value ? 1 : 0);
    if (!value) Atomics.store(this.control, Slot.Interrupt, 0);
  }

  /** True once after the host delivered a keyboard interrupt. */
  takeInterrupt(): boolean {
    return Atomics.exchange(this.control, Slot.Interrupt, 0) === 1;
  }

  get available(): number {
    return Atomics.load(this.control, Slot.Head) - Atomics.load(this.control, Slot.Tail);
  }

  /** One byte, or -1 when the ring is empty. */
  next(): number {
    const tail = Atomics.load(this.control, Slot.Tail);
    if (Atomics.load(this.control, Slot.Head) === tail) return -1;
    const byte = this.ring[tail % this.ring.length];
    Atomics.store(this.control, Slot.Tail, tail + 1);
    return byte;
  }

  /** Blocks until bytes arrive, an interrupt is flagged or `timeoutMs` passes. */
  wait(timeoutMs: number): void {
    const seen = Atomics.load(this.control, Slot.Wake);
    if (this.available > 0 || Atomics.load(this.control, Slot.Interrupt) === 1) return;
    Atomics.wait(this.control, Slot.Wake, seen, timeoutMs);
  }
}
