// The same transfers through the real serialport code: the emulated board is
// served on a pseudo-terminal (socat) and opened like a USB board.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putTree, getTree } from '../../src/device/fs/index.js';
import { describeWithSocat } from '../helpers/socat.js';
import { ODD_NAMES, cleanup, openBoardOverPty, randomPayload, sha256, tempDir, type Board } from './helpers.js';

describeWithSocat('transfers over a pseudo-terminal', () => {
  let board: Board;
  const dirs: string[] = [];
  beforeAll(async () => {
    board = await openBoardOverPty();
  });
  afterAll(async () => {
    await board?.close();
    cleanup(board.flash, ...dirs);
  });

  it('moves 1 MiB of every byte value up and down unchanged', async () => {
    const data = randomPayload(1024 * 1024);
    const up = await board.device.fs.write('/blob.bin', data);
    expect(up.method).toBe('binary');
    expect(sha256(readFileSync(join(board.flash, 'blob.bin')))).toBe(sha256(data));
    const { data: back } = await board.device.fs.read('/blob.bin');
    expect(sha256(back!)).toBe(sha256(data));
  });

  // 200 files up, again (all skipped) and down: room for a busy machine.
  it('puts and gets a 200-file tree with odd names', { timeout: 120_000 }, async () => {
    const local = tempDir('pty-tree');
    const back = tempDir('pty-back');
    dirs.push(local, back);
    for (let i = 0; i < 200; i++) {
      mkdirSync(join(local, `d${i % 4}`), { recursive: true });
      writeFileSync(join(local, `d${i % 4}`, `f${i}.py`), `v = ${i}\n`);
    }
    for (const name of ODD_NAMES) writeFileSync(join(local, name.replace(/\//g, '_')), name);
    await putTree(board.device.fs, local, '/t');
    const again = await putTree(board.device.fs, local, '/t');
    expect(again.files.every((f) => f.action === 'skip')).toBe(true);
    await getTree(board.device.fs, '/t', back);
    for (const name of ODD_NAMES) expect(readFileSync(join(back, name), 'utf8')).toBe(name);
    expect(readdirSync(join(back, 'd1')).length).toBe(50);
  });

  it('Ctrl-C mid-upload leaves no file and an idle board', async () => {
    const controller = new AbortController();
    const write = board.device.fs.write('/abort.bin', randomPayload(300 * 1024), {
      signal: controller.signal,
      onProgress: ({ done }) => done > 30_000 && controller.abort(),
    });
    await expect(write).rejects.toMatchObject({ code: 'ABORTED' });
    expect(readdirSync(board.flash).filter((n) => n.includes('abort'))).toEqual([]);
    expect((await board.device.exec('print(1+1)')).stdout.toString().trim()).toBe('2');
  });
});
