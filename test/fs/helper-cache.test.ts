// The helpers' copy on the board's flash (src/device/fs/helper-cache.ts):
// a board with heap to spare keeps each helper file under /.belay/helpers
// and a later session (after a reset, or a `run` that cleared the heap)
// runs it from there instead of receiving it again. A copy whose digest is
// not the expected one (torn, another version's, foreign) is never run; a
// board too small to keep the helpers, or a flash without room, gets no
// copy at all, and a session that only reads writes none.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Device, type DeviceFsOptions } from '../../src/index.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { groupVersion, installPrograms, removalProgram, stripped } from '../../src/device/fs/board-code.js';
import { helperDigest, savePrograms } from '../../src/device/fs/helper-cache.js';
import { bootPath, bootText } from '../../src/device/boot-copy.js';
import { probeProgram } from '../../src/device/probe-program.js';
import { cleanup, tempDir } from './helpers.js';

const opened: Array<{ board: EmulatorTransport; flash: string }> = [];
afterEach(async () => {
  for (const { board, flash } of opened.splice(0)) {
    await board.close();
    cleanup(flash);
  }
});

/** A fresh interpreter on `flash` (a reset board: nothing in its heap), and a Device on it. */
async function session(flash: string, options: Partial<EmulatorOptions> = {}, fs: DeviceFsOptions = {}): Promise<Device> {
  const board = await EmulatorTransport.open({ runMain: false, ...options, dir: flash });
  opened.push({ board, flash });
  return Device.over(board, { fs });
}

/** Bytes sent to the board by `work`. */
async function sentBy(device: Device, work: () => Promise<unknown>): Promise<number> {
  const before = device.transport.wire.sent;
  await work();
  return device.transport.wire.sent - before;
}

/** Everything the host sends `board` from now on, as text. */
function recordSent(board: EmulatorTransport): () => string {
  let sent = '';
  const write = board.write.bind(board);
  board.write = (bytes: Uint8Array) => {
    sent += Buffer.from(bytes).toString('latin1');
    return write(bytes);
  };
  return () => sent;
}

/** One session on `flash` that writes /a.py, then closes (the board keeps its flash). */
async function firstWrite(flash: string): Promise<void> {
  const device = await session(flash);
  await device.fs.write('/a.py', content);
  await device.close();
}

const helpers = (flash: string) => join(flash, '.belay', 'helpers');
const BOOT_FILE = bootPath().split('/').pop()!;
const copyName = (name: string) => `${name}-${helperDigest(name).slice(0, 16)}.py`;
const WRITE_FILES = ['fs_lib', 'fs_tree', 'fs_op', 'fs_download', 'fs_tx', 'fs_names', 'fs_frames', 'fs_upload', 'fs_put'];
const helperBytes = installPrograms(['base', 'write', 'frames', 'upload']).join('').length;
const content = Buffer.from('print("hello")\n');

describe('the helpers\' copy on a board with room', () => {
  it('is saved by the first session and run by the next instead of being sent', async () => {
    const flash = tempDir('flash');
    const first = await session(flash);
    expect(first.capabilities.helperCopies).toBe(false);
    await first.fs.write('/a.py', content);
    expect(readdirSync(helpers(flash)).sort()).toEqual([...WRITE_FILES.map(copyName), BOOT_FILE].sort());
    for (const name of WRITE_FILES) expect(readFileSync(join(helpers(flash), copyName(name)), 'utf8')).toBe(`${stripped(name)}\n`);
    expect(readFileSync(join(helpers(flash), BOOT_FILE), 'utf8')).toBe(bootText());
    await first.close();

    const second = await session(flash);
    expect(second.capabilities.helperCopies).toBe(true);
    // Only the loader, which came with the probe from the boot copy.
    expect(second.capabilities.helpers).toEqual({ cache: groupVersion('cache') });
    expect(await sentBy(second, () => second.fs.write('/b.py', content))).toBeLessThan(helperBytes / 3);
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
    // The helpers ran from the copies, with their version markers (what the next session's probe reads), the loader's too.
    expect((await second.exec("print(sorted(k for k in globals() if k.startswith('_bv_')))")).stdout.trim()).toBe("['_bv_base', '_bv_cache', '_bv_frames', '_bv_upload', '_bv_write']");
  });

  it('never runs a copy whose bytes are not the expected ones, and saves the right one over it', async () => {
    const flash = tempDir('flash');
    await firstWrite(flash);
    // Anybody's file under the expected name: it would set a global and break the commit.
    const foreign = "_bforeign = 1\ndef _bcommit(j, jnl):\n    raise RuntimeError('the foreign copy ran')\n";
    writeFileSync(join(helpers(flash), copyName('fs_tx')), foreign);
    // A copy a power cut left short.
    const torn = join(helpers(flash), copyName('fs_lib'));
    writeFileSync(torn, readFileSync(torn).subarray(0, 300));

    const device = await session(flash);
    await device.fs.write('/b.py', content);
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
    expect((await device.exec("print('_bforeign' in globals())")).stdout.trim()).toBe('False');
    expect(readFileSync(join(helpers(flash), copyName('fs_tx')), 'utf8')).toBe(`${stripped('fs_tx')}\n`);
    expect(readFileSync(torn, 'utf8')).toBe(`${stripped('fs_lib')}\n`);
  });

  it('replaces the copy another version left, and leaves no second one', async () => {
    const flash = tempDir('flash');
    await firstWrite(flash);
    writeFileSync(join(helpers(flash), 'fs_op-0123456789abcdef.py'), '_bold = 1\n');
    // Another version's copy is only removed when this one saves its own: make it need to.
    writeFileSync(join(helpers(flash), copyName('fs_op')), 'not this version\n');
    const device = await session(flash);
    await device.fs.write('/b.py', content);
    expect(readdirSync(helpers(flash)).filter((name) => name.startsWith('fs_op-'))).toEqual([copyName('fs_op')]);
  });

  it('a source changed on the way is neither saved nor run: the board gets it as a program instead', async () => {
    const flash = tempDir('flash');
    const device = await session(flash);
    await device.exec("import os\nos.mkdir('/.belay')\nos.mkdir('/.belay/helpers')");
    // What a byte flipped on the link looks like to the board: a source whose digest is not the one given.
    const program = installPrograms(['cache'])[0] + savePrograms(['fs_op'], [], Infinity)[0].replace(helperDigest('fs_op'), '0'.repeat(32));
    expect(JSON.parse((await device.exec(program)).stdout)).toEqual([['fs_op'], ['fs_op']]);
    expect(readdirSync(helpers(flash))).toEqual([]);
    expect((await device.exec("print('_bop' in globals())")).stdout.trim()).toBe('False');
  });

  it('is not saved where it would leave the flash with less than 64 KiB free; the command works as before', async () => {
    const flash = tempDir('flash');
    const device = await session(flash, { flashSize: 64 * 1024 });
    await device.fs.write('/a.py', content);
    expect(readFileSync(join(flash, 'a.py')).equals(content)).toBe(true);
    expect(existsSync(helpers(flash)) ? readdirSync(helpers(flash)) : []).toEqual([]);
  });

  it('is not written by a session that only reads; the first session that writes saves what the reads needed too', async () => {
    const flash = tempDir('flash');
    const device = await session(flash);
    await device.fs.list('/');
    await device.fs.stat('/nothing');
    expect(existsSync(join(flash, '.belay'))).toBe(false);
    await device.fs.write('/a.py', content);
    expect(readdirSync(helpers(flash)).sort()).toEqual([...WRITE_FILES.map(copyName), BOOT_FILE].sort());
    await device.close();
    // A later reading session runs the copies and still writes nothing.
    const reader = await session(flash);
    const before = readdirSync(helpers(flash)).map((name) => readFileSync(join(helpers(flash), name), 'utf8'));
    expect(await sentBy(reader, () => reader.fs.list('/'))).toBeLessThan(installPrograms(['base']).join('').length);
    expect(readdirSync(helpers(flash)).map((name) => readFileSync(join(helpers(flash), name), 'utf8'))).toEqual(before);
  });

  it('brings its loader once: later loads, in the session or the next one on the same board, send only their call', async () => {
    const flash = tempDir('flash');
    await firstWrite(flash);
    // No boot copy (see the next test): the first load (reading helpers) brings the loader, the second (writing ones) does not.
    rmSync(join(helpers(flash), BOOT_FILE));
    const board = await EmulatorTransport.open({ runMain: false, dir: flash });
    opened.push({ board, flash });
    const sent = recordSent(board);
    // As code, after a newline: not inside the text of a copy being saved, where that newline is written as an escape.
    const loaderSent = () => sent().split('\ndef _bld(').length - 1;
    const first = await Device.over(board);
    await first.fs.list('/');
    expect(loaderSent()).toBe(1);
    await first.fs.write('/b.py', content);
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
    expect(loaderSent()).toBe(1);
    // What a `run` does to the heap, for the write helpers only: the next session loads them with the loader it still has.
    const second = await Device.over(board);
    expect(second.capabilities.helpers).toMatchObject({ cache: groupVersion('cache') });
    await second.exec(removalProgram(['write', 'frames', 'upload']));
    const again = await Device.over(board);
    await again.fs.write('/c.py', content);
    expect(readFileSync(join(flash, 'c.py')).equals(content)).toBe(true);
    expect(loaderSent()).toBe(1);
  });

  it('after a reset, the board answers the probe from its boot copy: neither the probe nor the loader goes over the link', async () => {
    const flash = tempDir('flash');
    await firstWrite(flash);
    const board = await EmulatorTransport.open({ runMain: false, dir: flash });
    opened.push({ board, flash });
    const sent = recordSent(board);
    const device = await Device.over(board);
    expect(device.capabilities.bootCopy).toBe(true);
    expect(device.capabilities.helpers).toEqual({ cache: groupVersion('cache') });
    await device.fs.write('/b.py', content);
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
    expect(sent()).not.toContain('def _bprobe(');
    expect(sent()).not.toContain('def _bld(');
    expect(sent().length).toBeLessThan(probeProgram({ resident: true }).length);
  });

  it('never runs a boot copy whose bytes are not the expected ones: the probe is sent, and the next write saves the right copy', async () => {
    const flash = tempDir('flash');
    await firstWrite(flash);
    // Anybody's file under the expected name, answering like a probe.
    writeFileSync(join(helpers(flash), BOOT_FILE), `_bforeign = 1\nprint('["webassembly", false, false, false, false, false, 0, false, false, null, [], {}, false]')\n`);
    const device = await session(flash);
    expect(device.capabilities.bootCopy).toBe(false);
    expect(device.capabilities.hashlib).toBe(true);
    expect((await device.exec("print('_bforeign' in globals())")).stdout.trim()).toBe('False');
    await device.fs.write('/b.py', content);
    expect(readFileSync(join(helpers(flash), BOOT_FILE), 'utf8')).toBe(bootText());
    await device.close();
    const next = await session(flash);
    expect(next.capabilities.bootCopy).toBe(true);
  });

  it('is not used when the library is told not to', async () => {
    const flash = tempDir('flash');
    const device = await session(flash, {}, { helperCache: false });
    await device.fs.write('/a.py', content);
    await device.close();
    expect(existsSync(join(flash, '.belay'))).toBe(false);
  });
});

describe('a board too small to keep the helpers in its heap', () => {
  it('gets no copy (it has no heap for a file\'s text beside what compiling it takes) and is served as before', async () => {
    const flash = tempDir('flash');
    const device = await session(flash, { heapSize: 32 * 1024 });
    await device.fs.write('/a.py', content);
    expect(readFileSync(join(flash, 'a.py')).equals(content)).toBe(true);
    expect(existsSync(join(flash, '.belay'))).toBe(false);
  });
});
