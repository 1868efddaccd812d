// stage / commit / discard / recover on emulated boards, on the fast path
// and the encoded fallback: staging never touches the target, a commit
// leaves no temp or record, discard and a power cut between staging and
// commit leave the board as it was (temps cleaned by the next command), and
// recovery never removes the last complete copy of a file.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, openBoard, sha256, tempDir, type Board, type BoardOptions } from '../fs/helpers.js';
import { tempPathFor } from '../../src/paths/board.js';
import { reservedPath } from '../../src/paths/reserved.js';
import { snapshot } from './helpers.js';

const PATHS: Array<{ name: string; options: BoardOptions }> = [
  { name: 'binary transfers', options: {} },
  { name: 'encoded transfers', options: { hide: ['stdin.buffer'] } },
];

describe.each(PATHS)('staged writes with $name', ({ options }) => {
  const boards: Board[] = [];
  const open = async (flash?: string) => {
    const board = await openBoard(options, flash);
    boards.push(board);
    return board;
  };
  afterEach(async () => {
    for (const board of boards.splice(0)) {
      await board.close();
      cleanup(board.flash);
    }
  });

  it('stage leaves the target alone; commit renames and leaves no temp or record', async () => {
    const flash = tempDir('flash');
    writeFileSync(join(flash, 'main.py'), 'old');
    const again = await open(flash);
    const fs = again.device.fs;
    const staged = await fs.stage('/main.py', Buffer.from('new content'));
    expect(staged.temp).toBe(tempPathFor('/main.py'));
    expect(staged.hash.digest).toBe(sha256(Buffer.from('new content')));
    expect(readFileSync(join(again.flash, 'main.py'), 'utf8')).toBe('old');
    expect(readFileSync(join(again.flash, staged.temp.slice(1)), 'utf8')).toBe('new content');
    expect(existsSync(join(again.flash, '.belay', 'intent.log'))).toBe(true);
    const result = await fs.commit({ renames: [staged] });
    expect(result.renamed).toEqual(['/main.py']);
    expect(readFileSync(join(again.flash, 'main.py'), 'utf8')).toBe('new content');
    expect(readdirSync(again.flash)).toEqual(['main.py']);
  });

  it('commits many renames, deletes, mkdirs and rmdirs in one journaled round trip', async () => {
    const board = await open();
    const fs = board.device.fs;
    await fs.write('/old.txt', Buffer.from('bye'));
    await fs.mkdir('/gone');
    const a = await fs.stage('/a.py', Buffer.from('a'));
    const b = await fs.stage('/pkg/sub/b.py', Buffer.from('b'), { parents: true });
    const result = await fs.commit({ renames: [a, b], deletes: ['/old.txt'], mkdirs: ['/empty/inner'], rmdirs: ['/gone'] });
    expect(result.journaled).toBe(true);
    expect(result.deleted).toEqual(['/old.txt']);
    expect(result.rmdirs).toEqual(['/gone']);
    expect(snapshot(board.flash)).toEqual({
      '/a.py': sha256(Buffer.from('a')).slice(0, 16),
      '/empty': 'dir',
      '/empty/inner': 'dir',
      '/pkg': 'dir',
      '/pkg/sub': 'dir',
      '/pkg/sub/b.py': sha256(Buffer.from('b')).slice(0, 16),
    });
  });

  it('discard removes the staged files and the folders made for them', async () => {
    const board = await open();
    const fs = board.device.fs;
    await fs.write('/keep.txt', Buffer.from('keep'));
    const before = snapshot(board.flash);
    const a = await fs.stage('/keep.txt', Buffer.from('changed'));
    const b = await fs.stage('/new/dir/b.py', Buffer.from('b'), { parents: true });
    expect(existsSync(join(board.flash, 'new', 'dir'))).toBe(true);
    const report = await fs.discard([a, b]);
    expect(report.removed.sort()).toEqual([a.temp, b.temp].sort());
    expect(report.rmdirs).toEqual(['/new/dir', '/new']);
    expect(snapshot(board.flash)).toEqual(before);
  });

  it('a power cut between staging and commit leaves the board unchanged; the next command cleans up', async () => {
    const board = await open();
    await board.device.fs.write('/main.py', Buffer.from('old'));
    const before = snapshot(board.flash);
    await board.device.fs.stage('/main.py', Buffer.from('new'));
    await board.device.fs.stage('/lib/x.py', Buffer.from('x'), { parents: true });
    await board.close(); // power off before the commit
    boards.length = 0;
    const next = await open(board.flash);
    expect(next.device.capabilities.pending).toContain('intent.log');
    // Any filesystem command recovers first.
    const listing = await next.device.fs.list('/', { hash: false });
    expect(listing.map((entry) => entry.path)).toEqual(['/main.py']);
    expect(next.device.fs.lastRecovery?.action).toBe('back');
    expect(snapshot(next.flash)).toEqual(before);
  });

  it('recovery never removes the last complete copy: a staged file whose target vanished takes its place', async () => {
    const board = await open();
    await board.device.fs.write('/main.py', Buffer.from('old'));
    const staged = await board.device.fs.stage('/main.py', Buffer.from('new, verified'));
    // What FAT's rename onto an existing file does first, then the power goes.
    await board.device.exec("import os\nos.remove('/main.py')");
    await board.close();
    boards.length = 0;
    const next = await open(board.flash);
    const report = await next.device.fs.recover();
    expect(report.restored).toEqual(['/main.py']);
    expect(readFileSync(join(next.flash, 'main.py'), 'utf8')).toBe('new, verified');
    expect(existsSync(join(next.flash, staged.temp.slice(1)))).toBe(false);
    expect(readdirSync(next.flash)).toEqual(['main.py']);
  });

  it('names of 255 characters work: the temp name stays short', async () => {
    const board = await open();
    const name = `/${'n'.repeat(252)}.py`;
    await board.device.fs.write(name, Buffer.from('long'));
    expect(readFileSync(join(board.flash, name.slice(1)), 'utf8')).toBe('long');
    expect(readdirSync(board.flash)).toEqual([name.slice(1)]);
  });
});

describe('belay\'s own records in /.belay', () => {
  it('are written through a ReservedPath, never through a string', async () => {
    const board = await openBoard();
    try {
      await board.device.fs.write(reservedPath('record.json'), Buffer.from('{}'));
      expect(readFileSync(join(board.flash, '.belay', 'record.json'), 'utf8')).toBe('{}');
      await expect(board.device.fs.write('/.belay/record.json', Buffer.from('x'))).rejects.toMatchObject({ code: 'PATH_RESERVED' });
      await expect(board.device.fs.stage('/.BELAY/other.json', Buffer.from('x'))).rejects.toMatchObject({ code: 'PATH_RESERVED' });
      expect(readdirSync(join(board.flash, '.belay'))).toEqual(['record.json']);
    } finally {
      await board.close();
      cleanup(board.flash);
    }
  });
});

describe('commit requests are checked before anything is written', () => {
  it('refuses a target renamed onto twice, or written and deleted at once', async () => {
    const board = await openBoard();
    try {
      const fs = board.device.fs;
      const a = await fs.stage('/a.py', Buffer.from('a'));
      await expect(fs.commit({ renames: [a, { ...a }] })).rejects.toMatchObject({ code: 'USAGE' });
      await expect(fs.commit({ renames: [a], deletes: ['/a.py'] })).rejects.toMatchObject({ code: 'USAGE' });
      await expect(fs.commit({ deletes: ['/'] })).rejects.toMatchObject({ code: 'PATH_INVALID' });
      expect(existsSync(join(board.flash, 'a.py'))).toBe(false);
      await fs.discard([a]);
      expect(readdirSync(board.flash)).toEqual([]);
    } finally {
      await board.close();
      cleanup(board.flash);
    }
  });
});
