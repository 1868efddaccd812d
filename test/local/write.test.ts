// Local writes: the target folder's links are checked before a byte is
// written, and files arrive through exclusive temp files renamed into place.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/tree.js';
import { AtomicFile, checkWriteTargets, PART_PREFIX, writeFileAtomic } from '../../src/local/index.js';
import { WRITE_BATCH } from '../../src/local/write.js';

const folder = () => tempTree({}, 'belay-write-');

describe('checkWriteTargets', () => {
  it('refuses a link below the target that leads out (or nowhere), naming it', async () => {
    const outside = folder();
    const root = folder();
    symlinkSync(outside, join(root, 'sub'));
    symlinkSync(join(outside, 'gone'), join(root, 'dangling'));
    const err = await checkWriteTargets(root, [
      { relative: 'top.txt', kind: 'file' },
      { relative: 'sub/f.txt', kind: 'file' },
      { relative: 'dangling/x', kind: 'file' },
    ]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LOCAL_SYMLINK' });
    expect((err as { data: { links: Array<{ relative: string }> } }).data.links.map((l) => l.relative).sort()).toEqual(['dangling', 'sub']);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(root, 'top.txt'))).toBe(false);
  });

  it('accepts links that stay inside, missing folders, and a root that is itself a link', async () => {
    const root = folder();
    mkdirSync(join(root, 'real'));
    symlinkSync('real', join(root, 'alias'));
    const holder = folder();
    symlinkSync(root, join(holder, 'via'));
    await checkWriteTargets(join(holder, 'via'), [
      { relative: 'alias/f.txt', kind: 'file' },
      { relative: 'new/deep/g.txt', kind: 'file' },
      { relative: 'real', kind: 'dir' },
    ]);
    await checkWriteTargets(join(root, 'not-yet'), [{ relative: 'a/b', kind: 'file' }]);
  });

  it('reports a file where a folder must go, and a folder where a file must go', async () => {
    const root = folder();
    writeFileSync(join(root, 'lib'), 'a file');
    mkdirSync(join(root, 'main.py'));
    await expect(checkWriteTargets(root, [{ relative: 'lib/x.py', kind: 'file' }])).rejects.toMatchObject({ code: 'LOCAL_IO' });
    await expect(checkWriteTargets(root, [{ relative: 'main.py', kind: 'file' }])).rejects.toMatchObject({ code: 'LOCAL_IO' });
  });
});

describe('AtomicFile', () => {
  it('shows nothing at the target until commit, and leaves nothing on discard', async () => {
    const dir = folder();
    const target = join(dir, 'out.bin');
    writeFileSync(target, 'old');
    const file = await AtomicFile.open(target);
    await file.write(Buffer.from('new '));
    await file.write(Buffer.from('content'));
    expect(readFileSync(target, 'utf8')).toBe('old');
    await file.commit();
    expect(readFileSync(target, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['out.bin']);

    const dropped = await AtomicFile.open(target);
    await dropped.write(Buffer.from('half'));
    await dropped.discard();
    expect(readFileSync(target, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('writes chunks of every size in order, small ones gathered, the last of them at commit', async () => {
    const dir = folder();
    const target = join(dir, 'out.bin');
    const sizes = [1, 1024, 1023, WRITE_BATCH - 2048, 1, WRITE_BATCH, 7, 3 * WRITE_BATCH + 5, 1024, 1024, 5];
    const chunks = sizes.map((size, i) => Buffer.alloc(size, i + 1));
    const file = await AtomicFile.open(target);
    for (const chunk of chunks) {
      await file.write(chunk);
      chunk.fill(0xee); // the caller may reuse its buffer once the write resolved
    }
    await file.commit();
    expect(readFileSync(target).equals(Buffer.concat(sizes.map((size, i) => Buffer.alloc(size, i + 1))))).toBe(true);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('never writes through something planted under a temp name', async () => {
    const dir = folder();
    const outside = folder();
    // The name a predictable temp scheme would pick (prefix + target name), planted as a link out.
    symlinkSync(join(outside, 'victim'), join(dir, `${PART_PREFIX}f.txt`));
    await writeFileAtomic(join(dir, 'f.txt'), 'data');
    expect(readFileSync(join(dir, 'f.txt'), 'utf8')).toBe('data');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('creates the folder it writes into', async () => {
    const dir = folder();
    await writeFileAtomic(join(dir, 'a', 'b', 'c.txt'), 'x');
    expect(readFileSync(join(dir, 'a', 'b', 'c.txt'), 'utf8')).toBe('x');
  });
});
