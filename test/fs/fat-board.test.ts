// A board whose flash is FAT (the emulated flash in FAT mode): every name
// FAT cannot hold exactly is refused before a byte is sent, naming each and
// why; a tree whose names fold together (Main.py / main.py) is refused
// before anything is uploaded, also against names already on the board;
// ordinary files still go up and replace old ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putTree } from '../../src/device/fs/index.js';
import { isBelayError } from '../../src/errors.js';
import { cleanup, openBoard, tempDir, type Board } from './helpers.js';

describe('a FAT board', () => {
  let board: Board;
  const dirs: string[] = [];
  beforeAll(async () => {
    board = await openBoard({ filesystem: 'fat' });
  });
  afterAll(async () => {
    await board?.close();
    cleanup(board.flash, ...dirs);
  });

  it('is known as FAT', async () => {
    expect(await board.device.fs.filesystemOf('/')).toBe('fat');
  });

  it('refuses each name FAT cannot hold, before sending anything', async () => {
    await board.device.fs.write('/main.py', Buffer.from('original'));
    const before = board.device.transport.wire.sent;
    for (const name of ['/q"uote.py', '/back\\slash.py', '/star*.py', '/what?.py', '/trailing.', '/Main.py']) {
      const err = await board.device.fs.write(name, Buffer.from('payload that must not arrive')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isBelayError(err, 'PATH_INVALID'), name).toBe(true);
      expect(JSON.stringify((err as { data: unknown }).data), name).toContain(JSON.stringify(name).slice(1, -1));
    }
    // Only the small checking programs went out: no payload, and nothing changed on the flash.
    expect(board.device.transport.wire.sent - before).toBeLessThan(6 * 1500);
    expect(readdirSync(board.flash)).toEqual(['main.py']);
    expect(readFileSync(join(board.flash, 'main.py'), 'utf8')).toBe('original');
  });

  it('refuses a tree with Main.py and main.py before uploading any of it', async () => {
    const local = tempDir('tree');
    dirs.push(local);
    mkdirSync(join(local, 'lib'));
    writeFileSync(join(local, 'Main.py'), 'a');
    writeFileSync(join(local, 'main.py'), 'b');
    writeFileSync(join(local, 'lib', 'ok.py'), 'c');
    await expect(putTree(board.device.fs, local, '/app')).rejects.toMatchObject({ code: 'PATH_INVALID' });
    expect(readdirSync(board.flash)).toEqual(['main.py']);
  });

  it('refuses a tree whose names fold onto files already on the board', async () => {
    const local = tempDir('tree');
    dirs.push(local);
    writeFileSync(join(local, 'MAIN.PY'), 'shadow');
    await expect(putTree(board.device.fs, local, '/')).rejects.toMatchObject({ code: 'PATH_INVALID' });
    expect(readFileSync(join(board.flash, 'main.py'), 'utf8')).toBe('original');
  });

  it('uploads and replaces ordinary files, leaving no temp or record', async () => {
    const local = tempDir('tree');
    dirs.push(local);
    mkdirSync(join(local, 'lib'));
    writeFileSync(join(local, 'main.py'), 'new main');
    writeFileSync(join(local, 'lib', 'util.py'), 'util');
    const result = await putTree(board.device.fs, local, '/');
    expect(result.files.filter((f) => f.action === 'upload')).toHaveLength(2);
    expect(readFileSync(join(board.flash, 'main.py'), 'utf8')).toBe('new main');
    expect(readdirSync(board.flash).sort()).toEqual(['lib', 'main.py']);
  });

  it('checks after the commit that the exact name exists, should a name get past the checks before it', async () => {
    // `prechecked` is the caller saying it checked the names itself (as the
    // apply transaction does for a whole set); here it did not, so the
    // trailing dot FAT drops reaches the board and only the check after the
    // rename can tell that no file is named exactly that.
    const staged = await board.device.fs.stage('/notes.txt.', Buffer.from('notes'), { prechecked: true });
    const err = await board.device.fs.commit({ renames: [staged] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBelayError(err, 'FS_ERROR')).toBe(true);
    expect((err as { data: { paths: string[] } }).data.paths).toEqual(['/notes.txt.']);
    expect(readdirSync(board.flash)).toContain('notes.txt');
  });
});

