/**
 * The library API as a program uses it: exec gives text (bytes on request),
 * fs.list lists one level unless asked for the tree and hashes only when
 * asked, a Device closes itself with `await using`, BelayError.data is
 * typed by code, and one default timeout serves the library and the CLI.
 */
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { DEFAULT_TIMEOUT_MS, isBelayError } from '../../src/index.js';
import { boardPool } from '../helpers/boards.js';
import { belay, tempProject } from '../helpers/cli.js';

const boards = boardPool();
afterEach(boards.closeAll);

describe('the library', () => {
  it('exec returns stdout as text, or as exact bytes on request', async () => {
    const b = await boards.open('in-process');
    const device = await Device.over(b.transport);
    const text = await device.exec("print('ünï', 6*7)");
    expectTypeOf(text.stdout).toEqualTypeOf<string>();
    expect(text.stdout.trim()).toBe('ünï 42');
    const bytes = await device.exec('import sys\nsys.stdout.buffer.write(bytes([0xff, 0x41, 0x00]))', { bytes: true });
    expectTypeOf(bytes.stdout).toEqualTypeOf<Buffer>();
    expect([...bytes.stdout]).toEqual([0xff, 0x41, 0x00]);
  });

  it('fs.list lists one level without hashes unless asked for the tree and the hashes', async () => {
    const b = await boards.open('in-process');
    const device = await Device.over(b.transport);
    await device.exec("import os\nos.mkdir('/a')\nos.mkdir('/a/b')\nopen('/a/b/deep.txt','w').write('d')\nopen('/top.txt','w').write('t')");
    const level = await device.fs.list('/');
    expect(level.map((e) => e.path)).toEqual(['/a', '/top.txt']);
    expect(level.some((e) => e.hash !== undefined)).toBe(false);
    const tree = await device.fs.list('/', { recursive: true, hash: true });
    expect(tree.map((e) => e.path)).toEqual(['/a', '/a/b', '/a/b/deep.txt', '/top.txt']);
    expect(tree.filter((e) => e.kind === 'file').every((e) => e.hash?.algorithm === 'sha256')).toBe(true);
  });

  it('a Device closes itself at the end of an `await using` block', async () => {
    const b = await boards.open('in-process');
    {
      await using device = await Device.over(b.transport);
      expect((await device.exec('print(1)')).stdout.trim()).toBe('1');
    }
    expect(b.transport.closed).toBe(true);
  });

  it('BelayError.data is typed by its code', async () => {
    const b = await boards.open('in-process');
    const device = await Device.over(b.transport);
    const err: unknown = await device.exec("import os\nos.stat('/missing')").catch((e: unknown) => e);
    expect(isBelayError(err, 'BOARD_EXCEPTION')).toBe(true);
    if (isBelayError(err, 'BOARD_EXCEPTION')) {
      expectTypeOf(err.data.type).toEqualTypeOf<string>();
      expectTypeOf(err.data.errnoName).toEqualTypeOf<string | undefined>();
      expect(err.data).toMatchObject({ type: 'OSError', errnoName: 'ENOENT' });
    }
  });

  it('one default timeout, the same in the library and in the CLI', async () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(10_000);
    const help = await belay(['exec', '--help'], { cwd: tempProject() });
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`silent for ${DEFAULT_TIMEOUT_MS / 1000} s`);
  });
});
