/**
 * Builds the commander program: global options, then each command group
 * registers itself (command bodies run through action.ts, which this file
 * does not import back: commands never import the program), and runs it:
 * parse errors are usage errors (exit 2), rendered as JSON under --json.
 *
 * Command modules load on demand: a run of one command imports only the
 * module that registers it (`belay exec` never loads the file commands, the
 * planner's views or the config commands). Help, completion, an unknown
 * command or a command line whose command cannot be told for sure load
 * them all, so what commander prints there is the same as ever.
 */
import { Command, Help, Option } from 'commander';
import { EXIT, parseInteger, reportError } from './action.js';
import { Output } from './output.js';

type Register = (program: Command) => void;

/**
 * Every command module, in the order their commands appear in help, with the
 * top-level commands each registers (a test checks this table against what
 * the modules register).
 */
export const COMMAND_MODULES: Array<{ commands: string[]; load: () => Promise<Register> }> = [
  { commands: ['exec', 'run', 'info', 'devices', 'reset'], load: async () => (await import('./commands/device-commands.js')).registerDeviceCommands },
  { commands: ['emulator'], load: async () => (await import('./commands/emulator-commands.js')).registerEmulatorCommands },
  { commands: ['init', 'validate', 'config'], load: async () => (await import('./commands/config-commands.js')).registerConfigCommands },
  { commands: ['ls', 'cat', 'get', 'put', 'df', 'hash'], load: async () => (await import('./commands/fs-commands.js')).registerFsCommands },
  { commands: ['rm', 'mkdir', 'mv', 'cp', 'touch'], load: async () => (await import('./commands/fs-change-commands.js')).registerFsChangeCommands },
  { commands: ['repl'], load: async () => (await import('./commands/repl-command.js')).registerReplCommand },
  { commands: ['completion'], load: async () => (await import('./commands/completion-command.js')).registerCompletionCommand },
  { commands: ['plan', 'show'], load: async () => (await import('./commands/plan-commands.js')).registerPlanCommands },
  { commands: ['apply', 'keygen'], load: async () => (await import('./commands/apply-commands.js')).registerApplyCommands },
];

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
/**
 * The command modules a command line needs: none for `--version` alone, the
 * one registering its command, else all of them (help asked for anywhere, a
 * command that is not known, `completion`, which describes every command, or
 * a command line whose command cannot be told for sure: clustered short
 * flags, `--`, no command at all).
 */
export function modulesFor(program: Command, args: string[]): typeof COMMAND_MODULES {
  const takesValue = new Set(program.options.filter((option) => option.required || option.optional).flatMap((option) => [option.short, option.long]));
  if (args.some((arg) => arg === '-h' || arg === '--help')) return COMMAND_MODULES;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-V' || arg === '--version') return [];
    if (!arg.startsWith('-')) {
      const module = arg === 'completion' ? undefined : COMMAND_MODULES.find((candidate) => candidate.commands.includes(arg));
      return module ? [module] : COMMAND_MODULES;
    }
    if (arg === '--' || !/^(--[^=]+(=.*)?|-[^-])$/.test(arg)) break;
    if (takesValue.has(arg)) i += 1;
  }
  return COMMAND_MODULES;
}

/** The program with the commands `args` (the command line after the executable) needs; every command without `args`. */
export async function buildProgram(version: string, args?: string[]): Promise<Command> {
  const program = baseProgram(version);
  const modules = args === undefined ? COMMAND_MODULES : modulesFor(program, args);
  for (const register of await Promise.all(modules.map((module) => module.load()))) register(program);
  return program;
}

/** The program with its global options and help settings, before any command. */
function baseProgram(version: string): Command {
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
  return program;
}

export async function runCli(argv: string[], version: string): Promise<number> {
  const program = await buildProgram(version, argv.slice(2));
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
