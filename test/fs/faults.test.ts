// Failures mid-upload never leave a partial file at the target: a full
// flash (NO_SPACE), a cut link (LINK_LOST, then a reconnect shows the target
// untouched and the next session's recovery removes the staged temp) and
// Ctrl-C (ABORTED, board idle), on the fast path and each fallback.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BOARDS, cleanup, openBoard, randomPayload, sha256, type Board } from './helpers.js';

describe.each(BOARDS)('failures mid-upload on a $name', ({ options }) => {
  const boards: Board[] = [];
  const open = async (extra = {}, flash?: string) => {
    const board = await openBoard({ ...options, ...extra }, flash);
    boards.push(board);
    return board;
  };
  afterEach(async () => {
    for (const board of boards.splice(0)) {
      await board.close();
      cleanup(board.flash);
    }
  });

  it('a full flash gives NO_SPACE and leaves neither target nor temp', async () => {
    const board = await open({ flashSize: 64 * 1024 });
    await expect(board.device.fs.write('/big.bin', randomPayload(200 * 1024))).rejects.toMatchObject({ code: 'NO_SPACE' });
    expect(readdirSync(board.flash)).toEqual([]);
    // The board is back at the prompt and the space is free again.
    await board.device.fs.write('/small.txt', Buffer.from('fits'));
    expect(readFileSync(join(board.flash, 'small.txt'), 'utf8')).toBe('fits');
  });

  it('a cut link leaves the old target intact; the next put replaces it and cleans up', async () => {
    const first = await open();
    const old = Buffer.from('old content\n');
    await first.device.fs.write('/data.bin', old);
    await first.close();
    boards.length = 0;
    // Cut the link once about 40 KB of a 200 KB upload have been sent.
    const cut = await open({ dropAfterBytes: 60_000 }, first.flash);
    const data = randomPayload(200 * 1024);
    await expect(cut.device.fs.write('/data.bin', data)).rejects.toMatchObject({ code: 'LINK_LOST' });
    await cut.close();
    boards.length = 0;
    expect(readFileSync(join(first.flash, 'data.bin')).equals(old)).toBe(true);
    // What the cut left: the staged temp and the record of it (/.belay/intent.log), nothing else.
    const leftovers = readdirSync(first.flash).filter((name) => name !== 'data.bin');
    expect(leftovers.every((name) => name.startsWith('.belay-tmp-') || name === '.belay')).toBe(true);
    const again = await open({}, first.flash);
    await again.device.fs.write('/data.bin', data);
    expect(readdirSync(first.flash)).toEqual(['data.bin']);
    expect(sha256(readFileSync(join(first.flash, 'data.bin')))).toBe(sha256(data));
  });

  it('Ctrl-C mid-upload gives ABORTED, removes the temp and leaves the board idle', async () => {
    const board = await open();
    const controller = new AbortController();
    const data = randomPayload(300 * 1024);
    const write = board.device.fs.write('/abort.bin', data, {
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done > 40 * 1024) controller.abort();
      },
    });
    await expect(write).rejects.toMatchObject({ code: 'ABORTED' });
    expect(readdirSync(board.flash)).toEqual([]);
    const { stdout } = await board.device.exec('print(6 * 7)');
    expect(stdout.toString().trim()).toBe('42');
    expect(await board.device.fs.list('/')).toEqual([]);
  });

  it('Ctrl-C mid-download leaves the board idle', async () => {
    const board = await open();
    await board.device.fs.write('/down.bin', randomPayload(300 * 1024));
    const controller = new AbortController();
    const read = board.device.fs.read('/down.bin', {
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done > 40 * 1024) controller.abort();
      },
    });
    await expect(read).rejects.toMatchObject({ code: 'ABORTED' });
    const { stdout } = await board.device.exec('print(6 * 7)');
    expect(stdout.toString().trim()).toBe('42');
    expect(existsSync(join(board.flash, 'down.bin'))).toBe(true);
  });
});
