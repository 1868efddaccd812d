/**
 * The built binary under signals and across processes: Ctrl-C stops a
 * running program and leaves the board usable; `emulator serve` puts a
 * board on a pseudo-terminal that another belay opens as a serial port.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

function belay(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: cliEnv(cwd), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function waitFor(stream: NodeJS.ReadableStream, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${text}; saw ${seen}`)), 20_000);
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

describe('belay under signals and across processes', { timeout: 180_000 }, () => {
  it('Ctrl-C stops `belay run`, exits 130, and the board answers the next command', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'belay-sigint-'));
    writeFileSync(join(cwd, 'loop.py'), "print('started')\nwhile True:\n    pass\n");
    const child = spawn(process.execPath, [BIN, 'run', 'loop.py', '--port', 'emulator'], { cwd, env: cliEnv(cwd) });
    await waitFor(child.stdout, 'started');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    const next = await belay(['exec', 'print(7*6)', '--port', 'emulator'], cwd);
    expect(next).toMatchObject({ code: 0, stdout: '42\n' });
  });
});

describeWithSocat('emulator serve', () => {
  it('emulator serve puts the board on a pty that belay opens as a serial port', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'belay-serve-'));
    const link = join(cwd, 'tty-board');
    const server = spawn(process.execPath, [BIN, 'emulator', 'serve', '--link', link], { cwd, env: cliEnv(cwd) });
    try {
      await waitFor(server.stdout, link);
      const first = await belay(['exec', "open('/via-pty.txt','w').write('ok')\nprint(6*7)", '--port', link], cwd);
      expect(first).toMatchObject({ code: 0, stdout: '42\n' });
      // a second connection to the same running board
      const second = await belay(['exec', "print(open('/via-pty.txt').read())", '--port', link], cwd);
      expect(second).toMatchObject({ code: 0, stdout: 'ok\n' });
      const info = JSON.parse((await belay(['info', '--json', '--port', link], cwd)).stdout);
      expect(info.port).toBe(link);
    } finally {
      server.kill('SIGINT');
      await new Promise((resolve) => server.on('exit', resolve));
    }
  });
}, { timeout: 180_000 });
