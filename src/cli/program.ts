/**
 * Builds the commander program: global options, then each command group
 * registers itself. `action()` wraps a command body with the Context, Ctrl-C
 * handling and error rendering, so command files hold only their own logic.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BelayError, isBelayError } from '../errors.js';
import { contextFrom, type Context } from './context.js';
import { Output } from './output.js';
import { registerDeviceCommands } from './commands/device-commands.js';
import { registerEmulatorCommands } from './commands/emulator-commands.js';
import { registerConfigCommands } from './commands/config-commands.js';
import { registerFsCommands } from './commands/fs-commands.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

export function parseInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };
}

export function buildProgram(version: string): Command {
  const program = new Command('belay')
    .description('Plan, review and apply files on MicroPython boards, like infrastructure as code.')
    .version(version, '-V, --version')
    // No short flag: `-p` is `mkdir -p`, and global options may follow the command.
    .addOption(new Option('--port <port>', 'board: a serial path, "emulator[:NAME]" or "auto"').env('BELAY_PORT'))
    .addOption(new Option('-b, --baud <rate>', 'serial baud rate').argParser(parseInteger('baud rate')))
    .option('-c, --config <file>', 'use this config file instead of searching for belay.yaml')
    .option('-C, --cwd <dir>', 'run as if started in this directory')
    .addOption(new Option('--profile <name>', 'config profile to use').env('BELAY_PROFILE'))
    .option('--json', 'print data as JSON')
    .option('-v, --verbose', 'say more about what happens')
    .option('-q, --quiet', 'print only results and errors')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('--debug', 'show stack traces and log the board conversation')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .exitOverride();

  registerDeviceCommands(program);
  registerEmulatorCommands(program);
  registerConfigCommands(program);
  registerFsCommands(program);

  return program;
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

export async function runCli(argv: string[], version: string): Promise<number> {
  const program = buildProgram(version);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.usage;
    new Output({ color: false, quiet: false, verbose: false, debug: argv.includes('--debug'), json: false }).error(err);
    return EXIT.failure;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
