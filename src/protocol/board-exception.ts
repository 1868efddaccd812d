/**
 * Turns the raw REPL's stderr (a MicroPython traceback) into a BelayError
 * with code BOARD_EXCEPTION carrying the exception type, its message, the
 * traceback and, for OSError, the errno number and its normalised name.
 */
import { BelayError } from '../errors.js';
import { errnoName, errnoVaries } from './errno.js';

/** "[Errno 2] ENOENT": the number, and the name when the board prints one. */
const BRACKETED = /^\[Errno (-?\d+)\]\s*(E[A-Z0-9]+)?/;

export interface BoardExceptionData {
  type: string;
  message: string;
  traceback: string;
  errno?: number;
  errnoName?: string;
  [key: string]: unknown;
}

/** Parses "OSError: 44", "OSError: [Errno 2] ENOENT", "ValueError: bad", "KeyboardInterrupt: ". */
export function parseTraceback(stderr: string, platform?: string): BoardExceptionData {
  const traceback = stderr.replace(/\r\n/g, '\n').trim();
  const lines = traceback.split('\n').filter((line) => line.trim() !== '');
  const last = lines[lines.length - 1] ?? '';
  const match = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/.exec(last);
  const type = match ? match[1] : 'Exception';
  const message = match ? (match[2] ?? '').trim() : last.trim();
  const data: BoardExceptionData = { type, message, traceback };
  if (type === 'OSError') {
    const bracketed = BRACKETED.exec(message);
    const bare = /^\(?(-?\d+)\b/.exec(message);
    const number = bracketed ? Number(bracketed[1]) : bare ? Number(bare[1]) : undefined;
    if (number !== undefined) {
      data.errno = number;
      // A name printed by the board is its own truth; otherwise map the number.
      data.errnoName = bracketed?.[2] ?? errnoName(number, platform);
    }
  }
  return data;
}

export function boardException(stderr: string, platform?: string): BelayError {
  const data = parseTraceback(stderr, platform);
  const what = data.errnoName ? `${data.type} ${data.errnoName}` : data.message ? `${data.type}: ${data.message}` : data.type;
  return new BelayError('BOARD_EXCEPTION', `the board raised ${what}`, { detail: data.traceback, data });
}

/** Whether naming this exception's errno needs the board's platform: a number without its name, which ports read differently. */
export function errnoNeedsPlatform(data: BoardExceptionData): boolean {
  return data.errno !== undefined && !BRACKETED.exec(data.message)?.[2] && errnoVaries(data.errno);
}
