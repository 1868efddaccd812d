/**
 * A byte-level stand-in for a board, for unit tests of the protocol framing:
 * every write is handed to a script that decides what the "board" answers,
 * and answers are delivered in pieces of a chosen size, asynchronously, the
 * way a serial port splits reads. Only for faults no real board can be made
 * to show on demand (garbage, silence, split reads).
 */
import { BelayError } from '../../src/errors.js';
import { Listeners, WireCount, type Transport } from '../../src/transport/types.js';

export type Script = (input: Buffer, board: ScriptedTransport) => void;

export class ScriptedTransport implements Transport {
  readonly description = 'scripted';
  readonly wire = new WireCount();
  readonly sent: Buffer[] = [];
  private readonly data = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<BelayError | undefined>();
  private isClosed = false;
  /** Everything written and not yet consumed by the script. */
  pending = Buffer.alloc(0);

  constructor(
    private readonly script: Script,
    private readonly pieceSize = Infinity,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  get allSent(): Buffer {
    return Buffer.concat(this.sent);
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: BelayError) => void): () => void {
    return this.closeListeners.add(listener);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) throw new BelayError('LINK_LOST', 'closed');
    const chunk = Buffer.from(bytes);
    this.wire.sent += chunk.length;
    this.sent.push(chunk);
    this.pending = Buffer.concat([this.pending, chunk]);
    this.script(this.pending, this);
  }

  /** Consumes `count` bytes of pending input. */
  consume(count: number): Buffer {
    const taken = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(count);
    return taken;
  }

  /** The board says something, delivered later in pieces. */
  reply(text: string | Uint8Array): void {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : Buffer.from(text);
    for (let i = 0; i < bytes.length; i += Number.isFinite(this.pieceSize) ? this.pieceSize : bytes.length) {
      const piece = bytes.subarray(i, Number.isFinite(this.pieceSize) ? i + this.pieceSize : bytes.length);
      setImmediate(() => {
        if (!this.isClosed) {
          this.wire.received += piece.length;
          this.data.emit(piece);
        }
      });
    }
  }

  /** The cable is pulled. */
  cut(): void {
    setImmediate(() => {
      this.isClosed = true;
      this.closeListeners.emit(new BelayError('LINK_LOST', 'cut'));
    });
  }

  async close(): Promise<void> {
    this.isClosed = true;
  }
}

const BANNER = 'raw REPL; CTRL-B to exit\r\n>';

export interface FakeBoardOptions {
  /** Printed before the raw REPL banner (boot noise). */
  garbage?: string;
  rawPaste?: 'supported' | 'refused' | 'silent';
  window?: number;
  /** Output for a piece of code: stdout and stderr. */
  run?: (code: string) => { stdout?: string; stderr?: string };
  /** Never answer anything. */
  mute?: boolean;
}

/**
 * A scripted MicroPython raw REPL, faithful to the framing: banner on Ctrl-A,
 * "OK" + stdout \x04 stderr \x04 ">" per exec, raw-paste with window credit.
 * Records the largest raw-paste burst sent without credit in `overrun`.
 */
export function fakeBoard(options: FakeBoardOptions = {}) {
  const state = { mode: 'idle' as 'idle' | 'raw' | 'paste', paste: [] as number[], credit: 0, overrun: 0, execs: [] as string[] };
  const window = options.window ?? 16;
  const run = options.run ?? (() => ({ stdout: '' }));
  const finish = (board: ScriptedTransport, code: string, prefix: string) => {
    state.execs.push(code);
    const result: { stdout?: string; stderr?: string } = run(code);
    board.reply(`${prefix}${result.stdout ?? ''}\x04${result.stderr ?? ''}\x04>`);
  };
  const script: Script = (_input, board) => {
    if (options.mute) {
      board.consume(board.pending.length);
      return;
    }
    for (;;) {
      const input = board.pending;
      if (input.length === 0) return;
      if (state.mode === 'paste') {
        const byte = board.consume(1)[0];
        if (byte === 0x04) {
          state.mode = 'raw';
          board.reply('\x04');
          finish(board, Buffer.from(state.paste).toString('utf8'), '');
          state.paste = [];
          continue;
        }
        state.paste.push(byte);
        state.credit -= 1;
        if (state.credit < 0) state.overrun = Math.max(state.overrun, -state.credit);
        if (state.paste.length % window === 0) {
          state.credit += window;
          board.reply('\x01');
        }
        continue;
      }
      const text = input.toString('latin1');
      const ctrlA = text.indexOf('\x01');
      if (state.mode === 'idle') {
        if (ctrlA < 0) {
          board.consume(input.length);
          return;
        }
        board.consume(ctrlA + 1);
        state.mode = 'raw';
        board.reply(`${options.garbage ?? ''}\r\n${BANNER}`);
        continue;
      }
      // raw mode
      if (text.startsWith('\x05A\x01')) {
        board.consume(3);
        if (options.rawPaste === 'refused') board.reply('R\x00');
        else if (options.rawPaste === 'silent') {
          /* old firmware that says nothing */
        } else {
          state.mode = 'paste';
          state.credit = window;
          board.reply(Buffer.from([0x52, 0x01, window & 0xff, window >> 8]));
        }
        continue;
      }
      if (text.startsWith('\r\x01') || text.startsWith('\x01')) {
        board.consume(text.indexOf('\x01') + 1);
        board.reply(`\r\n${BANNER}`);
        continue;
      }
      if (text[0] === '\x03' || text[0] === '\r' && text[1] === '\x03') {
        board.consume(text[0] === '\r' ? 2 : 1);
        continue;
      }
      const end = text.indexOf('\x04');
      if (end < 0) return;
      board.consume(end + 1);
      finish(board, text.slice(0, end), 'OK');
    }
  };
  return { script, state };
}
