/**
 * What every command body shares: `action()` wraps a body with its Context,
 * Ctrl-C as an AbortSignal and error rendering, so command files hold only
 * their own logic; exit statuses; option parsers. Command files import this,
 * never program.ts (which imports them).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { BelayError, isBelayError } from '../errors.js';
import { contextFrom, type Context } from './context.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

export function parseInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };
}

/** Wraps a command body: builds the Context, wires Ctrl-C to an AbortSignal, renders errors. */
export function action<A extends unknown[]>(body: (ctx: Context, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      // A second Ctrl-C means "now": stop waiting for a clean shutdown.
      if (interrupts > 1) process.exit(EXIT.interrupted);
      controller.abort(new BelayError('ABORTED', 'interrupted'));
    };
    process.on('SIGINT', onSigint);
    const ctx = contextFrom(command, controller.signal);
    try {
      await body(ctx, ...(args.slice(0, -2) as A));
    } catch (err) {
      ctx.out.error(err);
      process.exitCode = isBelayError(err, 'ABORTED') ? EXIT.interrupted : EXIT.failure;
    } finally {
      process.off('SIGINT', onSigint);
    }
  };
}
