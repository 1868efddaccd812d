// A nearly full board: the space check refuses an upload before sending a
// byte, saying what is needed and that the old copy stays; `inPlace`
// replaces a file that has no room for a second copy, with nothing staged;
// a free count that cannot be right is unknown, not nonsense, and blocks nothing.
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

  it('a free count the board gets wrong is unknown, and the space check steps aside', async () => {
    const board = await fullBoard();
    // littlefs can miscount on a nearly full flash; here its statvfs says
    // more blocks are free than the filesystem has.
    await board.device.exec(
      [
        'import sys, os',
        'class _MiscountingOs:',
        '    def statvfs(self, path):',
        '        s = self.real.statvfs(path)',
        '        return (s[0], s[1], s[2], s[2] + 7, s[2] + 7) + tuple(s[5:])',
        '    def __getattr__(self, name):',
        '        return getattr(self.real, name)',
        '_MiscountingOs.real = os',
        "sys.modules['os'] = _MiscountingOs()",
      ].join('\n'),
    );
    const usage = await board.device.fs.df('/');
    expect(usage.size).toBe(64 * 1024);
    expect(usage.free).toBeNull();
    expect(usage.used).toBeNull();
    const small = randomPayload(1024);
    await board.device.fs.write('/small.bin', small);
    expect(readFileSync(join(board.flash, 'small.bin')).equals(small)).toBe(true);
  });
});
