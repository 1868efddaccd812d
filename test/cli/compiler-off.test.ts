/**
 * File transfers switch V8's optimising compiler off once bytes flow
 * (src/cli/compiler-off.ts): a 1 MiB put and get over a pty optimise next
 * to nothing (V8's --trace-opt says what it optimised; the per-frame
 * functions made dozens of optimisations before). The code cache a cold
 * put writes is made before the switch, so the next run can use it (V8
 * refuses a cache made under other flags).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/boards.js';
import { BIN, cliBoard, cliEnv, tempProject } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';

/** Runs the built CLI under `node ...nodeFlags` with its own code cache folder; resolves with stdout and stderr. */
function run(cwd: string, cacheHome: string, args: string[], nodeFlags: string[] = []): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, BIN, ...args], { cwd, env: cliEnv(cwd, { XDG_CACHE_HOME: cacheHome }), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`belay ${args.join(' ')}: ${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

const optimised = (trace: string) => trace.split('\n').filter((line) => line.includes('completed optimizing')).length;

describeWithSocat('transfers without the optimising compiler', () => {
  it('a 1 MiB put and get over a pty optimise next to nothing', { timeout: 180_000 }, async () => {
    const cwd = tempProject('belay-compiler-');
    const cacheHome = tempDir('belay-compiler-cache-');
    writeFileSync(join(cwd, 'big.bin'), randomBytes(1024 * 1024));
    writeFileSync(join(cwd, 'small.py'), 'x = 1\n');
    const board = await cliBoard('pty', cwd);
    try {
      // The board's first write saves belay's helper copies and boot copy (a one-off: ~16 KB of source through the
      // program sender, which V8 may optimise before any file byte flows); the transfers below are what this is about.
      await run(cwd, cacheHome, ['--port', board.port, 'put', 'small.py', '/small.py']);
      const put = await run(cwd, cacheHome, ['--port', board.port, 'put', 'big.bin', '/big.bin'], ['--trace-opt']);
      const get = await run(cwd, cacheHome, ['--port', board.port, 'get', '/big.bin', 'back.bin'], ['--trace-opt']);
      expect(execFileSync('cmp', [join(cwd, 'big.bin'), join(cwd, 'back.bin')]).length).toBe(0);
      expect(optimised(put.stdout)).toBeLessThanOrEqual(2);
      expect(optimised(get.stdout)).toBeLessThanOrEqual(2);
    } finally {
      await board.close();
    }
  });
});

describe('the code cache of a transfer', () => {
  it('is written before the switch: the next run can use the cache a cold put wrote', { timeout: 120_000 }, async () => {
    const cwd = tempProject('belay-compiler-');
    const cacheHome = tempDir('belay-compiler-cache-');
    writeFileSync(join(cwd, 'data.bin'), randomBytes(16 * 1024));
    await run(cwd, cacheHome, ['--port', 'emulator', 'put', 'data.bin', '/data.bin']);
    const folder = join(cacheHome, 'belay', 'compile-cache');
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    // A fresh node, as the next command starts: does V8 take the cache for the bundle?
    const check = [
      "const { readFileSync } = require('node:fs');",
      "const { Script } = require('node:vm');",
      'const [bundle, cache] = process.argv.slice(1).map((file) => readFileSync(file));',
      // The cache file: 16 header bytes (magic, source and data lengths), the source, then V8's data twice (compile-cache.ts).
      'const data = cache.subarray(16 + bundle.length, 16 + bundle.length + cache.readUInt32LE(12));',
      "const script = new Script(bundle.toString('latin1'), { cachedData: data });",
      "process.stdout.write(script.cachedDataRejected ? 'rejected' : 'used');",
    ].join('\n');
    const verdict = execFileSync(process.execPath, ['-e', check, join(BIN, '..', 'cli.js'), join(folder, files[0])], { encoding: 'utf8' });
    expect(verdict).toBe('used');
  });
});
