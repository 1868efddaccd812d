// A fixed MicroPython heap, as on a small board: MemoryError past it, and
// gc.collect() that frees garbage in the middle of a program.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { isBelayError } from '../../src/errors.js';
import { tempDir } from '../helpers/boards.js';

const open: EmulatorTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((board) => board.close()));
});
async function device(heapSize?: number) {
  const board = await EmulatorTransport.open({ dir: join(tempDir(), 'flash'), runMain: false, heapSize });
  open.push(board);
  return Device.over(board);
}
const out = async (d: Device, code: string) => (await d.exec(code)).stdout.toString().trim();

describe('a fixed heap', () => {
  it('is the size asked for, and a larger allocation is a MemoryError', async () => {
    const small = await device(32 * 1024);
    const [free, used] = (await out(small, 'import gc\nprint(gc.mem_free(), gc.mem_alloc())')).split(' ').map(Number);
    expect(free + used).toBeLessThanOrEqual(32 * 1024);
    expect(free + used).toBeGreaterThan(28 * 1024);
    const error = await small.exec('x = bytearray(40000)').catch((err: unknown) => err);
    expect(isBelayError(error, 'BOARD_EXCEPTION') && error.data.type).toBe('MemoryError');
    expect(await out(small, 'print(6 * 7)')).toBe('42'); // the board carries on
  });

  it('collects garbage when a program calls gc.collect(), as a board does', async () => {
    const small = await device(32 * 1024);
    // 200 KB of garbage in one program: only collections along the way let it finish.
    const result = await out(
      small,
      'import gc\nfor i in range(2000):\n    y = bytes(100)\n    if i % 50 == 0:\n        gc.collect()\ngc.collect()\nprint(gc.mem_free())',
    );
    expect(Number(result)).toBeGreaterThan(20 * 1024);
  });

  it('does not hold a raw-paste program\'s text: 30 KB of source runs on a 32 KiB heap, as on a board', async () => {
    const small = await device(32 * 1024);
    const comments = Array.from({ length: 450 }, (_, i) => `# line ${i} ${'-'.repeat(60)}`).join('\n');
    expect(comments.length).toBeGreaterThan(30_000);
    expect(await out(small, `${comments}\nprint(6 * 7)`)).toBe('42');
  });

  it('is not there by default: the heap grows as the program needs', async () => {
    const roomy = await device();
    expect(await out(roomy, 'x = bytearray(4000000)\nprint(len(x))')).toBe('4000000');
  });

  it('refuses a heap too small to start the interpreter', async () => {
    await expect(device(4096)).rejects.toMatchObject({ code: 'USAGE' });
  });
});
