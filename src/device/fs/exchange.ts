/**
 * What both binary transfers share: running a board program that speaks a
 * byte protocol with the host, and reading its line-shaped replies. When the
 * program ends early (an exception), the \x04 that ends its stdout is put
 * back, the exchange stops with EndedEarly, and exec's normal ending reads
 * the traceback and raises it.
 */
import { BelayError } from '../../errors.js';
import type { BoardSession } from '../session.js';
import type { ExecBytesResult, ExecOptions, InteractiveIo } from '../../protocol/raw-repl.js';
import { TAG } from './frames.js';

/** The board program ended (with an exception, read next by exec) before the exchange finished. */
export class EndedEarly extends Error {}

/** One \n-terminated line from the running program (`signal`: see InteractiveIo.read). */
export async function readLine(io: InteractiveIo, what: string, signal?: AbortSignal): Promise<string> {
  const bytes: number[] = [];
  for (;;) {
    const [byte] = await io.read(1, what, signal);
    if (byte === 0x0a) return Buffer.from(bytes).toString('utf8').replace(/\r$/, '');
    if (byte === TAG.endOfOutput && bytes.length === 0) {
      io.unread(Uint8Array.of(byte));
      throw new EndedEarly();
    }
    bytes.push(byte);
    if (bytes.length > 4096) throw new BelayError('PROTOCOL', `the board sent an overlong line while ${what}`);
  }
}

/** Runs `code` and `exchange` against it; `value` is undefined when the program ended early. */
export async function runExchange<T>(
  device: BoardSession,
  code: string,
  exchange: (io: InteractiveIo) => Promise<T>,
  options: ExecOptions = {},
): Promise<{ value: T | undefined } & ExecBytesResult> {
  return device.execInteractive<T | undefined>(
    code,
    async (io) => {
      try {
        return await exchange(io);
      } catch (err) {
        if (err instanceof EndedEarly) return undefined;
        throw err;
      }
    },
    options,
  );
}
