// Credit flow control against a board as opaque as hardware: a 256-byte
// receive buffer that drops what overflows (a UART bridge), and no word about
// its size; and the same buffer behind native USB, which never drops.
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { Device } from '../../src/device/device.js';
import { isBelayError } from '../../src/errors.js';
import { randomPayload, sha256, tempDir } from './helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const open: EmulatorTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((board) => board.close()));
});

async function smallBufferBoard(timeoutMs?: number, link: 'uart' | 'usb' = 'uart', window?: number) {
  const flash = tempDir('flash');
  const board = await EmulatorTransport.open({ dir: flash, rxBuffer: 256, announceRxBuffer: false, runMain: false, link });
  open.push(board);
  const device = await Device.over(board, { timeoutMs, fs: { window } });
  return { board, device, flash };
}

describe('uploads to a board with a small, unannounced receive buffer', () => {
  it('lose no byte with the default window', async () => {
    const { board, device, flash } = await smallBufferBoard();
    const data = randomPayload(128 * 1024);
    expect((await device.fs.probe()).rxBuffer).toBeUndefined();
    const stats = await device.fs.write('/blob.bin', data);
    expect(stats.method).toBe('binary');
    expect(board.droppedBytes).toBe(0);
    expect(sha256(readFileSync(join(flash, 'blob.bin')))).toBe(sha256(data));
  });

  it('overflow it when the window is larger than the buffer (the control case), and never commit', async () => {
    const { board, device, flash } = await smallBufferBoard(1500, 'uart', 4096);
    const data = randomPayload(64 * 1024);
    const outcome = await device.fs.write('/blob.bin', data).then(
      () => 'written',
      (err: unknown) => (isBelayError(err) ? err.code : 'other'),
    );
    expect(outcome).not.toBe('written');
    expect(board.droppedBytes).toBeGreaterThan(0);
    expect(() => readFileSync(join(flash, 'blob.bin'))).toThrow();
  });
});

describe('uploads to a board on native USB with the same small buffer', () => {
  it('lose no byte even with a window far larger than the buffer: the link holds the host back', async () => {
    const { board, device, flash } = await smallBufferBoard(undefined, 'usb', 4096);
    const data = randomPayload(64 * 1024);
    await device.fs.write('/blob.bin', data);
    expect(board.droppedBytes).toBe(0);
    expect(sha256(readFileSync(join(flash, 'blob.bin')))).toBe(sha256(data));
  });
});
