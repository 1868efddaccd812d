import { describe, expect, it } from 'vitest';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { boardMatcher, isIgnored, isKept, listSourceFiles, validateConfig } from '../../src/config/index.js';
import { project, SRC, where } from './helpers.js';

const check = (yaml: string, files: Record<string, string> = SRC) => validateConfig({ cwd: project({ 'belay.yaml': yaml, ...files }), env: {} });

describe('semantic rules', () => {
  it('reports a missing source folder at its "from"', async () => {
    const r = await check('sources:\n  - from: src\n  - from: nowhere\n    to: /lib\n  - gone\n');
    expect(where(r.diagnostics, 'error')).toEqual([
      ['CONFIG_INVALID', 3, 11],
      ['CONFIG_INVALID', 5, 5],
    ]);
  });

  it('reports board paths that escape "/" or are relative', async () => {
    const r = await check('sources:\n  - from: src\n    to: /../../etc\nfiles:\n  config.json: "{}"\n  /a/../../b: x\n');
    expect(where(r.diagnostics, 'error')).toEqual([
      ['PATH_INVALID', 3, 9],
      ['PATH_INVALID', 5, 3],
      ['PATH_INVALID', 6, 3],
    ]);
    expect(r.diagnostics[1].suggestion).toBe('/config.json');
  });

  it('refuses to deploy into belay\'s own /.belay folder', async () => {
    const r = await check('sources:\n  - from: src\n    to: /.belay/x\n  - from: src\n    to: /.Belay\nfiles:\n  /a/../.belay/m.json: x\n');
    expect(where(r.diagnostics, 'error')).toEqual([
      ['PATH_RESERVED', 3, 9],
      ['PATH_RESERVED', 5, 9],
      ['PATH_RESERVED', 7, 3],
    ]);
  });

  it('reports two sources deploying the same board path once, at the later source', async () => {
    const r = await check('sources:\n  - from: src\n  - from: other\n    to: /\n', { 'src/main.py': '', 'src/a.py': '', 'other/main.py': '', 'other/a.py': '' });
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_INVALID', 3, 5]]);
    expect(r.diagnostics[0].message).toContain('/a.py');
  });

  it('allows two sources into one folder when their files differ', async () => {
    const r = await check('sources:\n  - from: src\n  - from: other\n', { 'src/main.py': '', 'other/util.py': '' });
    expect(r.ok).toBe(true);
    expect(r.config?.sources.map((s) => s.to)).toEqual(['/', '/']);
  });

  it('reports an inline file overlapping a source file', async () => {
    const r = await check('sources: [src]\nfiles:\n  /main.py: print(2)\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_INVALID', 3, 3]]);
  });

  it('reports a board path that is a file for one source and a folder for another', async () => {
    const r = await check('sources:\n  - from: src\n  - from: src/main.py\n    to: /lib\n', { 'src/main.py': '', 'src/lib/x.py': '' });
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['CONFIG_INVALID']);
  });

  it('reports keep patterns that cover deployed files, at the keep entry', async () => {
    const r = await check('sources: [src]\nkeep:\n  - /data\n  - "*.py"\n', { 'src/main.py': '', 'src/lib/a.py': '' });
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_INVALID', 4, 5]]);
    expect(r.diagnostics[0].message).toContain('(and 1 more)');
  });

  it('warns about include and exclude patterns that match nothing, at the pattern', async () => {
    const r = await check('sources:\n  - from: src\n    include: ["**/*.py", "*.mpy"]\n    exclude: ["tests/**"]\n');
    expect(r.ok).toBe(true);
    expect(where(r.diagnostics, 'warning')).toEqual([
      ['PATTERN_UNMATCHED', 3, 26],
      ['PATTERN_UNMATCHED', 4, 15],
    ]);
    expect(r.config?.warnings).toHaveLength(2);
  });

  it('warns when an inline file is ignored', async () => {
    const r = await check('sources: [src]\nignore: ["*.json"]\nfiles:\n  /config.json: "{}"\n');
    expect(where(r.diagnostics, 'warning')).toEqual([['INLINE_IGNORED', 4, 3]]);
  });

  it('maps a file source to /NAME, to an exact path, or into a folder ending in "/"', async () => {
    const r = await check('sources:\n  - main.py\n  - from: main.py\n    to: /app.py\n  - from: main.py\n    to: /lib/\n', { 'main.py': '' });
    expect(r.ok).toBe(true);
    expect(r.config?.sources.map((s) => [s.kind, s.to])).toEqual([
      ['file', '/main.py'],
      ['file', '/app.py'],
      ['file', '/lib/main.py'],
    ]);
  });

  it('uses src/ -> / when sources is absent and src exists, else top-level code', async () => {
    const withSrc = await check('prune: false\n');
    expect(withSrc.config?.sources.map((s) => [s.from.endsWith('src'), s.to])).toEqual([[true, '/']]);
    const flat = await check('prune: false\n', { 'main.py': '', 'lib/x.py': '', 'README.md': '' });
    expect(flat.ok).toBe(true);
    const listing = await listSourceFiles(flat.config!.sources[0], flat.config!.ignore);
    expect(listing.files.map((f) => f.board)).toEqual(['/lib/x.py', '/main.py']);
  });

  it('resolves "from" against the config folder, not the working folder', async () => {
    const dir = project({ 'belay.yaml': 'sources: [src]\n', 'src/main.py': '', 'src/deep/x.py': '' });
    const r = await validateConfig({ cwd: join(dir, 'src', 'deep'), env: {} });
    expect(r.ok).toBe(true);
    expect(r.config?.sources[0].from).toBe(join(dir, 'src'));
    expect(r.config?.rootDir).toBe(dir);
  });

  it('rejects an empty or malformed emulator port after interpolation', async () => {
    const r = await validateConfig({ cwd: project({ 'belay.yaml': 'device:\n  port: "${env:P}"\n', ...SRC }), env: { P: 'emulator:' } });
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_INVALID', 2, 9]]);
  });
});

describe('listing sources', () => {
  it('applies include, exclude, ignore and hidden names; a symlink loop is refused, naming the link', async () => {
    const dir = project({
      'src/main.py': '',
      'src/lib/a.py': '',
      'src/lib/test_a.py': '',
      'src/lib/__pycache__/a.cpython.pyc': '',
      'src/.env': '',
      'src/.hidden/x.py': '',
      'src/notes.md': '',
    });
    symlinkSync(join(dir, 'src'), join(dir, 'src', 'lib', 'loop'));
    const listing = await listSourceFiles(
      { from: join(dir, 'src'), kind: 'dir', to: '/app', include: ['**/*.py', '*.md', 'nothing/**'], exclude: ['**/test_*.py'] },
      ['__pycache__', '*.md'],
    ).catch((err: unknown) => err);
    expect(listing).toMatchObject({ code: 'LOCAL_SYMLINK', data: { links: [{ relative: 'lib/loop', problem: 'loop' }] } });
    rmSync(join(dir, 'src', 'lib', 'loop'));
    const again = await listSourceFiles(
      { from: join(dir, 'src'), kind: 'dir', to: '/app', include: ['**/*.py', '*.md', 'nothing/**'], exclude: ['**/test_*.py'] },
      ['__pycache__', '*.md'],
    );
    expect(again.files.map((f) => f.board)).toEqual(['/app/lib/a.py', '/app/main.py']);
    expect(again.includeHits).toEqual([3, 0, 0]);
    expect(again.excludeHits).toEqual([1]);
  });

  it('sees names with a newline or a tab like any other: the default include takes them, so they are refused, not silently left out', async () => {
    const files = { 'belay.yaml': 'sources:\n  - from: src\n', 'src/main.py': '', 'src/new\nline.py': '', 'src/lib/tab\there.py': '' };
    const refused = await validateConfig({ cwd: project(files), env: {} });
    expect(where(refused.diagnostics, 'error')).toEqual([['PATH_INVALID', 2, 11]]);
    const message = refused.diagnostics[0]!.message;
    expect(message).toContain('(and 1 more)');
    expect(message).not.toMatch(/[\x00-\x1f]/); // the names are quoted, so they cannot break the line
    // Patterns reach them too: an exclude leaves them out, an ignore covers them.
    const excluded = await validateConfig({ cwd: project({ ...files, 'belay.yaml': 'sources:\n  - from: src\n    exclude: ["new*", "lib/tab*"]\n' }), env: {} });
    expect(where(excluded.diagnostics, 'error')).toEqual([]);
    const ignored = await validateConfig({ cwd: project({ ...files, 'belay.yaml': 'sources:\n  - from: src\nignore: ["/new*", "tab*"]\n' }), env: {} });
    expect(where(ignored.diagnostics, 'error')).toEqual([]);
    expect(boardMatcher(['/**'])('/new\nline.py')).toBe('/**');
  });
});

describe('listing sources: the walker\'s default ignores', () => {
  it('leave out .git/, __pycache__/, *.pyc, node_modules/, unless an include pattern spells the path out', async () => {
    const dir = project({
      'src/main.py': '',
      'src/stale.pyc': '',
      'src/node_modules/tiny/tiny.py': '',
      'src/node_modules/big/big.py': '',
      'src/.git/HEAD': '',
      'src/.belay/emulator/default/x.py': '',
    });
    const plain = await listSourceFiles({ from: join(dir, 'src'), kind: 'dir', to: '/', include: ['**'], exclude: [] });
    expect(plain.files.map((f) => f.board)).toEqual(['/main.py']);
    const spelled = await listSourceFiles({ from: join(dir, 'src'), kind: 'dir', to: '/', include: ['*.py', 'node_modules/tiny/**', 'stale.pyc'], exclude: [] });
    expect(spelled.files.map((f) => f.board)).toEqual(['/main.py', '/node_modules/tiny/tiny.py', '/stale.pyc']);
  });
});

describe('ignore and keep patterns', () => {
  it('anchors patterns with a leading "/" and matches others at any depth, folders covering contents', () => {
    const m = boardMatcher(['/data', '*.log', 'cache/']);
    expect(m('/data')).toBe('/data');
    expect(m('/data/x/.y.csv')).toBe('/data');
    expect(m('/lib/data/x')).toBeUndefined();
    expect(m('/a/b/run.log')).toBe('*.log');
    expect(m('/x/cache/y')).toBe('cache/');
    expect(m('/main.py')).toBeUndefined();
  });

  it('isIgnored includes the built-ins; isKept uses keep', async () => {
    const r = await check('sources: [src]\nkeep: [/state.json]\n');
    const config = r.config!;
    expect(isIgnored(config, '/.belay/manifest.json')).toBe(true);
    expect(isIgnored(config, '/lib/__pycache__/x.mpy')).toBe(true);
    expect(isIgnored(config, '/main.py')).toBe(false);
    expect(isKept(config, '/state.json')).toBe(true);
    expect(isKept(config, '/main.py')).toBe(false);
  });
});
