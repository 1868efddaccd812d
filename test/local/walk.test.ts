// The one local tree walker on real folders: default ignores, hidden names,
// excludes, and every kind of symbolic link (inside, outside, dangling,
// looping), all reported together before a caller sends anything.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/tree.js';
import { DEFAULT_IGNORES, ignoreMatcher, walkTree } from '../../src/local/index.js';

const tree = (files: Record<string, string>) => tempTree(files, 'belay-walk-');

const relatives = (t: { files: Array<{ relative: string }> }) => t.files.map((f) => f.relative);

describe('walkTree', () => {
  it('leaves out the default ignores and hidden names, and says why', async () => {
    const root = tree({
      'main.py': 'x',
      'lib/util.py': 'y',
      'lib/__pycache__/util.cpython-312.pyc': '',
      'stray.pyc': '',
      '.git/HEAD': '',
      '.DS_Store': '',
      'node_modules/m/index.js': '',
      '.belay/emulator/default/boot.py': '',
      '.env': 'SECRET=1',
      '.config/app.json': '{}',
      'notes.txt~': '',
      '.main.py.swp': '',
      '#main.py#': '',
      'Thumbs.db': '',
    });
    const walked = await walkTree(root);
    expect(relatives(walked)).toEqual(['lib/util.py', 'main.py']);
    expect(walked.dirs).toEqual(['lib']);
    expect(walked.files.find((f) => f.relative === 'main.py')).toMatchObject({ size: 1, path: join(root, 'main.py') });
    const reasons = Object.fromEntries(walked.skipped.map((s) => [s.relative, s.reason]));
    expect(reasons).toMatchObject({
      '.git': '.git/',
      'lib/__pycache__': '__pycache__/',
      'stray.pyc': '*.pyc',
      'node_modules': 'node_modules/',
      '.belay': '.belay/',
      '.env': 'hidden',
      '.config': 'hidden',
      'notes.txt~': '*~',
      '#main.py#': '#*#',
      'Thumbs.db': 'Thumbs.db',
    });
  });

  it('takes hidden names with `hidden`, everything with `ignore: []`, and leaves out `exclude` globs', async () => {
    const root = tree({ 'main.py': '', '.env': '', '.git/HEAD': '', 'tests/test_a.py': '', 'lib/a.py': '', 'lib/a_test.py': '' });
    expect(relatives(await walkTree(root, { hidden: true }))).toEqual(['.env', 'lib/a.py', 'lib/a_test.py', 'main.py', 'tests/test_a.py']);
    expect(relatives(await walkTree(root, { hidden: true, ignore: [] }))).toContain('.git/HEAD');
    expect(relatives(await walkTree(root, { exclude: ['tests', '**/*_test.py'] }))).toEqual(['lib/a.py', 'main.py']);
  });

  it('ignore patterns: "x/" only folders, "/x" only at the root, others at any depth', () => {
    const m = ignoreMatcher(['build/', '/top.txt', '*.log']);
    expect(m('a/build', 'dir')).toBe('build/');
    expect(m('a/build', 'file')).toBeUndefined();
    expect(m('top.txt', 'file')).toBe('/top.txt');
    expect(m('a/top.txt', 'file')).toBeUndefined();
    expect(m('a/b/x.log', 'file')).toBe('*.log');
    expect(DEFAULT_IGNORES).toContain('.git/');
  });

  it('follows links that stay inside the root: a file under the link\'s name, a folder walked', async () => {
    const root = tree({ 'lib/util.py': 'u', 'main.py': 'm' });
    symlinkSync('lib/util.py', join(root, 'alias.py'));
    symlinkSync('lib', join(root, 'libalias'));
    const walked = await walkTree(root);
    expect(relatives(walked)).toEqual(['alias.py', 'lib/util.py', 'libalias/util.py', 'main.py']);
    expect(walked.dirs).toEqual(['lib', 'libalias']);
  });

  it('refuses links that leave the root, dangle or loop, naming every one of them', async () => {
    const outside = tree({ 'secret.txt': 's' });
    const root = tree({ 'main.py': '', 'lib/a.py': '' });
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'lib', 'secret.txt'));
    symlinkSync('nowhere.py', join(root, 'dangling.py'));
    symlinkSync('..', join(root, 'lib', 'loop'));
    symlinkSync('self', join(root, 'self'));
    const err = await walkTree(root).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LOCAL_SYMLINK' });
    const links = (err as { data: { links: Array<{ relative: string; problem: string }> } }).data.links;
    expect(links.map((l) => [l.relative, l.problem]).sort()).toEqual([
      ['dangling.py', 'dangling'],
      ['escape', 'outside'],
      ['lib/loop', 'loop'],
      ['lib/secret.txt', 'outside'],
      ['self', 'loop'],
    ]);
    for (const link of links) expect((err as Error & { detail: string }).detail).toContain(link.relative);
  });

  it('never looks at a link that is ignored or excluded', async () => {
    const root = tree({ 'main.py': '' });
    mkdirSync(join(root, 'node_modules'));
    symlinkSync('/nowhere', join(root, 'node_modules', 'broken'));
    symlinkSync('/nowhere', join(root, 'broken.pyc'));
    symlinkSync('/', join(root, 'skipme'));
    expect(relatives(await walkTree(root, { exclude: ['skipme'] }))).toEqual(['main.py']);
  });

  it('a root that is itself a link is walked (the user named it); a missing root is LOCAL_IO', async () => {
    const real = tree({ 'a.py': '' });
    const holder = tree({});
    symlinkSync(real, join(holder, 'src'));
    expect(relatives(await walkTree(join(holder, 'src')))).toEqual(['a.py']);
    await expect(walkTree(join(holder, 'missing'))).rejects.toMatchObject({ code: 'LOCAL_IO' });
  });
});
