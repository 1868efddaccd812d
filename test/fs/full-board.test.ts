// A nearly full board: the space check refuses an upload before sending a
// byte, saying what is needed and that the old copy stays; `inPlace`
// replaces a file that has no room for a second copy, with nothing staged.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, openBoard, randomPayload, tempDir, type Board } from './helpers.js';

describe('a nearly full board', () => {
  const boards: Board[] = [];
  afterEach(async () => {
    for (const board of boards.splice(0)) {
      await board.close();
      cleanup(board.flash);
    }
  });

  const fullBoard = async () => {
    const flash = tempDir('flash');
    // 64 KiB of flash, 40 KiB of it one file: a second copy of that file cannot fit.
    writeFileSync(join(flash, 'big.bin'), randomPayload(40 * 1024));
    const board = await openBoard({ flashSize: 64 * 1024 }, flash);
    boards.push(board);
    return board;
  };

  it('refuses a replacement with no room beside the old copy, before sending it', async () => {
    const board = await fullBoard();
    await board.device.fs.filesystemOf('/'); // the helpers go over first, so what follows is the write's own traffic
    const before = board.device.transport.wire.sent;
    const err = await board.device.fs.write('/big.bin', randomPayload(40 * 1024)).then(
      () => undefined,
      (e: unknown) => e as { code: string; data: { needed: number; free: number } },
    );
    expect(err?.code).toBe('NO_SPACE');
    expect(err!.data.needed).toBeGreaterThan(err!.data.free);
    expect(board.device.transport.wire.sent - before).toBeLessThan(4 * 1024); // the check, not the 40 KiB
    expect(readdirSync(board.flash)).toEqual(['big.bin']);
  });

  it('replaces it in place when asked, leaving nothing staged', async () => {
    const board = await fullBoard();
    const next = randomPayload(40 * 1024);
    const stats = await board.device.fs.write('/big.bin', next, { inPlace: true });
    expect(stats.bytes).toBe(next.length);
    expect(readFileSync(join(board.flash, 'big.bin')).equals(next)).toBe(true);
    expect(readdirSync(board.flash)).toEqual(['big.bin']);
  });
});
