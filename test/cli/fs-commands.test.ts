/**
 * The file commands as a user runs them: put/get round trips, skips of
 * unchanged files, JSON output, and error codes for the usual mistakes.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBelay } from '../helpers/cli.js';

/** `belay --port emulator ARGS` in `cwd`. */
const belay = (cwd: string, ...args: string[]) => runBelay(cwd, ['--port', 'emulator', ...args]);

function project(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'belay-fs-cli-'));
  mkdirSync(join(cwd, 'app', 'lib'), { recursive: true });
  writeFileSync(join(cwd, 'app', 'main.py'), "print('hi')\n");
  writeFileSync(join(cwd, 'app', 'lib', 'util.py'), 'X = 1\n');
  writeFileSync(join(cwd, 'app', `odd 'name" ünï.txt`), 'data');
  return cwd;
}

// Each case starts the board several times (one process per command): room for a busy machine.
describe('belay file commands', { timeout: 180_000 }, () => {
  it('put -r, ls --json, get -r round-trip a tree; a second put skips what is unchanged', async () => {
    const cwd = project();
    expect((await belay(cwd, 'put', '-r', 'app', '/app')).code).toBe(0);
    const again = await belay(cwd, 'put', '-r', 'app', '/app', '--json');
    expect(again.code).toBe(0);
    const actions = (JSON.parse(again.stdout) as { files: Array<{ action: string }> }).files.map((f) => f.action);
    expect(actions).toEqual(['skip', 'skip', 'skip']);
    const listing = JSON.parse((await belay(cwd, 'ls', '-r', '/app', '--json')).stdout) as Array<{ path: string; kind: string }>;
    expect(listing.filter((e) => e.kind === 'file').map((e) => e.path).sort()).toEqual(['/app/lib/util.py', '/app/main.py', `/app/odd 'name" ünï.txt`]);
    expect((await belay(cwd, 'get', '-r', '/app', 'back')).code).toBe(0);
    for (const file of ['main.py', join('lib', 'util.py'), `odd 'name" ünï.txt`]) {
      expect(readFileSync(join(cwd, 'back', file))).toEqual(readFileSync(join(cwd, 'app', file)));
    }
  });

  it('reports an unchanged single file as skipped', async () => {
    const cwd = project();
    await belay(cwd, 'put', 'app/main.py', '/main.py');
    const second = await belay(cwd, 'put', 'app/main.py', '/main.py', '--json');
    expect(second.code).toBe(0);
    const first = JSON.parse(second.stdout) as { files: Array<{ action: string }>; bytes: number };
    expect(first.files.map((f) => f.action)).toEqual(['skip']);
    expect(first.bytes).toBe(0);
  });

  it('cat, hash and df print data', async () => {
    const cwd = project();
    await belay(cwd, 'put', 'app/main.py', '/main.py');
    expect((await belay(cwd, 'cat', '/main.py')).stdout).toBe("print('hi')\n");
    const hash = await belay(cwd, 'hash', '/main.py');
    expect(hash.stdout).toMatch(/^sha256:[0-9a-f]{64}\s+\/main\.py/);
    const df = JSON.parse((await belay(cwd, 'df', '--json')).stdout);
    expect(df).toMatchObject({ size: 2 * 1024 * 1024 });
    expect(df.free).toBeLessThan(df.size);
  });

  it('mkdir -p creates parents; plain mkdir of an existing directory fails', async () => {
    const cwd = project();
    expect((await belay(cwd, 'mkdir', '-p', '/a/b/c')).code).toBe(0);
    expect((await belay(cwd, 'mkdir', '-p', '/a/b/c')).code).toBe(0);
    const exists = await belay(cwd, 'mkdir', '/a');
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain('[FS_ERROR]');
  });

  it('rm refuses a non-empty directory without -r, and removes it with -r', async () => {
    const cwd = project();
    await belay(cwd, 'put', '-r', 'app', '/app');
    const refused = await belay(cwd, 'rm', '/app');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ENOTEMPTY');
    expect((await belay(cwd, 'rm', '-r', '/app')).code).toBe(0);
    const gone = await belay(cwd, 'cat', '/app/main.py');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('ENOENT');
  });

  it('a missing local file is LOCAL_IO; ".." cannot climb above the board root', async () => {
    const cwd = project();
    const missing = await belay(cwd, 'put', 'nope.py', '/nope.py');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[LOCAL_IO]');
    // Checked before any board is opened: a port that does not exist is never reached.
    for (const [args, code] of [[['put', 'nope.py'], '[LOCAL_IO]'], [['put', 'app'], '[USAGE]'], [['put', 'app/main.py', '--exclude', '*.txt'], '[USAGE]']] as const) {
      const early = await belay(cwd, '--port', '/dev/belay-no-such-port', ...args);
      expect({ args, failed: early.code !== 0, said: early.stderr.includes(code), port: early.stderr.includes('PORT') }).toEqual({ args, failed: true, said: true, port: false });
    }
    const climbing = await belay(cwd, 'put', 'app/main.py', '/../../outside.py');
    expect(climbing.code).toBe(1);
    expect(climbing.stderr).toContain('[PATH_INVALID]');
    expect(JSON.parse((await belay(cwd, 'ls', '/', '--json')).stdout)).toEqual([]);
  });

  it('put of a device or pipe is refused at once (a FIFO would wait forever); get writes into one, and through a link, replacing neither', async () => {
    const cwd = project();
    execFileSync('mkfifo', [join(cwd, 'pipe')]);
    const refused = await belay(cwd, 'put', 'pipe', '/pipe');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not a regular file');
    expect(refused.stderr).toContain('[LOCAL_IO]');
    expect((await belay(cwd, 'put', 'app/main.py', '/main.py')).code).toBe(0);
    // A reader on the pipe, as a user's `cat pipe` would be.
    const reader = execFile('cat', [join(cwd, 'pipe')]);
    const read = new Promise<string>((resolve) => {
      let out = '';
      reader.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      reader.on('close', () => resolve(out));
    });
    expect((await belay(cwd, 'get', '/main.py', 'pipe')).code).toBe(0);
    const stillAPipe = lstatSync(join(cwd, 'pipe')).isFIFO();
    if (!stillAPipe) reader.kill(); // replaced by a file: nobody will ever write to the pipe it waits on
    expect(stillAPipe).toBe(true);
    expect(await read).toBe("print('hi')\n");
    symlinkSync(join('app', 'lib', 'util.py'), join(cwd, 'link.py'));
    expect((await belay(cwd, 'get', '/main.py', 'link.py')).code).toBe(0);
    expect(lstatSync(join(cwd, 'link.py')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(cwd, 'app', 'lib', 'util.py'), 'utf8')).toBe("print('hi')\n");
  });
});

describe('local paths follow -C/--cwd', { timeout: 180_000 }, () => {
  it('put and get resolve local paths against -C, and run reads its file there', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'belay-cwd-'));
    const cwd = project();
    expect((await belay(outer, '-C', cwd, 'put', 'app/main.py', '/main.py')).code).toBe(0);
    expect((await belay(outer, '-C', cwd, 'get', '/main.py', 'copy.py')).code).toBe(0);
    expect(readFileSync(join(cwd, 'copy.py'), 'utf8')).toBe("print('hi')\n");
    expect((await belay(outer, '-C', cwd, 'run', 'app/main.py')).stdout).toBe('hi\n');
  });
});
