/** `belay COMMAND --help` lists the global options that apply to that command, and only those. */
import { describe, expect, it } from 'vitest';
import { belay, tempProject } from '../helpers/cli.js';

async function help(...command: string[]): Promise<string> {
  const run = await belay([...command, '--help'], { cwd: tempProject() });
  expect(run.code).toBe(0);
  return run.stdout.slice(run.stdout.indexOf('Global Options:'));
}

describe('subcommand help', () => {
  it('a board command lists the board, config and output options', async () => {
    const text = await help('exec');
    for (const flag of ['--port', '--baud', '--profile', '--config', '--cwd', '--json', '--quiet', '--debug']) expect(text).toContain(flag);
    expect(text).not.toContain('--version');
  });

  it('a config command leaves out the board options; devices and completion leave out both', async () => {
    const validate = await help('validate');
    expect(validate).toContain('--profile');
    expect(validate).not.toContain('--port');
    expect(validate).not.toContain('--baud');
    expect(await help('init')).toContain('--port'); // written into the new config
    const devices = await help('devices');
    expect(devices).toContain('--json');
    expect(devices).not.toContain('--port');
    expect(devices).not.toContain('--profile');
  });
});
