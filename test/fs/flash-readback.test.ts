// A staged file is verified by hashing it back from the board's flash, not
// the bytes that passed through the board's RAM: a flash that stores one
// byte other than the program wrote (the emulated board's corruptAtWrite
// fault; every byte on the link is right) ends the upload in VERIFY_FAILED,
// the target untouched and nothing staged left, on both transfer paths.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { cleanup, tempDir } from './helpers.js';

const PAYLOAD = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff));
const OLD = Buffer.from('the old content\n');

type Transfer = 'binary' | 'encoded';

/** Powers a board on a fresh flash holding /data.bin, installs the helpers, and runs `work`. */
async function session<T>(transfer: Transfer, options: Omit<EmulatorOptions, 'dir'>, work: (device: Device, board: EmulatorTransport, flash: string) => Promise<T>): Promise<T> {
  const flash = tempDir('flash');
  writeFileSync(join(flash, 'data.bin'), OLD);
  const board = await EmulatorTransport.open({ ...options, dir: flash, runMain: false });
  try {
    const device = await Device.over(board, { fs: { transfer, helperCache: false } });
    // The same steps before the upload in every session, so mutation numbers match between them.
    await device.fs.write('/warm.txt', Buffer.from('warm'));
    await device.fs.remove('/warm.txt');
    return await work(device, board, flash);
  } finally {
    await board.close();
    cleanup(flash);
  }
}

describe.each<Transfer>(['binary', 'encoded'])('flash that keeps a wrong byte, on the %s path', (transfer) => {
  it('fails the upload with VERIFY_FAILED; the target is untouched, no temp left', async () => {
    // A clean upload: which mutations write its data.
    const span = await session(transfer, {}, async (device, board) => {
      const before = board.mutations;
      await device.fs.write('/data.bin', PAYLOAD);
      return { before, after: board.mutations };
    });
    // One in the middle: well inside the payload, past the records written before it.
    const corruptAtWrite = Math.floor((span.before + span.after) / 2);
    await session(transfer, { corruptAtWrite }, async (device, _board, flash) => {
      await expect(device.fs.write('/data.bin', PAYLOAD)).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
      expect(readFileSync(join(flash, 'data.bin')).equals(OLD)).toBe(true);
      expect(readdirSync(flash).sort()).toEqual(['data.bin']);
    });
  });
});
