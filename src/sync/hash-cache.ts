/**
 * A cache of local file hashes, so an unchanged project plans without
 * reading every file: `.belay/hash-cache.json` under the project root, one
 * entry per file (path relative to the root) keyed by size, mtime, ctime
 * and inode; any change to those and the file is hashed again.
 *
 * A file modified within the same clock tick as it was hashed would keep
 * its old stat, so entries younger than RACY_MS at hashing time are not
 * stored (git's "racily clean" rule). The cache is only an accelerator: an
 * unreadable or corrupt cache is ignored, a failed save is reported, never thrown.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import type { HashAlgorithm } from '../hashing/hashing.js';
import { writeFileAtomic } from '../local/write.js';

const CACHE_VERSION = 1;
/** Files modified less than this before being hashed are not cached (mtime granularity is up to 2 s on FAT). */
export const RACY_MS = 2_000;

interface Entry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hashes: Partial<Record<HashAlgorithm, string>>;
}

export function hashCacheFile(rootDir: string): string {
  return join(rootDir, '.belay', 'hash-cache.json');
}

export class HashCache {
  private readonly next = new Map<string, Entry>();
  private changed = false;
  hits = 0;
  misses = 0;

  private constructor(
    readonly file: string,
    private readonly previous: Map<string, Entry>,
  ) {}

  /** Loads the cache of the project at `rootDir` (empty when there is none or it is unreadable). */
  static async load(rootDir: string): Promise<HashCache> {
    const file = hashCacheFile(rootDir);
    const previous = new Map<string, Entry>();
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; entries?: Record<string, Entry> };
      if (parsed.version === CACHE_VERSION && parsed.entries && typeof parsed.entries === 'object') {
        for (const [key, entry] of Object.entries(parsed.entries)) if (isEntry(entry)) previous.set(key, entry);
      }
    } catch {
      // No cache yet, or not one we can use: start empty.
    }
    return new HashCache(file, previous);
  }

  /** The cached digest for `key` if its stat still matches, else undefined. */
  get(key: string, stats: Stats, algorithm: HashAlgorithm): string | undefined {
    const entry = this.next.get(key) ?? this.previous.get(key);
    const digest = entry && sameStat(entry, stats) ? entry.hashes[algorithm] : undefined;
    if (typeof digest !== 'string' || !/^[0-9a-f]+$/.test(digest)) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.keep(key, entry!);
    return digest;
  }

  /** Records a digest computed from the file as `stats` described it before reading. */
  set(key: string, stats: Stats, algorithm: HashAlgorithm, digest: string, hashedAt: number): void {
    if (hashedAt - stats.mtimeMs < RACY_MS) return;
    const old = this.next.get(key) ?? this.previous.get(key);
    const hashes = old && sameStat(old, stats) ? { ...old.hashes } : {};
    hashes[algorithm] = digest;
    this.next.set(key, { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, hashes });
    this.changed = true;
  }

  private keep(key: string, entry: Entry): void {
    if (!this.next.has(key)) this.next.set(key, entry);
  }

  /**
   * Saves the entries used this run (files no longer deployed drop out).
   * Returns the error instead of throwing: a read-only project still plans.
   */
  async save(): Promise<Error | undefined> {
    const dropped = [...this.previous.keys()].some((key) => !this.next.has(key));
    if (!this.changed && !dropped) return undefined;
    const entries: Record<string, Entry> = {};
    for (const key of [...this.next.keys()].sort()) entries[key] = this.next.get(key)!;
    try {
      await writeFileAtomic(this.file, `${JSON.stringify({ version: CACHE_VERSION, entries })}\n`);
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }
}

function sameStat(entry: Entry, stats: Stats): boolean {
  return entry.size === stats.size && entry.mtimeMs === stats.mtimeMs && entry.ctimeMs === stats.ctimeMs && entry.ino === stats.ino;
}

function isEntry(value: unknown): value is Entry {
  const e = value as Entry;
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.size === 'number' &&
    typeof e.mtimeMs === 'number' &&
    typeof e.ctimeMs === 'number' &&
    typeof e.ino === 'number' &&
    e.hashes !== null &&
    typeof e.hashes === 'object'
  );
}
