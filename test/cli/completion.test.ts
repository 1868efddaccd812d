/**
 * `belay completion SHELL`: bash completes commands, subcommands, each
 * command's options and --port values, driven through bash's own
 * completion machinery; zsh gets the same function through bashcompinit;
 * fish gets one line per command and option. Every command belay has
 * appears, so a new command cannot be forgotten.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { belay, tempProject } from '../helpers/cli.js';

/** What bash's completion offers for the words typed so far (the last one being completed). */
function bashComplete(script: string, words: string[]): string[] {
  const dir = tempProject('belay-completion-');
  const file = join(dir, 'belay.bash');
  writeFileSync(file, script);
  const program = [
    `source ${JSON.stringify(file)}`,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_belay',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return execFileSync('bash', ['-c', program], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean);
}

const commandNames = (await buildProgram('0.0.0')).commands.map((c) => c.name());

describe('belay completion', () => {
  it('bash: commands, subcommands, options per command, --port values', async () => {
    const run = await belay(['completion', 'bash'], { cwd: tempProject() });
    expect(run.code).toBe(0);
    const script = run.stdout;
    execFileSync('bash', ['-n'], { input: script });
    const top = bashComplete(script, ['belay', '']);
    for (const name of commandNames) expect(top).toContain(name);
    expect(bashComplete(script, ['belay', 'ex'])).toEqual(['exec']);
    expect(bashComplete(script, ['belay', 'exec', '--t'])).toEqual(['--timeout']);
    expect(bashComplete(script, ['belay', '--port', 'emulator', 'rm', '-'])).toEqual(expect.arrayContaining(['-r', '--recursive', '--force', '--json']));
    expect(bashComplete(script, ['belay', 'emulator', 's'])).toContain('serve');
    expect(bashComplete(script, ['belay', 'emulator', 'serve', '--li'])).toEqual(expect.arrayContaining(['--link', '--link-baud']));
    expect(bashComplete(script, ['belay', '--port', 'em'])).toEqual(['emulator']);
  });

  it('zsh loads the same function through bashcompinit; fish has a line per command', async () => {
    const cwd = tempProject();
    const zsh = (await belay(['completion', 'zsh'], { cwd })).stdout;
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -o filenames -F _belay belay');
    const fish = (await belay(['completion', 'fish'], { cwd })).stdout;
    for (const name of commandNames) expect(fish).toMatch(new RegExp(`__fish_use_subcommand' -f -a ${name} `));
    expect(fish).toContain("-n '__fish_seen_subcommand_from exec' -l timeout -r");
  });

  it('an unknown shell is a usage error', async () => {
    expect((await belay(['completion', 'tcsh'], { cwd: tempProject() })).code).toBe(2);
  });
});
