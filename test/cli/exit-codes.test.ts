/**
 * Exit statuses as documented (0 success, 1 failure, 2 usage error) and
 * errors under --json: one object on stdout with the code, message, detail,
 * hint and data, and the same status as without --json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { belay, tempProject } from '../helpers/cli.js';

interface ErrorJson {
  error: { code: string; message: string; detail: string | null; hint: string | null; data: Record<string, unknown> };
}

describe('usage errors exit 2, whoever finds them', () => {
  const cases: Array<[string, string[]]> = [
    ['an unknown option (the parser)', ['exec', '--bogus', 'print(1)']],
    ['a bad number (the parser)', ['--baud', 'fast', 'exec', 'print(1)']],
    ['get of a directory without -r', ['--port', 'emulator', 'get', '/']],
    ['put --window that is not a number', ['--port', 'emulator', 'put', 'x.py', '--window', 'abc']],
    ['an empty emulator name', ['--port', 'emulator:', 'exec', 'print(1)']],
    ['exec --timeout that is not a number', ['--port', 'emulator', 'exec', '--timeout', 'soon', 'print(1)']],
  ];
  it.each(cases)('%s', async (_what, args) => {
    const cwd = tempProject();
    writeFileSync(join(cwd, 'x.py'), 'print(1)\n');
    const plain = await belay(args, { cwd });
    expect(plain.code).toBe(2);
    const json = await belay([...args, '--json'], { cwd });
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout) as ErrorJson;
    expect(parsed.error.code).toBe('USAGE');
    expect(typeof parsed.error.message).toBe('string');
  });
});

describe('errors under --json', () => {
  it('a board exception: the error object with its data, exit 1, nothing on stderr', async () => {
    const run = await belay(['--port', 'emulator', 'exec', '--json', "print('before')\nimport os\nos.stat('/nope')"], { cwd: tempProject() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const parsed = JSON.parse(run.stdout) as ErrorJson & { stdout: string; stderr: string };
    expect(parsed.error).toMatchObject({ code: 'BOARD_EXCEPTION', data: { type: 'OSError' } });
    expect(parsed.stdout.trim()).toBe('before');
    expect(parsed.stderr).toContain('OSError');
  });

  it('a local error in a file command', async () => {
    const run = await belay(['--port', 'emulator', 'put', 'missing.py', '--json'], { cwd: tempProject() });
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as ErrorJson).error.code).toBe('LOCAL_IO');
  });

  it('exec --json prints {stdout, stderr}; reset --json says what happened', async () => {
    const cwd = tempProject();
    const exec = await belay(['--port', 'emulator', 'exec', '--json', 'print(6*7)'], { cwd });
    expect(exec.code).toBe(0);
    expect(JSON.parse(exec.stdout)).toEqual({ stdout: '42\n', stderr: '' });
    const soft = await belay(['--port', 'emulator', 'reset', '--json'], { cwd });
    expect(JSON.parse(soft.stdout)).toMatchObject({ reset: 'soft', port: 'emulator:default' });
    const hard = await belay(['--port', 'emulator', 'reset', '--hard', '--json'], { cwd });
    expect(JSON.parse(hard.stdout)).toMatchObject({ reset: 'hard' });
  });
});
