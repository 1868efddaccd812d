// A board that runs out of heap says so: a MemoryError comes back as
// BOARD_EXCEPTION of type MemoryError with the heap figures read right after
// it (so a user can tell a small board from one whose boot.py holds the
// memory), never as a protocol error or a timeout, and the board stays usable.
// (The file commands themselves at 32 KiB: the 32 KiB boards in helpers.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { cleanup, tempDir } from './helpers.js';

const HEAP = 32 * 1024;

const opened: Array<{ board: EmulatorTransport; flash: string }> = [];
afterEach(async () => {
  for (const { board, flash } of opened.splice(0)) {
    await board.close();
    cleanup(flash);
  }
});

async function smallBoard(bootPy?: string) {
  const flash = tempDir('flash');
  if (bootPy) writeFileSync(join(flash, 'boot.py'), bootPy);
  const board = await EmulatorTransport.open({ dir: flash, runMain: false, heapSize: HEAP, start: 'power-on' });
  opened.push({ board, flash });
  return { board, flash, device: await Device.over(board) };
}

function expectHeapFigures(err: unknown) {
  expect(err).toMatchObject({ code: 'BOARD_EXCEPTION', data: { type: 'MemoryError' } });
  const heap = (err as { data: { heap: { free: number; used: number; total: number } } }).data.heap;
  expect(heap.free + heap.used).toBe(heap.total);
  expect(heap.total).toBeGreaterThan(HEAP - 2048);
  expect(heap.total).toBeLessThanOrEqual(HEAP);
}

describe('running out of heap on a 32 KiB board', () => {
  it('a program that asks for too much gets MemoryError with the heap figures, and the board carries on', async () => {
    const { device } = await smallBoard();
    const err = await device.exec('_b = bytearray(48 * 1024)').catch((e: unknown) => e);
    expectHeapFigures(err);
    expect((await device.exec('print(6 * 7)')).stdout.toString().trim()).toBe('42');
  });

  it('a file command on a board whose boot.py holds the heap reports MemoryError, changes nothing', async () => {
    // 12 KB held: the board answers, lists, but has no room to take the write
    // helpers (8-15 KB all do: the middle, so neither side of the margin
    // moves with a helper a few lines longer or shorter).
    const { device, flash } = await smallBoard('_hog = bytearray(12000)\n');
    expect(await device.fs.list('/')).toHaveLength(1);
    const err = await device.fs.write('/main.py', Buffer.from('x = 1\n'.repeat(2000))).catch((e: unknown) => e);
    expectHeapFigures(err);
    expect(existsSync(join(flash, 'main.py'))).toBe(false);
    expect(readdirSync(flash)).toEqual(['boot.py']);
  });
});
