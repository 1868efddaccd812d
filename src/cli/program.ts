/**
 * Builds the commander program: global options, then each command group
 * registers itself (command bodies are wrapped by `action()` in action.ts,
 * which this file does not import back: commands never import the program).
 */
import { Command, Option } from 'commander';
import { EXIT, parseInteger } from './action.js';
import { Output } from './output.js';
import { registerDeviceCommands } from './commands/device-commands.js';
import { registerEmulatorCommands } from './commands/emulator-commands.js';
import { registerConfigCommands } from './commands/config-commands.js';
import { registerFsCommands } from './commands/fs-commands.js';
import { registerPlanCommands } from './commands/plan-commands.js';
import { registerApplyCommands } from './commands/apply-commands.js';

export function buildProgram(version: string): Command {
  const program = new Command('belay')
    .description('Plan, review and apply files on MicroPython boards, like infrastructure as code.')
    .version(version, '-V, --version')
    // No short flag: `-p` is `mkdir -p`, and global options may follow the command.
    .addOption(new Option('--port <port>', 'board: a serial path, "emulator[:NAME]" or "auto"').env('BELAY_PORT'))
    .addOption(new Option('-b, --baud <rate>', 'serial baud rate').argParser(parseInteger('baud rate')))
    .addOption(new Option('--window <bytes>', 'upload flow-control window, bytes in flight to the board (default: by link kind, 256 on UART bridges and unknown links)').argParser(parseInteger('window')))
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
  registerPlanCommands(program);
  registerApplyCommands(program);

  return program;
}

export async function runCli(argv: string[], version: string): Promise<number> {
  const program = buildProgram(version);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    // Under --detailed-exitcode 2 means "changes": a usage error must not look like one.
    if (typeof code === 'string' && code.startsWith('commander.')) return argv.includes('--detailed-exitcode') ? EXIT.failure : EXIT.usage;
    new Output({ color: false, quiet: false, verbose: false, debug: argv.includes('--debug'), json: false }).error(err);
    return EXIT.failure;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
