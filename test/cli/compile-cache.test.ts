/**
 * The CLI bundle's code cache (src/cli/compile-cache.ts): a cache file is
 * used only for the exact bundle it was made from and only when whole; a
 * stale, torn or foreign file is compiled around and replaced; a cache
 * folder that cannot be written changes nothing but the speed. Then the
 * built `belay` with its cache folder missing, unwritable or corrupted.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileBundle, packCache, unpackCache, userCacheDir } from '../../src/cli/compile-cache.js';
import { tempDir } from '../helpers/boards.js';
import { belay, tempProject } from '../helpers/cli.js';

/** A script like the bundle: evaluates to a function; `tag` is what it returns (same length for every tag of one length). */
function script(tag: string): string {
  return `(function () { const parts = ['${tag}']; function inner() { return parts.join(''); } return inner(); })`;
}

/** Compiles `file` with the cache in `dir`; what the script's function returns and how the cache served. */
function run(file: string, dir: string | undefined): { result: unknown; cache: string; save(): void } {
  const bundle = compileBundle(file, dir);
  return { result: (bundle.value as () => unknown)(), cache: bundle.cache, save: () => bundle.save() };
}

function cacheFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.bin'));
}

describe('the code cache', () => {
  it('is written after a first run and used by the next', () => {
    const dir = join(tempDir('belay-cc-'), 'cache');
    const file = join(tempDir('belay-cc-src-'), 'cli.js');
    writeFileSync(file, script('first'));
    const first = run(file, dir);
    expect(first).toMatchObject({ result: 'first', cache: 'miss' });
    first.save();
    expect(cacheFiles(dir)).toHaveLength(1);
    const second = run(file, dir);
    expect(second).toMatchObject({ result: 'first', cache: 'hit' });
  });

  it('is not used for another bundle of the same length (V8 alone would take it: it compares lengths only)', () => {
    const dir = tempDir('belay-cc-');
    const file = join(tempDir('belay-cc-src-'), 'cli.js');
    writeFileSync(file, script('AAAA'));
    run(file, dir).save();
    writeFileSync(file, script('BBBB'));
    const next = run(file, dir);
    expect(next).toMatchObject({ result: 'BBBB', cache: 'rejected' });
    // and the file is replaced by one for the new bundle
    next.save();
    expect(run(file, dir)).toMatchObject({ result: 'BBBB', cache: 'hit' });
  });

  it('is not used when torn or changed', () => {
    const dir = tempDir('belay-cc-');
    const file = join(tempDir('belay-cc-src-'), 'cli.js');
    writeFileSync(file, script('torn'));
    run(file, dir).save();
    const [name] = cacheFiles(dir);
    const good = readFileSync(join(dir, name));
    const source = readFileSync(file);

    const flipped = Buffer.from(good);
    flipped[good.length - 10] ^= 0x40; // in the second copy of V8's data
    const truncated = good.subarray(0, good.length - 1);
    const foreign = Buffer.from(good);
    foreign[0] ^= 0x01; // not our magic
    for (const bad of [flipped, truncated, foreign]) {
      expect(unpackCache(bad, source)).toBeUndefined();
      writeFileSync(join(dir, name), bad);
      expect(run(file, dir)).toMatchObject({ result: 'torn', cache: 'rejected' });
    }

  });

  it('data V8 refuses is compiled around and replaced', () => {
    const dir = tempDir('belay-cc-');
    const file = join(tempDir('belay-cc-src-'), 'cli.js');
    // A source this process has not compiled yet: V8 keeps what it compiled in memory and would not look at the cache.
    writeFileSync(file, script('refused'));
    const source = readFileSync(file);
    // Consistent copies of data V8 never made: V8's own check refuses it.
    const name = `cli-${source.length}-${process.versions.v8}-${process.arch}.bin`;
    writeFileSync(join(dir, name), packCache(source, Buffer.alloc(4096, 0x5a)));
    const refused = run(file, dir);
    expect(refused).toMatchObject({ result: 'refused', cache: 'rejected' });
    refused.save();
    expect(cacheFiles(dir)).toEqual([name]);
    expect(unpackCache(readFileSync(join(dir, name)), source)?.length).toBeGreaterThan(0);
    expect(run(file, dir)).toMatchObject({ result: 'refused', cache: 'hit' });
  });

  it('a cache folder that cannot be made or written is harmless', () => {
    const blocker = join(tempDir('belay-cc-'), 'not-a-folder');
    writeFileSync(blocker, 'a file where the cache folder would go');
    const file = join(tempDir('belay-cc-src-'), 'cli.js');
    writeFileSync(file, script('ro'));
    const first = run(file, join(blocker, 'cache'));
    expect(first).toMatchObject({ result: 'ro', cache: 'miss' });
    expect(() => first.save()).not.toThrow();
    expect(run(file, undefined)).toMatchObject({ result: 'ro', cache: 'off' });
  });

  it('keeps a few builds\' files and prunes the older ones', () => {
    const dir = tempDir('belay-cc-');
    const file = join(tempDir('belay-cc-src-'), 'cli.js');
    for (const tag of ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff']) {
      writeFileSync(file, script(tag));
      run(file, dir).save();
    }
    expect(cacheFiles(dir).length).toBeLessThanOrEqual(4);
    expect(run(file, dir).cache).toBe('hit');
  });

  it('lives in the user\'s cache folder, by platform', () => {
    expect(userCacheDir({ platform: 'linux', env: { HOME: '/home/u' } })).toBe('/home/u/.cache/belay/compile-cache');
    expect(userCacheDir({ platform: 'linux', env: { HOME: '/home/u', XDG_CACHE_HOME: '/var/cache/u' } })).toBe('/var/cache/u/belay/compile-cache');
    expect(userCacheDir({ platform: 'linux', env: { HOME: '/home/u', XDG_CACHE_HOME: 'relative' } })).toBe('/home/u/.cache/belay/compile-cache');
    expect(userCacheDir({ platform: 'darwin', env: { HOME: '/Users/u' } })).toBe('/Users/u/Library/Caches/belay/compile-cache');
    expect(userCacheDir({ platform: 'win32', env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' } })).toBe('C:\\Users\\u\\AppData\\Local\\belay\\compile-cache');
    expect(userCacheDir({ platform: 'linux', env: {} })).toBeUndefined();
  });
});

describe('belay with its code cache', () => {
  it('answers the same with the cache folder fresh, filled, corrupted, unwritable or impossible to make', { timeout: 120_000 }, async () => {
    const cwd = tempProject('belay-cc-cli-');
    const cacheHome = tempDir('belay-cc-home-');
    const folder = join(cacheHome, 'belay', 'compile-cache');
    const runs = [];
    runs.push(await belay(['--version'], { cwd, env: { XDG_CACHE_HOME: cacheHome } }));
    expect(cacheFiles(folder)).toHaveLength(1);
    const [name] = cacheFiles(folder);
    runs.push(await belay(['--version'], { cwd, env: { XDG_CACHE_HOME: cacheHome } }));
    writeFileSync(join(folder, name), readFileSync(join(folder, name)).subarray(0, 100));
    runs.push(await belay(['--version'], { cwd, env: { XDG_CACHE_HOME: cacheHome } }));
    // replaced by a whole one
    expect(readFileSync(join(folder, name)).length).toBeGreaterThan(100);
    const blocked = join(tempDir('belay-cc-home-'), 'file');
    writeFileSync(blocked, '');
    runs.push(await belay(['--version'], { cwd, env: { XDG_CACHE_HOME: blocked } }));
    // Under procfs mkdir answers ENOENT below a parent that exists: the save gives up rather than retrying forever.
    runs.push(await belay(['--version'], { cwd, env: { XDG_CACHE_HOME: '/proc/belay-no-such' } }));
    for (const result of runs) expect(result).toEqual(runs[0]);
    expect(runs[0]).toMatchObject({ code: 0 });
    expect(runs[0].stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
