// Transfers on emulated boards: the fast binary path and each fallback
// (no hashlib, no sys.stdin.buffer, no raw-paste) must move every byte value
// exactly, copy trees, skip unchanged files and keep odd names intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { putTree, getTree } from '../../src/device/fs/index.js';
import { pyLiteral } from '../../src/device/snippets.js';
import { BOARDS, CONTROL_NAMES, ODD_NAMES, openBoard, randomPayload, sha256, tempDir, cleanup, type Board } from './helpers.js';

function makeTree(root: string, files: number): Map<string, Buffer> {
  const contents = new Map<string, Buffer>();
  for (let i = 0; i < files; i++) {
    const rel = `pkg${i % 5}/sub${i % 3}/file${i}.py`;
    const body = Buffer.from(`# file ${i}\n${'x = %d\n'.replace('%d', String(i)).repeat(i % 17)}`);
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), body);
    contents.set(rel, body);
  }
  mkdirSync(join(root, 'empty-dir'));
  return contents;
}

describe.each(BOARDS)('transfers on a $name', ({ options, method }) => {
  let board: Board;
  const dirs: string[] = [];
  beforeAll(async () => {
    board = await openBoard(options);
  });
  afterAll(async () => {
    await board?.close();
    cleanup(board.flash, ...dirs);
  });

  it('moves 1 MiB of every byte value up and down unchanged', async () => {
    const data = randomPayload(1024 * 1024);
    const fs = board.device.fs;
    const progress: number[] = [];
    const up = await fs.write('/blob.bin', data, { onProgress: (p) => progress.push(p.done) });
    expect(up.method).toBe(method);
    expect(up.bytes).toBe(data.length);
    expect(progress.at(-1)).toBe(data.length);
    expect(sha256(readFileSync(join(board.flash, 'blob.bin')))).toBe(sha256(data));
    expect((board.device.transport as { droppedBytes?: number }).droppedBytes ?? 0).toBe(0);
    const down = await fs.read('/blob.bin');
    expect(sha256(down.data!)).toBe(sha256(data));
    const hash = await fs.hash('/blob.bin');
    expect(hash.algorithm).toBe(options.hide?.includes('hashlib') ? 'crc32' : 'sha256');
    if (hash.algorithm === 'sha256') expect(hash.digest).toBe(sha256(data));
    await fs.remove('/blob.bin');
    expect(await fs.stat('/blob.bin')).toBeNull();
  });

  it('puts a 200-file tree, gets it back identical, and skips it unchanged', async () => {
    const local = tempDir('tree');
    const back = tempDir('back');
    dirs.push(local, back);
    const contents = makeTree(local, 200);
    const fs = board.device.fs;
    const first = await putTree(fs, local, '/app');
    expect(first.files.filter((f) => f.action === 'upload')).toHaveLength(200);
    const again = await putTree(fs, local, '/app');
    expect(again.files.filter((f) => f.action === 'skip')).toHaveLength(200);
    expect(again.bytes).toBe(0);
    await getTree(fs, '/app', back);
    for (const [rel, body] of contents) expect(readFileSync(join(back, rel)).equals(body)).toBe(true);
    expect(existsSync(join(back, 'empty-dir'))).toBe(true);
    expect(readdirSync(back).filter((name) => name.startsWith('.belay'))).toEqual([]);
    // One changed file is the only upload.
    writeFileSync(join(local, 'pkg0/sub0/file0.py'), 'changed = True\n');
    const third = await putTree(fs, local, '/app');
    expect(third.files.filter((f) => f.action === 'upload').map((f) => f.path)).toEqual(['/app/pkg0/sub0/file0.py']);
    expect(await fs.remove('/app', { recursive: true })).toBeGreaterThan(200);
  });

  it('keeps odd names exact and never runs them as code', async () => {
    const fs = board.device.fs;
    await fs.mkdir('/odd dir/ünï', { parents: true });
    for (const name of ODD_NAMES) await fs.write(`/odd dir/ünï/${name}`, Buffer.from(`content of ${name}`));
    const listed = (await fs.list('/odd dir', { recursive: true })).filter((e) => e.kind === 'file').map((e) => e.path.slice('/odd dir/ünï/'.length));
    expect(listed.sort()).toEqual([...ODD_NAMES].sort());
    for (const name of ODD_NAMES) {
      const { data } = await fs.read(`/odd dir/ünï/${name}`);
      expect(data!.toString()).toBe(`content of ${name}`);
    }
    await fs.rename(`/odd dir/ünï/${ODD_NAMES[0]}`, '/odd dir/renamed.py');
    expect(await fs.stat('/odd dir/renamed.py')).toMatchObject({ kind: 'file' });
    // The injection-shaped name stayed a name: nothing else on the board was touched.
    expect(await fs.remove('/odd dir', { recursive: true })).toBe(ODD_NAMES.length + 2);
    expect(await fs.list('/')).toEqual([]);
  });

  it('refuses to create names with control characters, yet reads and removes them when they exist', async () => {
    const fs = board.device.fs;
    for (const name of CONTROL_NAMES) {
      await expect(fs.write(`/${name}`, Buffer.from('x'))).rejects.toMatchObject({ code: 'PATH_INVALID' });
      await expect(fs.mkdir(`/${name}`)).rejects.toMatchObject({ code: 'PATH_INVALID' });
    }
    expect(await fs.list('/')).toEqual([]);
    // Another tool made them: belay still sees, reads and removes them.
    for (const name of CONTROL_NAMES) await board.device.exec(`open(${pyLiteral(`/${name}`)}, 'w').write(${pyLiteral(name)})`);
    expect((await fs.list('/')).map((e) => e.path).sort()).toEqual(CONTROL_NAMES.map((n) => `/${n}`).sort());
    for (const name of CONTROL_NAMES) {
      expect((await fs.read(`/${name}`)).data!.toString()).toBe(name);
      expect(await fs.remove(`/${name}`)).toBe(1);
    }
    expect(await fs.list('/')).toEqual([]);
  });

  it('reports missing paths and refuses bad ones with clear codes', async () => {
    const fs = board.device.fs;
    await expect(fs.read('/nope.txt')).rejects.toMatchObject({ code: 'FS_ERROR', data: { errnoName: 'ENOENT' } });
    await expect(fs.list('/nope')).rejects.toMatchObject({ code: 'FS_ERROR', data: { errnoName: 'ENOENT' } });
    await expect(fs.remove('/nope')).rejects.toMatchObject({ code: 'FS_ERROR', data: { errnoName: 'ENOENT' } });
    await expect(fs.write('/bad\0name', Buffer.from('x'))).rejects.toMatchObject({ code: 'PATH_INVALID' });
    await expect(fs.remove('/', { recursive: true })).rejects.toMatchObject({ code: 'PATH_INVALID' });
    await fs.mkdir('/d');
    await expect(fs.mkdir('/d')).rejects.toMatchObject({ code: 'FS_ERROR', data: { errnoName: 'EEXIST' } });
    await fs.write('/d/f', Buffer.from('1'));
    await expect(fs.remove('/d')).rejects.toMatchObject({ code: 'FS_ERROR', data: { errnoName: 'ENOTEMPTY' } });
    await fs.remove('/d', { recursive: true });
    const usage = await fs.df();
    expect(usage.size).toBeGreaterThan(0);
    expect(usage.free).toBeLessThanOrEqual(usage.size);
  });
});
