/**
 * The sending half both upload receivers share (fs_upload.py's _bup for one
 * file, fs_batch.py's _bputs for a batch): a framed stream sent under
 * byte-counting credit. The host never has more than `window` bytes in
 * flight; the board grants `quantum` more (TAG.ack) each time it has taken
 * that many into RAM, so a board whose receive buffer holds `window` bytes
 * cannot drop any, however the frames are cut.
 */
import { BelayError } from '../../errors.js';
import type { InteractiveIo } from '../../protocol/raw-repl.js';
import { EndedEarly } from './exchange.js';
import { ABORT_FRAME, END_FRAME, TAG } from './frames.js';

/**
 * The credit quantum for a window: the board grants credit every `q` bytes
 * it takes in, a quarter of the window, so several grants are in flight and
 * a UART bridge that holds replies back for its 16 ms latency timer still
 * gets new bytes before the board's buffer runs dry.
 */
export function creditQuantum(window: number): number {
  return Math.max(16, Math.floor(window / 4));
}

export class CreditedLink {
  private credit: number;
  /** Bytes the board has acknowledged taking in. */
  acked = 0;
  /** The board said a write failed (TAG.failed), or that the stream did not decompress (TAG.corrupt, failed too): the host stops at the next frame. */
  failed = false;
  corrupt = false;

  constructor(
    private readonly io: InteractiveIo,
    private readonly window: number,
    readonly quantum: number,
    /** Called after each grant (for progress). */
    private readonly onAck?: (acked: number) => void,
  ) {
    this.credit = window;
  }

  /**
   * One byte from the board. A credit grant is counted here (and returned
   * as TAG.ack), a failure noted (`failed`, `corrupt`); the end of the
   * program's output is put back and ends the exchange (EndedEarly: exec
   * then reads the traceback).
   */
  async readTag(what: string): Promise<number> {
    const [tag] = await this.io.read(1, what);
    if (tag === TAG.ack) {
      this.credit += this.quantum;
      this.acked += this.quantum;
      if (this.credit > this.window) throw new BelayError('PROTOCOL', 'the board granted credit for bytes that were not sent');
      this.onAck?.(this.acked);
    } else if (tag === TAG.failed) this.failed = true;
    else if (tag === TAG.corrupt) this.corrupt = this.failed = true;
    else if (tag === TAG.endOfOutput) {
      this.io.unread(Uint8Array.of(tag));
      throw new EndedEarly();
    }
    return tag;
  }

  /** Whether readTag took care of `tag` (a grant or a failure). */
  static handled(tag: number): boolean {
    return tag === TAG.ack || tag === TAG.failed || tag === TAG.corrupt;
  }

  /**
   * Sends the framed stream `nextFrame` yields, cut wherever the credit
   * ends, until it yields END_FRAME or ABORT_FRAME. Any other byte from the
   * board than a grant or a failure goes to `onTag` (which may read more, a
   * hash line say); false from it is a protocol error.
   */
  async send(nextFrame: () => Promise<Uint8Array>, onTag: (tag: number) => boolean | Promise<boolean> = () => false): Promise<void> {
    let current: Uint8Array | undefined;
    let offset = 0;
    for (;;) {
      const batch: Uint8Array[] = [];
      let finished = false;
      while (this.credit > 0 && !finished) {
        if (current === undefined) {
          current = await nextFrame();
          offset = 0;
        }
        const take = Math.min(this.credit, current.length - offset);
        batch.push(current.subarray(offset, offset + take));
        offset += take;
        this.credit -= take;
        if (offset === current.length) {
          finished = current === END_FRAME || current === ABORT_FRAME;
          current = undefined;
        }
      }
      if (batch.length > 0) await this.io.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
      if (finished) return;
      const tag = await this.readTag('the board to take a chunk');
      if (!CreditedLink.handled(tag) && !(await onTag(tag))) throw new BelayError('PROTOCOL', `unexpected byte 0x${tag.toString(16)} from the board receiver`);
    }
  }
}
