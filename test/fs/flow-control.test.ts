// Credit flow control against a board as opaque as hardware: a 256-byte
// receive buffer that drops what overflows (a UART bridge), and no word about
// its size; and the same buffer behind native USB, which never drops. The
// window comes from the link kind: a bridge and an unknown link (a pty)
// never get more than 256 bytes in flight, compressed uploads included.
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { Device } from '../../src/device/device.js';
import { isBelayError } from '../../src/errors.js';
import { randomPayload, sha256, tempDir } from './helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBoard as openTestBoard } from '../helpers/boards.js';
import { describeWithSocat } from '../helpers/socat.js';

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

/** Source text that compresses, some KiB of it. */
function pythonText(size: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < size; i++) lines.push(`def handler_${i}(event, value=${i}):\n    return process(event, value * ${i % 7}, name="h${i}")`);
  return Buffer.from(lines.join('\n').slice(0, size));
}

describe('the window by link kind, against a 256-byte buffer that drops', () => {
  it('a USB-UART bridge gets 256 bytes in flight, plain and compressed, and loses nothing', async () => {
    const { board, device, flash } = await smallBufferBoard();
    expect(board.link.kind).toBe('uart');
    expect(device.fs.window.window).toBe(256);
    const data = randomPayload(24 * 1024);
    const text = pythonText(24 * 1024);
    expect((await device.fs.write('/blob.bin', data)).compressed).toBeUndefined();
    const fs2 = (await Device.over(board, { fs: { compress: 'always' } })).fs;
    const stats = await fs2.write('/text.py', text);
    expect(stats.compressed).toBeLessThan(text.length / 2);
    expect(board.droppedBytes).toBe(0);
    expect(sha256(readFileSync(join(flash, 'blob.bin')))).toBe(sha256(data));
    expect(readFileSync(join(flash, 'text.py')).equals(text)).toBe(true);
  });

  it('native USB gets a window larger than the buffer (the link holds the host back)', async () => {
    const { board, device } = await smallBufferBoard(undefined, 'usb');
    expect(device.fs.window.window).toBeGreaterThan(256);
    await device.fs.write('/blob.bin', randomPayload(16 * 1024));
    expect(board.droppedBytes).toBe(0);
  });
});

describeWithSocat('the window over a pty (an unknown link)', () => {
  it('is 256 bytes: a board behind a pty that does not tell its buffer loses nothing', async () => {
    const test = await openTestBoard('pty', { dir: join(tempDir('flash'), 'f'), rxBuffer: 256, announceRxBuffer: false });
    try {
      const device = await Device.over(test.transport); // a pty opened at 115200: a slow link, as far as belay can tell
      expect(device.transport.link?.kind).toBe('unknown');
      expect(device.fs.window.window).toBe(256);
      const text = pythonText(16 * 1024);
      const data = randomPayload(16 * 1024);
      expect((await device.fs.write('/text.py', text)).compressed).toBeDefined();
      expect((await device.fs.write('/blob.bin', data)).compressed).toBeUndefined(); // incompressible: sent as it is
      expect(test.board.droppedBytes).toBe(0);
      expect(readFileSync(join(test.flash, 'text.py')).equals(text)).toBe(true);
      expect(sha256(readFileSync(join(test.flash, 'blob.bin')))).toBe(sha256(data));
      await device.close();
    } finally {
      await test.close();
    }
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
