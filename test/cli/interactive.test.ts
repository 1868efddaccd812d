/**
 * The built binary across processes: `emulator serve` puts a board on a
 * pseudo-terminal that another belay opens as a serial port (Ctrl-C and
 * its kin: interrupts.test.ts).
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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

describeWithSocat('emulator serve across processes', () => {
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
