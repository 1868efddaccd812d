// Verification, proven by breaking the link: one byte changed in transit
// (the emulated link's corruption fault) on each transfer path. An upload
// must end in VERIFY_FAILED with the target untouched and no temp or record
// left on the board; a download in VERIFY_FAILED with no file, whole or
// partial, on the host. Each test fails when that path's host-side hash
// comparison is removed.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { getFile } from '../../src/device/fs/index.js';
import { cleanup, tempDir } from './helpers.js';

// Deterministic bytes, so where the corrupted byte lands is the same on every run.
const PAYLOAD = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
const OLD = Buffer.from('the old content\n');

const PATHS = [
  { name: 'binary', transfer: 'binary' as const },
  { name: 'encoded', transfer: 'encoded' as const },
];

describe.each(PATHS)('a corrupted byte on the $name path', ({ transfer }) => {
  const opened: Array<{ board: EmulatorTransport; flash: string }> = [];
  const open = async () => {
    const flash = tempDir('flash');
    writeFileSync(join(flash, 'data.bin'), OLD);
    writeFileSync(join(flash, 'down.bin'), PAYLOAD);
    const board = await EmulatorTransport.open({ dir: flash, runMain: false });
    opened.push({ board, flash });
    const device = await Device.over(board, { fs: { transfer, helperCache: false } });
    // Install every helper first, so the bytes counted below are the transfer's own.
    await device.fs.write('/warm.txt', Buffer.from('warm'));
    await device.fs.remove('/warm.txt');
    return { board, device, flash };
  };
  afterEach(async () => {
    for (const { board, flash } of opened.splice(0)) {
      await board.close();
      cleanup(flash);
    }
  });

  it('upload: VERIFY_FAILED, the target untouched, no temp or record left', async () => {
    const { board, device, flash } = await open();
    // Well inside the payload: past the program that starts the transfer.
    board.corruptAfter('to-board', 20_000, { value: 0x41 });
    await expect(device.fs.write('/data.bin', PAYLOAD)).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
    expect(readFileSync(join(flash, 'data.bin')).equals(OLD)).toBe(true);
    expect(readdirSync(flash).sort()).toEqual(['data.bin', 'down.bin']);
    // The board is usable and the same write now succeeds.
    await device.fs.write('/data.bin', PAYLOAD);
    expect(readFileSync(join(flash, 'data.bin')).equals(PAYLOAD)).toBe(true);
  });

  it('download: VERIFY_FAILED, no file and no partial file on the host', async () => {
    const { board, device } = await open();
    const local = tempDir('local');
    board.corruptAfter('to-host', 20_000, { value: 0x41 });
    await expect(getFile(device.fs, '/down.bin', join(local, 'down.bin'))).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
    expect(readdirSync(local)).toEqual([]);
    expect(existsSync(join(local, 'down.bin'))).toBe(false);
    cleanup(local);
  });
});
