/**
 * `belay repl`: a terminal to the board's friendly REPL. Keys go to the
 * board byte for byte (Ctrl-C interrupts a program, Ctrl-D soft-resets, as
 * on the board's own console); Ctrl-] or Ctrl-X leaves. The running program
 * is not interrupted on the way in: what the board prints shows up. On the
 * way out the board is left at its friendly prompt, usable by the next
 * command or another terminal. Works the same on serial ports and the
 * emulated board.
 */
import type { Command } from 'commander';
import { BelayError } from '../../errors.js';
import { action } from '../action.js';
import { openLink } from '../connect.js';
import type { Context } from '../context.js';

const LEAVE_KEYS = [0x1d, 0x18]; // Ctrl-], Ctrl-X
const CTRL_B = 0x02;
/** With piped input: once it ends, how long the board may stay silent before belay leaves. */
const PIPED_QUIET_MS = 500;

async function repl(ctx: Context): Promise<void> {
  const link = await openLink(ctx);
  const stdin = process.stdin;
  const terminal = stdin.isTTY === true;
  ctx.out.info(`connected to ${link.description}; Ctrl-] or Ctrl-X leaves`);
  let lastOutput = Date.now();
  let finish!: (error?: BelayError) => void;
  const finished = new Promise<BelayError | undefined>((resolve) => {
    finish = resolve;
  });
  const offData = link.onData((chunk) => {
    lastOutput = Date.now();
    ctx.out.raw(chunk);
  });
  const offClose = link.onClose((error) => finish(error ?? new BelayError('LINK_LOST', `${link.description} closed`)));
  let quietTimer: NodeJS.Timeout | undefined;
  const onInput = (chunk: Buffer) => {
    const leave = chunk.findIndex((byte) => LEAVE_KEYS.includes(byte));
    const send = leave < 0 ? chunk : chunk.subarray(0, leave);
    if (send.length > 0) void link.write(send).catch((err: unknown) => finish(err instanceof BelayError ? err : new BelayError('LINK_LOST', String(err))));
    if (leave >= 0) finish();
  };
  const onEnd = () => {
    // Piped input ran out: let the board finish answering, then leave.
    const check = () => {
      if (Date.now() - lastOutput >= PIPED_QUIET_MS) finish();
      else quietTimer = setTimeout(check, PIPED_QUIET_MS);
    };
    check();
  };
  const onAbort = () => finish();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (terminal) stdin.setRawMode(true);
  stdin.on('data', onInput);
  stdin.on('end', onEnd);
  stdin.resume();
  try {
    // Ctrl-B: out of the raw REPL if a tool left the board there; at the
    // friendly prompt the board prints its banner, so there is a prompt to type at.
    await link.write(Uint8Array.of(CTRL_B));
    const error = await finished;
    if (error) throw error;
  } finally {
    clearTimeout(quietTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    stdin.off('data', onInput);
    stdin.off('end', onEnd);
    if (terminal) stdin.setRawMode(false);
    stdin.pause();
    offData();
    offClose();
    await link.close();
    if (terminal) ctx.out.info('');
  }
}

export function registerReplCommand(program: Command): void {
  program
    .command('repl')
    .description('an interactive terminal to the board (friendly REPL); Ctrl-] or Ctrl-X leaves, Ctrl-C and Ctrl-D go to the board')
    .action(action(async (ctx) => repl(ctx)));
}
