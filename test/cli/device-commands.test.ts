/**
 * The built `belay` binary, run as a user would: output and exit codes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function belay(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, env: cliEnv(options.cwd ?? '', options.env), timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const project = () => mkdtempSync(join(tmpdir(), 'belay-cli-'));

// Each case starts the board several times (one process per command): room for a busy machine.
describe('belay device commands', { timeout: 180_000 }, () => {
  it('exec prints what the board prints', async () => {
    const run = await belay(['exec', '--port', 'emulator', 'print(6*7)'], { cwd: project() });
    expect(run).toMatchObject({ code: 0, stdout: '42\n' });
  });

  it('keeps the emulated board files between runs', async () => {
    const cwd = project();
    expect((await belay(['exec', '--port', 'emulator', "open('x','w').write('1')"], { cwd })).code).toBe(0);
    const second = await belay(['exec', '--port', 'emulator', "print(open('x').read())"], { cwd });
    expect(second).toMatchObject({ code: 0, stdout: '1\n' });
  });

  it('BELAY_PORT chooses the board', async () => {
    const run = await belay(['exec', 'print(1+2)'], { cwd: project(), env: { BELAY_PORT: 'emulator:other' } });
    expect(run).toMatchObject({ code: 0, stdout: '3\n' });
  });

  it('info --json is valid JSON with the facts', async () => {
    const run = await belay(['info', '--json', '--port', 'emulator'], { cwd: project() });
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info).toMatchObject({ implementation: 'micropython', platform: 'webassembly', fs_size: 2 * 1024 * 1024 });
    // and it is what the published schema says
    const { Ajv } = await import('ajv');
    const { readFileSync } = await import('node:fs');
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'board-info.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(info), JSON.stringify(validate.errors)).toBe(true);
    expect(info.features).toMatchObject({ hashlib: true, stdin_buffer: true, raw_paste: true });
  });

  it('a board exception is one clear line with its code, exit 1, no stack', async () => {
    const run = await belay(['exec', '--port', 'emulator', "import os\nos.stat('/nope')"], { cwd: project() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[BOARD_EXCEPTION]');
    expect(run.stderr).toContain('ENOENT');
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('--debug adds the stack and the conversation', async () => {
    const run = await belay(['exec', '--debug', '--port', 'emulator', 'raise ValueError(1)'], { cwd: project() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[debug] >>');
    expect(run.stderr).toMatch(/at .*\.js:\d+/);
  });

  it('devices works without udevadm and says how it listed', async () => {
    const run = await belay(['devices', '--json']);
    expect(run.code).toBe(0);
    const listing = JSON.parse(run.stdout);
    expect(Array.isArray(listing.ports)).toBe(true);
  });

  it('auto with no board is a clear error', async () => {
    const run = await belay(['exec', 'print(1)', '--port', 'auto'], { cwd: project() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[PORT_(NOT_FOUND|AMBIGUOUS)\]/);
  });

  it('a missing serial port is PORT_NOT_FOUND', async () => {
    const run = await belay(['exec', 'print(1)', '--port', '/dev/ttyNOPE99'], { cwd: project() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[PORT_NOT_FOUND]');
  });

  it('run streams a local file and reports a missing one', async () => {
    const cwd = project();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, 'hello.py'), "for i in range(3):\n    print('line', i)\n");
    const run = await belay(['run', 'hello.py', '--port', 'emulator'], { cwd });
    expect(run).toMatchObject({ code: 0, stdout: 'line 0\nline 1\nline 2\n' });
    const missing = await belay(['run', 'nope.py', '--port', 'emulator'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[LOCAL_IO]');
  });

  it('reset keeps files; --hard too', async () => {
    const cwd = project();
    await belay(['exec', '--port', 'emulator', "open('k','w').write('v')"], { cwd });
    expect((await belay(['reset', '--port', 'emulator'], { cwd })).code).toBe(0);
    expect((await belay(['reset', '--hard', '--port', 'emulator'], { cwd })).code).toBe(0);
    expect((await belay(['exec', '--port', 'emulator', "print(open('k').read())"], { cwd })).stdout).toBe('v\n');
  });

  it('takes the board from belay.yaml (per profile), and --port wins over it', async () => {
    const cwd = project();
    const { writeFileSync, mkdirSync, existsSync } = await import('node:fs');
    mkdirSync(join(cwd, 'src', 'deep'), { recursive: true });
    writeFileSync(
      join(cwd, 'belay.yaml'),
      'device:\n  port: emulator:from-config\nprofiles:\n  other:\n    device:\n      port: emulator:from-profile\n',
    );
    const sub = join(cwd, 'src', 'deep');
    expect((await belay(['exec', 'print(1)'], { cwd: sub })).stdout).toBe('1\n');
    expect(existsSync(join(cwd, '.belay', 'emulator', 'from-config'))).toBe(true);
    expect((await belay(['exec', 'print(2)', '--profile', 'other'], { cwd: sub })).stdout).toBe('2\n');
    expect(existsSync(join(cwd, '.belay', 'emulator', 'from-profile'))).toBe(true);
    expect((await belay(['exec', 'print(3)', '--port', 'emulator:flag'], { cwd: sub })).stdout).toBe('3\n');
    expect(existsSync(join(cwd, '.belay', 'emulator', 'flag'))).toBe(true);
  });

  it('a broken belay.yaml stops commands that need it, with its position', async () => {
    const cwd = project();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, 'belay.yaml'), 'device:\n  port: [unclosed\n');
    const run = await belay(['exec', 'print(1)'], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[CONFIG_SYNTAX]');
    expect(run.stderr).toMatch(/belay\.yaml:\d+:\d+/);
  });

  it('unknown commands and bad options exit 2', async () => {
    expect((await belay(['frobnicate'])).code).toBe(2);
    expect((await belay(['exec'])).code).toBe(2);
    expect((await belay(['--baud', 'fast', 'info'])).code).toBe(2);
  });
});
