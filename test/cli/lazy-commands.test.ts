/**
 * Command modules load on demand (cli/program.ts): the table of modules
 * matches what each module registers, a command line loads the module of its
 * command (global options and their values skipped), and whatever commander
 * prints for a command line (usage errors, help, the version) is the same as
 * with every command loaded.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, buildProgram, modulesFor } from '../../src/cli/program.js';
import { belay, tempProject } from '../helpers/cli.js';

const names = (command: Command) => command.commands.map((sub) => sub.name());

/** What the program with every command prints for `args`, and its exit status as the CLI maps it. */
async function fullProgram(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = await buildProgram('0.1.0');
  let stdout = '';
  let stderr = '';
  const output = { writeOut: (text: string) => (stdout += text), writeErr: (text: string) => (stderr += text) };
  const capture = (command: Command): void => {
    command.configureOutput(output);
    command.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    throw new Error(`belay ${args.join(' ')} ran: pick a command line that does not`);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(code);
    return { code: ok ? 0 : code.startsWith('commander.') ? 2 : 1, stdout, stderr };
  }
}

describe('command modules', () => {
  it('the table names exactly the commands each module registers, in help order', async () => {
    for (const module of COMMAND_MODULES) {
      const program = new Command('belay');
      (await module.load())(program);
      expect(names(program)).toEqual(module.commands);
    }
    expect(names(await buildProgram('0.0.0'))).toEqual(COMMAND_MODULES.flatMap((module) => module.commands));
  });

  it('a command line loads the module of its command, skipping global options and their values', async () => {
    const program = await buildProgram('0.0.0', []);
    const of = (command: string) => COMMAND_MODULES.filter((module) => module.commands.includes(command));
    expect(modulesFor(program, ['exec', 'pass'])).toEqual(of('exec'));
    expect(modulesFor(program, ['--port', '/dev/ttyACM0', '-b', '9600', '--json', 'exec', 'ls'])).toEqual(of('exec'));
    expect(modulesFor(program, ['-C', 'exec', 'ls', '/'])).toEqual(of('ls'));
    expect(modulesFor(program, ['--port=exec', 'rm', 'x'])).toEqual(of('rm'));
    expect(modulesFor(program, ['emulator', 'serve'])).toEqual(of('emulator'));
    expect(modulesFor(program, ['--version'])).toEqual([]);
    for (const unclear of [['exec', '--help'], ['help', 'exec'], ['exe'], ['completion', 'bash'], ['-vq', 'exec'], ['-b9600', 'exec'], ['--', 'exec'], [], ['--json']]) {
      expect(modulesFor(program, unclear), unclear.join(' ')).toEqual(COMMAND_MODULES);
    }
  });

  it('usage errors, help and the version read the same as with every command loaded', { timeout: 120_000 }, async () => {
    const cwd = tempProject('belay-lazy-');
    const lines = [
      ['exec'],
      ['exec', 'a', 'b'],
      ['exec', '--frob', 'pass'],
      ['--port', '/dev/null', 'exec', '--timeout', 'soon', 'pass'],
      ['--baud', 'fast', 'info'],
      ['ls', '--recursivx'],
      ['put'],
      ['mkdir'],
      ['emulator', 'bogus'],
      ['plan', '--nope'],
      ['exe'],
      ['completion', 'tcsh'],
      ['exec', '--help'],
      ['emulator', 'serve', '--help'],
      ['--help'],
      ['--version'],
    ];
    for (const args of lines) {
      const run = await belay(args, { cwd });
      expect(run, args.join(' ')).toEqual(await fullProgram(args));
    }
  });
});
