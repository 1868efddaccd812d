/**
 * The desired state: every file the config deploys, with its board path,
 * size and hash in the board's algorithm. Local files come from the one
 * source walker (config/walk.ts listSourceFiles: include/exclude/ignore,
 * symlinks); inline files (`files:` in belay.yaml) from their rendered text.
 * Hashing streams each file once, through the hash cache when given.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { boardMatcher } from '../config/patterns.js';
import { listSourceFiles } from '../config/walk.js';
import type { InlineFile, SourceMapping } from '../config/types.js';
import { BelayError, throwIfAborted } from '../errors.js';
import { createHasher, hashBytes, type HashAlgorithm } from '../hashing/hashing.js';
import type { HashCache } from './hash-cache.js';
import { comparePaths } from './planner.js';
import type { DesiredFile, DesiredState } from './types.js';

/** The parts of a loaded config the desired state is made of. */
export interface DesiredConfig {
  rootDir: string;
  sources: readonly SourceMapping[];
  files: readonly InlineFile[];
  ignore: readonly string[];
}

export interface DesiredOptions {
  algorithm: HashAlgorithm;
  cache?: HashCache;
  signal?: AbortSignal;
  /** After each local file is hashed (or found in the cache). */
  onProgress?: (progress: { done: number; total: number; path: string }) => void;
}

/** Files hashed at once: overlaps disk waits without opening hundreds of files. */
const CONCURRENCY = 8;

/** A local file's path relative to the project root, "/"-separated, as plans record it. */
export function projectRelative(rootDir: string, local: string): string {
  return relative(rootDir, local).split(sep).join('/');
}

export async function readDesired(config: DesiredConfig, options: DesiredOptions): Promise<DesiredState> {
  const { algorithm, cache, signal } = options;
  const locals: Array<{ local: string; board: string }> = [];
  for (const source of config.sources) {
    throwIfAborted(signal);
    locals.push(...(await listSourceFiles(source, config.ignore)).files);
  }

  const files: DesiredFile[] = new Array(locals.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < locals.length) {
      const index = next++;
      const { local, board } = locals[index];
      throwIfAborted(signal);
      const relativePath = projectRelative(config.rootDir, local);
      const { size, hash } = await hashFile(local, relativePath, algorithm, cache, signal);
      files[index] = { path: board, size, hash, source: { kind: 'local', path: relativePath } };
      done += 1;
      options.onProgress?.({ done, total: locals.length, path: board });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, locals.length) }, worker));

  const ignored = boardMatcher(config.ignore);
  for (const inline of config.files) {
    if (ignored(inline.path) !== undefined) continue;
    const bytes = new TextEncoder().encode(inline.content);
    files.push({ path: inline.path, size: bytes.length, hash: hashBytes(algorithm, bytes).digest, source: { kind: 'inline', format: inline.format, secret: inline.secret } });
  }

  files.sort((a, b) => comparePaths(a.path, b.path));
  for (let i = 1; i < files.length; i++) {
    if (files[i].path === files[i - 1].path) {
      throw new BelayError('CONFIG_INVALID', `two sources deploy ${files[i].path}`, { hint: 'run "belay validate" to see which' });
    }
  }
  return { hashAlgorithm: algorithm, files };
}

/**
 * Size and digest of a local file, from the cache when its stat is
 * unchanged. The size is what was actually read; a file that changed while
 * being read is read again (once), then refused.
 */
async function hashFile(local: string, key: string, algorithm: HashAlgorithm, cache: HashCache | undefined, signal?: AbortSignal): Promise<{ size: number; hash: string }> {
  for (let attempt = 0; ; attempt++) {
    const before = await stat(local).catch((err: unknown) => {
      throw localError(local, err);
    });
    const cached = cache?.get(key, before, algorithm);
    if (cached !== undefined) return { size: before.size, hash: cached };
    const hashedAt = Date.now();
    const hasher = createHasher(algorithm);
    let size = 0;
    try {
      for await (const chunk of createReadStream(local, { signal })) {
        hasher.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    } catch (err) {
      if (signal?.aborted) throwIfAborted(signal);
      throw localError(local, err);
    }
    const after = await stat(local).catch((err: unknown) => {
      throw localError(local, err);
    });
    const hash = hasher.digest().digest;
    if (size === before.size && after.size === before.size && after.mtimeMs === before.mtimeMs) {
      cache?.set(key, before, algorithm, hash, hashedAt);
      return { size, hash };
    }
    if (attempt > 0) throw new BelayError('LOCAL_IO', `${key} keeps changing while it is read`, { data: { path: local }, hint: 'plan again once it is written' });
  }
}

function localError(path: string, err: unknown): BelayError {
  const code = (err as NodeJS.ErrnoException).code;
  return new BelayError('LOCAL_IO', `cannot read ${path}: ${code ?? (err as Error).message}`, { data: { path, errno: code }, cause: err });
}
