/**
 * `put -r` and `get -r` over awkward local trees, through the built binary:
 * put -r picks exactly the files a config source over the same folder
 * picks, refuses bad links before it sends anything, and get -r never writes
 * through a link out of its target folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSourceFiles, validateConfig } from '../../src/config/index.js';
import { runBelay } from '../helpers/cli.js';

/** `belay --port emulator ARGS` in `cwd`. */
const belay = (cwd: string, ...args: string[]) => runBelay(cwd, ['--port', 'emulator', ...args]);

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** A project with belay.yaml (so the emulated board lives in it) and an awkward tree in `app/`. */
function awkwardProject(): { cwd: string; app: string; outside: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'belay-trees-'));
  mkdirSync(join(cwd, '.git')); // a repository root: config discovery stops here
  writeFileSync(join(cwd, 'belay.yaml'), 'sources:\n  - from: app\n    to: /\n');
  const outside = mkdtempSync(join(tmpdir(), 'belay-outside-'));
  write(outside, { 'secret.txt': 'not for the board' });
  const app = join(cwd, 'app');
  write(app, {
    'main.py': "print('hi')\n",
    'lib/util.py': 'X = 1\n',
    'lib/__pycache__/util.cpython-312.pyc': 'bytecode',
    'lib/stale.pyc': 'bytecode',
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.DS_Store': '',
    '.env': 'TOKEN=1\n',
    'node_modules/left-pad/index.js': '',
    'main.py~': 'backup',
  });
  symlinkSync('lib/util.py', join(app, 'alias.py')); // inside: followed
  symlinkSync('lib', join(app, 'libalias')); // inside: followed
  symlinkSync('missing.py', join(app, 'dangling.py'));
  symlinkSync(outside, join(app, 'escape'));
  symlinkSync('..', join(app, 'lib', 'loop'));
  return { cwd, app, outside };
}

const BAD_LINKS = ['dangling.py', 'escape', 'lib/loop'];

describe('put -r chooses what a config source chooses', { timeout: 180_000 }, () => {
  it('refuses a tree with a dangling link, a link out and a loop, naming each, and uploads nothing', async () => {
    const { cwd } = awkwardProject();
    const put = await belay(cwd, 'put', '-r', 'app', '/');
    expect(put.code).toBe(1);
    expect(put.stderr).toContain('[LOCAL_SYMLINK]');
    for (const link of BAD_LINKS) expect(put.stderr).toContain(link);
    expect(JSON.parse((await belay(cwd, 'ls', '-r', '/', '--json')).stdout)).toEqual([]);
    // The config over the same folder refuses it the same way.
    const validation = await validateConfig({ cwd, env: {} });
    expect(validation.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['LOCAL_SYMLINK']);
  });

  it('without the bad links: the same files as listSourceFiles, none of the ignored ones', async () => {
    const { cwd, app } = awkwardProject();
    for (const link of BAD_LINKS) rmSync(join(app, link));
    const put = await belay(cwd, 'put', '-r', 'app', '/', '--json');
    expect(put.code).toBe(0);
    const uploaded = (JSON.parse(put.stdout) as { files: Array<{ path: string; action: string }> }).files.map((f) => f.path).sort();
    const config = await listSourceFiles({ from: app, kind: 'dir', to: '/', include: ['**'], exclude: [] });
    expect(uploaded).toEqual(config.files.map((f) => f.board).sort());
    expect(uploaded).toEqual(['/alias.py', '/lib/util.py', '/libalias/util.py', '/main.py']);
    const onBoard = (JSON.parse((await belay(cwd, 'ls', '-r', '/', '--json')).stdout) as Array<{ path: string; kind: string }>)
      .filter((e) => e.kind === 'file')
      .map((e) => e.path)
      .sort();
    expect(onBoard).toEqual(uploaded);
  });

  it('--dry-run changes nothing; --exclude, --hidden and --no-ignore choose files', async () => {
    const { cwd, app } = awkwardProject();
    for (const link of BAD_LINKS) rmSync(join(app, link));
    const dry = await belay(cwd, 'put', '-r', 'app', '/', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as { dryRun: boolean; files: Array<{ path: string; action: string }> };
    expect(planned.dryRun).toBe(true);
    expect(planned.files.map((f) => f.action)).toEqual(['upload', 'upload', 'upload', 'upload']);
    expect(JSON.parse((await belay(cwd, 'ls', '-r', '/', '--json')).stdout)).toEqual([]);

    const excluded = await belay(cwd, 'put', '-r', 'app', '/x', '--exclude', 'libalias', '--exclude', '**/util.py', '--json');
    expect((JSON.parse(excluded.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path)).toEqual(['/x/alias.py', '/x/main.py']);

    const hidden = await belay(cwd, 'put', '-r', 'app', '/h', '--hidden', '--exclude', 'lib*', '--dry-run', '--json');
    expect((JSON.parse(hidden.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path)).toEqual(['/h/.env', '/h/alias.py', '/h/main.py']);

    const everything = await belay(cwd, 'put', '-r', 'app', '/e', '--hidden', '--no-ignore', '--dry-run', '--json');
    const all = (JSON.parse(everything.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path);
    expect(all).toEqual(expect.arrayContaining(['/e/.git/HEAD', '/e/lib/__pycache__/util.cpython-312.pyc', '/e/node_modules/left-pad/index.js', '/e/main.py~']));
  });

  it('a local name that cannot be a board name refuses the whole upload', async () => {
    const { cwd, app } = awkwardProject();
    for (const link of BAD_LINKS) rmSync(join(app, link));
    writeFileSync(join(app, 'tab\there.py'), '');
    const put = await belay(cwd, 'put', '-r', 'app', '/');
    expect(put.code).toBe(1);
    expect(put.stderr).toContain('[PATH_INVALID]');
    expect(JSON.parse((await belay(cwd, 'ls', '-r', '/', '--json')).stdout)).toEqual([]);
  });
});

describe('get -r never writes through a link out of its target', { timeout: 180_000 }, () => {
  it('refuses before writing anything, and says which link', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'belay-get-'));
    mkdirSync(join(cwd, '.git'));
    writeFileSync(join(cwd, 'belay.yaml'), 'sources: []\n');
    write(cwd, { 'up/top.txt': 'top', 'up/sub/f.txt': 'board content' });
    expect((await belay(cwd, 'put', '-r', 'up', '/x')).code).toBe(0);
    const outside = mkdtempSync(join(tmpdir(), 'belay-elsewhere-'));
    mkdirSync(join(cwd, 'got'));
    symlinkSync(outside, join(cwd, 'got', 'sub'));
    const get = await belay(cwd, 'get', '-r', '/x', 'got');
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('[LOCAL_SYMLINK]');
    expect(get.stderr).toContain('sub');
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(join(cwd, 'got'))).toEqual(['sub']);
    // Into a clean folder the same download works.
    expect((await belay(cwd, 'get', '-r', '/x', 'clean')).code).toBe(0);
    expect(existsSync(join(cwd, 'clean', 'sub', 'f.txt'))).toBe(true);
  });
});
