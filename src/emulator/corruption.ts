/**
 * A byte-corruption fault for one direction of the emulated link: after a
 * given number of intact bytes, one byte arrives changed (a bit flipped by
 * noise on a long cable, a glitching USB-UART bridge). Nothing else about the
 * stream changes, so only an end-to-end check (a hash) can notice.
 */

export type LinkDirection = 'to-board' | 'to-host';

export interface CorruptionFault {
  /** Which way the corrupted byte travels. */
  direction: LinkDirection;
  /** Bytes that pass intact in that direction before the corrupted one (counted from opening the link). */
  after: number;
  /** XOR mask applied to the byte (default 0x01: one flipped bit). Ignored when `value` is given. */
  xor?: number;
  /** The byte arrives as this value instead. */
  value?: number;
}

interface Armed {
  at: number;
  change: (byte: number) => number;
}

/** Counts the bytes of one direction and changes the ones faults aim at. */
export class Corruptor {
  private passed = 0;
  private armed: Armed[] = [];

  /** Bytes that went through so far. */
  get count(): number {
    return this.passed;
  }

  /** Corrupts the byte that comes `after` bytes from now. */
  arm(after: number, fault: Pick<CorruptionFault, 'xor' | 'value'> = {}): void {
    if (!Number.isInteger(after) || after < 0) throw new RangeError(`corruption offset must be a whole number >= 0, not ${after}`);
    const { value } = fault;
    const xor = fault.xor ?? 0x01;
    const change = value === undefined ? (byte: number) => (byte ^ xor) & 0xff : () => value & 0xff;
    this.armed.push({ at: this.passed + after, change });
  }

  /** Passes `bytes` on, changed where a fault aims (a copy: the caller's buffer is left alone). */
  apply(bytes: Uint8Array): Uint8Array {
    const start = this.passed;
    this.passed += bytes.length;
    if (this.armed.length === 0) return bytes;
    let out = bytes;
    this.armed = this.armed.filter((fault) => {
      if (fault.at < start || fault.at >= this.passed) return true;
      if (out === bytes) out = Uint8Array.from(bytes);
      out[fault.at - start] = fault.change(out[fault.at - start]);
      return false;
    });
    return out;
  }
}
