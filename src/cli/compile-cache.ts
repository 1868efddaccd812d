/**
 * V8's code cache for the CLI bundle (dist/cli/cli.js, see
 * scripts/bundle-cli.mjs): the launcher compiles the bundle with the code
 * V8 made for it on an earlier run, so a short command does not parse and
 * compile the CLI again every time. Node 20 has no compile cache of its own
 * (module.enableCompileCache came in Node 22).
 *
 * One cache file per bundle content, V8 version and architecture, in the
 * user's cache folder. Never trusted blindly: a file is used only if it
 * holds an exact copy of the bundle being run (V8 itself compares only the
 * source's length) and two identical copies of V8's data (a torn or
 * bit-flipped file fails the comparison instead of reaching V8's
 * deserializer); V8 then checks its own version and flags and may still
 * refuse it. Anything wrong means one compile from source and a fresh file;
 * a cache that cannot be read or written changes nothing but the speed.
 *
 * Copies rather than checksums: comparing buffers is a memcmp in C++, while
 * a checksum loop over a few hundred KB in JavaScript runs hot enough for
 * V8's optimising compiler, which costs every command some 4 MB of memory
 * and more time than the cache saves (and node:crypto or node:zlib cost
 * about as much just to load).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import nodePath from 'node:path';
import { Script } from 'node:vm';

/** What the cache did for this run. */
export type CacheUse = 'hit' | 'miss' | 'rejected' | 'off';

export interface CompiledBundle {
  /** What the bundle's script evaluates to: its module function. */
  value: unknown;
  /** hit: compiled from the cache; miss: no cache file yet; rejected: a file that failed a check; off: no cache folder. */
  cache: CacheUse;
  /** Writes a fresh cache file (with what V8 compiled so far) unless this run used one; never throws. */
  save(): void;
}

export interface CacheFacts {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
}

/** Cache files kept per folder (older builds' files beyond this are removed when a new one is written). */
const KEEP = 4;
const MAGIC = Buffer.from('belayv8\x01', 'latin1');
const HEADER = 16; // magic, source length, data length

/** The user's cache folder for belay: $XDG_CACHE_HOME or ~/.cache, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows; none without a home. */
export function userCacheDir({ platform, env }: CacheFacts): string | undefined {
  const impl = platform === 'win32' ? nodePath.win32 : nodePath.posix;
  let base: string | undefined;
  if (platform === 'win32') base = env.LOCALAPPDATA || (env.USERPROFILE ? impl.join(env.USERPROFILE, 'AppData', 'Local') : undefined);
  else if (platform === 'darwin') base = env.HOME ? impl.join(env.HOME, 'Library', 'Caches') : undefined;
  // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
  else base = env.XDG_CACHE_HOME && impl.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : env.HOME ? impl.join(env.HOME, '.cache') : undefined;
  return base ? impl.join(base, 'belay', 'compile-cache') : undefined;
}

/** A cache file: magic, the source's and the data's lengths (u32 LE), the source, then V8's data twice. */
export function packCache(source: Buffer, data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(source.length, 8);
  header.writeUInt32LE(data.length, 12);
  return Buffer.concat([header, source, data, data]);
}

/** V8's data from a cache file, if the file is whole, consistent and made for exactly `source`; else undefined. */
export function unpackCache(file: Buffer, source: Buffer): Buffer | undefined {
  if (file.length < HEADER || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const sourceLength = file.readUInt32LE(8);
  const dataLength = file.readUInt32LE(12);
  if (sourceLength !== source.length || file.length !== HEADER + sourceLength + 2 * dataLength) return undefined;
  if (!file.subarray(HEADER, HEADER + sourceLength).equals(source)) return undefined;
  const data = file.subarray(HEADER + sourceLength, HEADER + sourceLength + dataLength);
  return data.equals(file.subarray(HEADER + sourceLength + dataLength)) ? data : undefined;
}

/** Compiles and evaluates the script in `file` (in this context), with the code cache kept in `cacheDir` when given. */
export function compileBundle(file: string, cacheDir: string | undefined): CompiledBundle {
  const bytes = readFileSync(file);
  // latin1 makes a one-byte string without decoding, right for ASCII only.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  // Named by what tells builds apart cheaply; the content itself is compared on reading.
  const cacheFile = cacheDir === undefined ? undefined : nodePath.join(cacheDir, `cli-${bytes.length}-${process.versions.v8}-${process.arch}.bin`);
  let cache: CacheUse = cacheFile === undefined ? 'off' : 'miss';
  let cachedData: Buffer | undefined;
  if (cacheFile !== undefined) {
    const stored = readOrUndefined(cacheFile);
    if (stored !== undefined) {
      cachedData = unpackCache(stored, bytes);
      cache = cachedData === undefined ? 'rejected' : 'hit';
    }
  }
  const script = new Script(source, { filename: file, cachedData });
  if (cachedData !== undefined && script.cachedDataRejected === true) cache = 'rejected';
  const value: unknown = script.runInThisContext();
  // Held for save() only when there is something to write.
  let unsaved = cache === 'hit' || cacheFile === undefined ? undefined : bytes;
  return {
    value,
    cache,
    save() {
      if (unsaved === undefined || cacheFile === undefined) return;
      const content = unsaved;
      unsaved = undefined;
      try {
        writeCacheFile(cacheFile, packCache(content, script.createCachedData()));
      } catch {
        // A read-only or full disk: the next run compiles from source again.
      }
    },
  };
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written aside and renamed into place, so a reader (another belay) sees a whole file or none; then old builds' files pruned. */
function writeCacheFile(path: string, content: Buffer): void {
  const dir = nodePath.dirname(path);
  makeFolders(dir);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never written
    }
    throw err;
  }
  const others = readdirSync(dir)
    .filter((name) => name !== nodePath.basename(path))
    .map((name) => ({ name, mtime: mtimeOrZero(nodePath.join(dir, name)) }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of others.slice(KEEP - 1)) {
    try {
      unlinkSync(nodePath.join(dir, old.name));
    } catch {
      // another belay removed it first
    }
  }
}

/**
 * Makes `dir` and its missing parents, one level at a time from the top.
 * Not mkdirSync's `recursive`: it retries forever where mkdir answers
 * ENOENT under a parent that exists (procfs, sysfs), which hung every
 * command whose cache folder pointed there.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at) && nodePath.dirname(at) !== at; at = nodePath.dirname(at)) missing.unshift(at);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      // Another belay made it meanwhile: fine. Anything else stops the write.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function mtimeOrZero(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
