// put -r decides an unchanged tree from one digest per folder: a few bytes
// per folder cross the link, not a line per file. Whatever changed on the
// board (a file's bytes at the same size, an extra file, a folder where a
// file should be) makes that folder's digest differ, so it is listed and
// handled as before; the host computes the digests as the board does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putTree } from '../../src/device/fs/index.js';
import { folderDigest } from '../../src/device/fs/folder-digest.js';
import { cleanup, openBoard, tempDir, type Board, type BoardOptions } from './helpers.js';

function makeTree(root: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const rel = `pkg${i % 4}/sub${i % 3}/module_${i}.py`;
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), `VALUE = ${i}\n`.repeat(1 + (i % 5)));
  }
  writeFileSync(join(root, 'ünï côde.py'), 'x = "é"\n');
}

const BOARDS: Array<{ name: string; options: BoardOptions }> = [
  { name: 'sha256', options: {} },
  { name: 'crc32 (no hashlib)', options: { hide: ['hashlib'] } },
];

describe.each(BOARDS)('the unchanged-tree check by folder digests ($name)', ({ options }) => {
  let board: Board;
  let unchanged = 0;
  const local = tempDir('digest-tree');
  beforeAll(async () => {
    board = await openBoard(options);
    makeTree(local, 120);
    await putTree(board.device.fs, local, '/app');
  });
  afterAll(async () => {
    await board?.close();
    cleanup(board.flash, local);
  });
  /** Changes the board behind belay's back, as another tool or the board's own program would. */
  const onBoard = (code: string) => board.device.exec(code);

  it('an unchanged tree is one short exchange, far below a line per file', async () => {
    const before = board.device.transport.wire.total;
    const again = await putTree(board.device.fs, local, '/app');
    expect(again.files.every((file) => file.action === 'skip')).toBe(true);
    // 121 files in 17 folders: a listing would be over 100 bytes a file.
    unchanged = board.device.transport.wire.total - before;
    expect(unchanged).toBeLessThan(121 * 25);
  });

  it('a file the board changed at the same size is uploaded again, and only it', async () => {
    const target = join(board.flash, 'app', 'pkg1', 'sub1', 'module_1.py');
    const original = readFileSync(target);
    await onBoard(`open('/app/pkg1/sub1/module_1.py', 'w').write(${JSON.stringify(original.toString().replace('1', '7'))})`);
    expect(readFileSync(target).equals(original)).toBe(false);
    const result = await putTree(board.device.fs, local, '/app');
    expect(result.files.filter((file) => file.action === 'upload').map((file) => file.path)).toEqual(['/app/pkg1/sub1/module_1.py']);
    expect(readFileSync(target).equals(original)).toBe(true);
  });

  it('an extra board file makes its folder listed, and nothing is uploaded', async () => {
    await onBoard("open('/app/pkg2/extra.txt', 'w').write('board only')");
    const before = board.device.transport.wire.total;
    const result = await putTree(board.device.fs, local, '/app');
    expect(result.files.every((file) => file.action === 'skip')).toBe(true);
    // pkg2 listed: its three folders and the extra file, with its hash, on top of the digests.
    expect(board.device.transport.wire.total - before).toBeGreaterThan(unchanged + 100);
  });

  it('a folder where a file should be is still refused', async () => {
    await onBoard("import os\nos.remove('/app/pkg3/sub0/module_3.py')\nos.mkdir('/app/pkg3/sub0/module_3.py')");
    await expect(putTree(board.device.fs, local, '/app')).rejects.toMatchObject({ code: 'FS_ERROR', data: { errnoName: 'EISDIR' } });
    await onBoard("import os\nos.rmdir('/app/pkg3/sub0/module_3.py')");
  });
});

describe('folder digests', () => {
  it('do not depend on the order of entries, and change with any name, size, kind or content', () => {
    const a = { name: 'a.py', kind: 'file' as const, size: 3, digest: '00ff' };
    const b = { name: 'b', kind: 'dir' as const };
    const base = folderDigest('sha256', [a, b]);
    expect(folderDigest('sha256', [b, a])).toEqual(base);
    expect(base.count).toBe(2);
    for (const changed of [
      [{ ...a, name: 'A.py' }, b],
      [{ ...a, size: 4 }, b],
      [{ ...a, digest: '00fe' }, b],
      [a, { name: 'b', kind: 'file' as const, size: 0, digest: '' }],
    ]) {
      expect(folderDigest('sha256', changed).digest).not.toBe(base.digest);
    }
    expect(folderDigest('sha256', []).digest).toBe('');
  });
});
