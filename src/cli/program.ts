/**
 * Builds the commander program: global options, then each command group
 * registers itself (command bodies run through action.ts, which this file
 * does not import back: commands never import the program), and runs it:
 * parse errors are usage errors (exit 2), rendered as JSON under --json.
 */
import { Command, Help, Option } from 'commander';
import { EXIT, parseInteger, reportError } from './action.js';
import { Output } from './output.js';
import { registerDeviceCommands } from './commands/device-commands.js';
import { registerEmulatorCommands } from './commands/emulator-commands.js';
import { registerConfigCommands } from './commands/config-commands.js';
import { registerFsCommands } from './commands/fs-commands.js';
import { registerPlanCommands } from './commands/plan-commands.js';
import { registerFsChangeCommands } from './commands/fs-change-commands.js';
import { registerReplCommand } from './commands/repl-command.js';
import { registerCompletionCommand } from './commands/completion-command.js';

/** Global options by what they are about; each command uses some of these groups. */
const GLOBAL_GROUPS: Record<string, string[]> = {
  board: ['--port', '--baud'],
  config: ['--config', '--profile'],
};

/** Commands that use only some groups (every other command talks to a board and uses them all). */
const COMMAND_GROUPS: Record<string, string[]> = {
  init: ['config'],
  validate: ['config'],
  config: ['config'],
  devices: [],
  completion: [],
  keygen: [],
  show: [],
  'emulator serve': [],
  'emulator path': [],
};

function globalOptionApplies(cmd: Command, option: Option): boolean {
  const path: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c.name());
  if (option.long === '--version') return false;
  const groups = COMMAND_GROUPS[path.join(' ')];
  if (groups === undefined) return true;
  const group = Object.keys(GLOBAL_GROUPS).find((name) => GLOBAL_GROUPS[name].includes(option.long ?? ''));
  if (path[0] === 'completion') return false;
  // init writes --port into the config it creates.
  if (path[0] === 'init' && option.long === '--port') return true;
  return group === undefined || groups.includes(group);
}
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
    .configureHelp({
      sortSubcommands: false,
      showGlobalOptions: true,
      // A command's --help lists the global options that mean something to it.
      visibleGlobalOptions(this: Help, cmd: Command): Option[] {
        return Help.prototype.visibleGlobalOptions.call(this, cmd).filter((option) => globalOptionApplies(cmd, option));
      },
    })
    .exitOverride();

  registerDeviceCommands(program);
  registerEmulatorCommands(program);
  registerConfigCommands(program);
  registerFsCommands(program);
  registerFsChangeCommands(program);
  registerReplCommand(program);
  registerCompletionCommand(program);
  registerPlanCommands(program);
  registerApplyCommands(program);

  return program;
}

export async function runCli(argv: string[], version: string): Promise<number> {
  const program = buildProgram(version);
  const json = argv.includes('--json');
  const out = new Output({ color: false, quiet: false, verbose: false, debug: argv.includes('--debug'), json });
  // Under --json a parse error is reported once, as JSON on stdout.
  if (json) program.configureOutput({ outputError: () => undefined });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // Under --detailed-exitcode 2 means "changes": a usage error must not look like one.
      const status = argv.includes('--detailed-exitcode') ? EXIT.failure : EXIT.usage;
      if (json) out.json({ error: { code: 'USAGE', message: (err as Error).message.replace(/^error: /, ''), detail: null, hint: 'run with --help for usage', data: { reason: code.slice('commander.'.length) } } });
      return status;
    }
    reportError(out, err);
    // Under --detailed-exitcode 2 means "changes": a usage error must not look like one.
    if (typeof code === 'string' && code.startsWith('commander.')) return argv.includes('--detailed-exitcode') ? EXIT.failure : EXIT.usage;
    new Output({ color: false, quiet: false, verbose: false, debug: argv.includes('--debug'), json: false }).error(err);
    return EXIT.failure;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
