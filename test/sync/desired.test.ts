/**
 * The desired state from real files on disk: board paths from the source
 * walker, hashes in the board's algorithm, inline files, and the hash cache
 * (warm hits, every kind of change caught, racy files not cached, a corrupt
 * cache ignored).
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { hashBytes, hashLocalFile } from '../../src/hashing/hashing.js';
import { readDesired } from '../../src/sync/desired.js';
import { HashCache, hashCacheFile } from '../../src/sync/hash-cache.js';
import { tempDir } from '../helpers/boards.js';

const OLD = new Date(Date.now() - 3600_000);

function project(): string {
  const root = tempDir('belay-desired-');
  mkdirSync(join(root, 'src', 'lib'), { recursive: true });
  mkdirSync(join(root, 'src', '__pycache__'), { recursive: true });
  writeFileSync(join(root, 'src', 'main.py'), "print('hi')\n");
  writeFileSync(join(root, 'src', 'lib', 'util.py'), 'X = 1\n');
  writeFileSync(join(root, 'src', 'test_main.py'), 'assert True\n');
  writeFileSync(join(root, 'src', '__pycache__', 'main.mpy'), 'bytes');
  writeFileSync(join(root, 'src', `odd 'name" ü.txt`), 'odd');
  writeFileSync(
    join(root, 'belay.yaml'),
    ['sources:', '  - from: src', '    to: /', '    exclude: ["test_*.py"]', 'files:', '  /config.json:', '    json: {debug: true}', '  /notes.txt: hello', ''].join('\n'),
  );
  return root;
}

/** Every source file aged past the racy window, so the cache may keep them. */
function age(root: string, ...files: string[]): void {
  for (const file of files) utimesSync(join(root, 'src', file), OLD, OLD);
}

const FILES = ['main.py', 'lib/util.py', `odd 'name" ü.txt`];

describe('desired state', () => {
  it('maps sources and inline files to board paths, hashed in the requested algorithm', async () => {
    const root = project();
    const config = await loadConfig({ cwd: root });
    for (const algorithm of ['sha256', 'crc32', 'adler32'] as const) {
      const state = await readDesired(config, { algorithm });
      expect(state.hashAlgorithm).toBe(algorithm);
      expect(state.files.map((f) => f.path)).toEqual(['/config.json', '/lib/util.py', '/main.py', '/notes.txt', `/odd 'name" ü.txt`]);
      const main = state.files.find((f) => f.path === '/main.py')!;
      expect(main).toEqual({ path: '/main.py', size: 12, hash: (await hashLocalFile(algorithm, join(root, 'src', 'main.py'))).digest, source: { kind: 'local', path: 'src/main.py' } });
      const inline = state.files.find((f) => f.path === '/config.json')!;
      const text = config.files.find((f) => f.path === '/config.json')!.content;
      expect(inline).toEqual({ path: '/config.json', size: Buffer.byteLength(text), hash: hashBytes(algorithm, Buffer.from(text)).digest, source: { kind: 'inline', format: 'json', secret: false } });
    }
  });

  it('a warm cache answers for unchanged files; every change to a file is caught', async () => {
    const root = project();
    age(root, ...FILES);
    const config = await loadConfig({ cwd: root });
    const cold = await HashCache.load(root);
    const first = await readDesired(config, { algorithm: 'sha256', cache: cold });
    expect([cold.hits, cold.misses]).toEqual([0, 3]);
    expect(await cold.save()).toBeUndefined();

    const warm = await HashCache.load(root);
    expect(await readDesired(config, { algorithm: 'sha256', cache: warm })).toEqual(first);
    expect([warm.hits, warm.misses]).toEqual([3, 0]);

    // Same size, mtime put back: only the ctime tells, and it must.
    writeFileSync(join(root, 'src', 'main.py'), "print('ho')\n");
    age(root, 'main.py');
    const after = await HashCache.load(root);
    const state = await readDesired(config, { algorithm: 'sha256', cache: after });
    expect([after.hits, after.misses]).toEqual([2, 1]);
    expect(state.files.find((f) => f.path === '/main.py')!.hash).toBe(hashBytes('sha256', Buffer.from("print('ho')\n")).digest);
    // Another algorithm is hashed afresh, not taken from the sha256 entry.
    const crc = await HashCache.load(root);
    await readDesired(config, { algorithm: 'crc32', cache: crc });
    expect(crc.hits).toBe(0);
  });

  it('does not cache a file modified just before it was hashed (same-tick edits would go unseen)', async () => {
    const root = project();
    age(root, 'lib/util.py', `odd 'name" ü.txt`);
    const config = await loadConfig({ cwd: root });
    const cache = await HashCache.load(root);
    await readDesired(config, { algorithm: 'sha256', cache });
    await cache.save();
    const entries = Object.keys((JSON.parse(readFileSync(hashCacheFile(root), 'utf8')) as { entries: object }).entries);
    expect(entries).toEqual(['src/lib/util.py', `src/odd 'name" ü.txt`]);
  });

  it('ignores a corrupt or foreign cache file, and hashes everything', async () => {
    const root = project();
    age(root, ...FILES);
    const config = await loadConfig({ cwd: root });
    for (const text of ['{not json', '[]', '{"version": 99, "entries": {}}', '{"version": 1, "entries": {"src/main.py": {"size": "x"}}}']) {
      mkdirSync(join(root, '.belay'), { recursive: true });
      writeFileSync(hashCacheFile(root), text);
      const cache = await HashCache.load(root);
      await readDesired(config, { algorithm: 'sha256', cache });
      expect(cache.misses).toBe(3);
    }
    // A forged digest (not hex) is not believed either.
    const real = await HashCache.load(root);
    await readDesired(config, { algorithm: 'sha256', cache: real });
    await real.save();
    const stored = JSON.parse(readFileSync(hashCacheFile(root), 'utf8')) as { entries: Record<string, { hashes: Record<string, unknown> }> };
    stored.entries['src/main.py'].hashes.sha256 = { evil: true };
    writeFileSync(hashCacheFile(root), JSON.stringify(stored));
    const forged = await HashCache.load(root);
    await readDesired(config, { algorithm: 'sha256', cache: forged });
    expect([forged.hits, forged.misses]).toEqual([2, 1]);
  });

  it('a cache that cannot be saved is reported, not thrown', async () => {
    const root = project();
    age(root, ...FILES);
    writeFileSync(join(root, '.belay'), 'a file where the folder should be');
    const config = await loadConfig({ cwd: root });
    const cache = await HashCache.load(root);
    await readDesired(config, { algorithm: 'sha256', cache });
    expect(await cache.save()).toBeInstanceOf(Error);
  });

  it('an unreadable source file is LOCAL_IO', async () => {
    const root = project();
    const config = await loadConfig({ cwd: root });
    const bad = { ...config, sources: [{ ...config.sources[0], kind: 'file' as const, from: join(root, 'src', 'missing.py'), to: '/missing.py' }] };
    await expect(readDesired(bad, { algorithm: 'sha256' })).rejects.toMatchObject({ code: 'LOCAL_IO' });
  });
});
