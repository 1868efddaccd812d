/**
 * Board paths as a user types them: a trailing "/" means "into this
 * folder" (never over a file of that name), and belay's own /.belay is
 * refused to every command that writes, however it is spelled.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBelay } from '../helpers/cli.js';

/** `belay --port emulator ARGS` in `cwd`. */
const belay = (cwd: string, ...args: string[]) => runBelay(cwd, ['--port', 'emulator', ...args]);

function project(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'belay-targets-'));
  mkdirSync(join(cwd, 'dir'));
  writeFileSync(join(cwd, 'a.py'), 'A = 1\n');
  writeFileSync(join(cwd, 'dir', 'b.py'), 'B = 2\n');
  return cwd;
}

async function files(cwd: string): Promise<Record<string, number>> {
  const listing = JSON.parse((await belay(cwd, 'ls', '-r', '/', '-l', '--json')).stdout) as Array<{ path: string; kind: string; size: number }>;
  return Object.fromEntries(listing.filter((e) => e.kind === 'file').map((e) => [e.path, e.size]));
}

describe('a trailing "/" means "into this folder"', { timeout: 180_000 }, () => {
  it('onto a file it is ENOTDIR and the file stays; onto a folder or nothing it puts inside', async () => {
    const cwd = project();
    await belay(cwd, 'exec', "import os\nos.mkdir('/sub')\nopen('/sub/c.py','w').write('keep me')");
    const onFile = await belay(cwd, 'put', 'a.py', '/sub/c.py/');
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toContain('[FS_ERROR]');
    expect(onFile.stderr).toContain('ENOTDIR');
    expect((await belay(cwd, 'cat', '/sub/c.py')).stdout).toBe('keep me');
    // Without the slash the same command replaces the file, as asked.
    expect((await belay(cwd, 'put', 'a.py', '/sub/', '--json')).code).toBe(0);
    expect((await belay(cwd, 'put', 'a.py', '/new/folder/')).code).toBe(0);
    expect(await files(cwd)).toEqual({ '/sub/c.py': 7, '/sub/a.py': 6, '/new/folder/a.py': 6 });
    expect((await belay(cwd, 'put', 'a.py', '/sub/c.py')).code).toBe(0);
    expect((await belay(cwd, 'cat', '/sub/c.py')).stdout).toBe('A = 1\n');
  });
});

describe('/.belay is refused to every writer', { timeout: 180_000 }, () => {
  it('put, put -r, mkdir and rm all refuse it, in any spelling, and nothing is written there', async () => {
    const cwd = project();
    const attempts = [
      ['put', 'a.py', '/.belay/manifest.json'],
      ['put', 'a.py', '/x/../.BELAY/journal.json'],
      ['put', 'a.py', '/.belay/'],
      ['put', '-r', 'dir', '/.belay'],
      ['mkdir', '-p', '/.belay/x'],
      ['rm', '-r', '/.belay'],
    ];
    for (const args of attempts) {
      const run = await belay(cwd, ...args);
      expect({ args, code: run.code, refused: run.stderr.includes('[PATH_RESERVED]') }).toEqual({ args, code: 1, refused: true });
    }
    expect(await files(cwd)).toEqual({});
    expect(JSON.parse((await belay(cwd, 'ls', '-r', '/', '--json')).stdout)).toEqual([]);
  });
});
