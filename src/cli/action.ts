/**
 * How every command runs: `action()` wraps a command body with its Context,
 * turns Ctrl-C and a closed stdout into an abort the board hears, renders
 * errors (one line on stderr, or a JSON object on stdout under --json) and
 * sets the exit status; also the option parsers commands share. Command
 * files import this, never program.ts (which imports them).
 *
 * Exit status: 0 success, 1 failure, 2 usage error, 130 interrupted
 * (Ctrl-C), 141 the reader of stdout went away (as a process killed by
 * SIGPIPE reports it).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { BelayError } from '../errors.js';
import { contextFrom, type Context } from './context.js';
import type { Output } from './output.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130, brokenPipe: 141 } as const;

export function parseInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };
}

/** Seconds as milliseconds; 0 means no limit (Infinity). */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (0: no limit)');
  return n === 0 ? Infinity : Math.round(n * 1000);
}

/** The exit status a failure maps to. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof BelayError)) return EXIT.failure;
  if (err.code === 'USAGE') return EXIT.usage;
  if (err.code === 'ABORTED') return EXIT.interrupted;
  return EXIT.failure;
}

/** A failure as the JSON object --json prints (on stdout, so programs read one stream). */
export function errorJson(err: unknown): { error: Record<string, unknown> } {
  if (err instanceof BelayError) {
    return { error: { code: err.code, message: err.message, detail: err.detail ?? null, hint: err.hint ?? null, data: err.data } };
  }
  return { error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), detail: null, hint: null, data: {} } };
}

/** Prints a failure the way the options ask for. */
export function reportError(out: Output, err: unknown, extra: Record<string, unknown> = {}, oneLine = false): void {
  if (!out.options.json) out.error(err);
  else if (oneLine) out.data(JSON.stringify({ ...extra, ...errorJson(err) }));
  else out.json({ ...extra, ...errorJson(err) });
}

/** Stdout closed by its reader (`belay cat x | head`): what ends the command, quietly. */
const BROKEN_PIPE = 'output closed';

export function isBrokenPipe(err: unknown): boolean {
  return err instanceof BelayError && err.code === 'ABORTED' && err.message === BROKEN_PIPE;
}

/** Wraps a command body: builds the Context, wires Ctrl-C and EPIPE to an AbortSignal, renders errors. */
export function action<A extends unknown[]>(body: (ctx: Context, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      // A second Ctrl-C means "now": stop waiting for the board to come back.
      if (interrupts > 1) process.exit(EXIT.interrupted);
      ctx.out.breakLine();
      controller.abort(new BelayError('ABORTED', 'interrupted'));
    };
    const onStdoutError = (err: NodeJS.ErrnoException) => {
      ctx.out.closeStdout();
      // Like any Unix tool whose reader left: stop (the board too), say nothing.
      if (err.code === 'EPIPE') controller.abort(new BelayError('ABORTED', BROKEN_PIPE));
      else controller.abort(new BelayError('LOCAL_IO', `cannot write to stdout: ${err.message}`));
    };
    const ctx = contextFrom(command, controller.signal);
    process.on('SIGINT', onSigint);
    process.stdout.on('error', onStdoutError);
    try {
      await body(ctx, ...(args.slice(0, -2) as A));
    } catch (err) {
      if (isBrokenPipe(controller.signal.reason) && (isBrokenPipe(err) || controller.signal.aborted)) {
        process.exitCode = EXIT.brokenPipe;
        return;
      }
      reportError(ctx.out, err, ctx.jsonOnError, ctx.jsonLines);
      const status = exitCodeFor(err);
      // Under `plan --detailed-exitcode` 2 means "changes": a usage error must not look like one.
      process.exitCode = status === EXIT.usage && command.opts().detailedExitcode === true ? EXIT.failure : status;
    } finally {
      process.off('SIGINT', onSigint);
      // Keep swallowing EPIPE: buffered writes may still fail after we return.
      if (!ctx.out.stdoutClosed) process.stdout.off('error', onStdoutError);
    }
  };
}
