/**
 * Review material for a plan: for each updated text file, a unified diff
 * from the board's current text to the local one, so a reviewer sees what
 * will change (on the terminal, in a pull request, and later from the saved
 * plan with `belay show`, without a board). The board's copy is fetched only
 * for updates, only up to a size limit; both sides are checked against the
 * plan's hashes (a file that changed meanwhile gets no diff rather than a
 * wrong one). A file that is secret, or whose local text carries a secret
 * value, shows no content at all (the board's copy may hold an older secret
 * no redaction could recognise); other board text is redacted before
 * diffing. Binary files get no diff.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Secrets } from '../config/secrets.js';
import type { InlineFile } from '../config/types.js';
import type { Device } from '../device/device.js';
import { throwIfAborted } from '../errors.js';
import { hashBytes, type HashAlgorithm } from '../hashing/hashing.js';
import type { Change, Review } from './types.js';

/** Largest file (either side) diffed by default, in bytes. */
export const DEFAULT_DIFF_LIMIT = 64 * 1024;

export interface ReviewOptions {
  rootDir: string;
  /** Inline files by board path (their text is the local side). */
  inline: ReadonlyMap<string, InlineFile>;
  secrets: Secrets;
  algorithm: HashAlgorithm;
  /** Largest file diffed, in bytes (default DEFAULT_DIFF_LIMIT). */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; path: string }) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of `bytes`, or undefined when they are not UTF-8 text (a NUL byte, an invalid sequence). */
export function asText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A unified diff with three lines of context, headed `--- PATH (board)` / `+++ PATH (local)`. */
export function unifiedDiff(path: string, boardText: string, localText: string): string {
  const patch = createTwoFilesPatch(`${path} (board)`, `${path} (local)`, boardText, localText, undefined, undefined, { context: 3 });
  // Drop the "Index:" and "=====" lines the diff package puts first.
  return patch.slice(patch.indexOf('--- '));
}

/** Reviews of the plan's updates, by path. */
export async function reviewChanges(device: Device, changes: readonly Change[], options: ReviewOptions): Promise<Map<string, Review>> {
  const limit = options.limit ?? DEFAULT_DIFF_LIMIT;
  const reviews = new Map<string, Review>();
  const updates = changes.filter((c) => c.action === 'update');
  let done = 0;
  for (const change of updates) {
    throwIfAborted(options.signal);
    reviews.set(change.path, await reviewOne(device, change, options, limit));
    options.onProgress?.({ done: ++done, total: updates.length, path: change.path });
  }
  return reviews;
}

async function reviewOne(device: Device, change: Change, options: ReviewOptions, limit: number): Promise<Review> {
  const { before, after, source } = change;
  if (!before || !after || !source) return { kind: 'unavailable' };
  if ((source.kind === 'inline' && source.secret) || options.secrets.paths.has(change.path)) return { kind: 'secret' };
  if (before.size > limit || after.size > limit) return { kind: 'too-large', limit };

  const local = source.kind === 'inline' ? new TextEncoder().encode(options.inline.get(change.path)?.content ?? '') : await readFile(resolve(options.rootDir, source.path)).catch(() => undefined);
  if (!local || hashBytes(options.algorithm, local).digest !== after.hash) return { kind: 'unavailable' };
  const localText = asText(local);
  if (localText === undefined) return { kind: 'binary' };
  // A file that carries a secret is not diffed at all: the board's copy may
  // hold an older secret value, which no redaction could recognise.
  if (options.secrets.leaks(localText)) return { kind: 'secret' };

  const { data } = await device.fs.read(change.path, { signal: options.signal });
  if (!data || hashBytes(options.algorithm, data).digest !== before.hash) return { kind: 'unavailable' };
  const boardText = asText(data);
  if (boardText === undefined) return { kind: 'binary' };

  // The board's copy may quote a current secret (copied there by hand, say).
  return { kind: 'diff', diff: unifiedDiff(change.path, options.secrets.redact(boardText), localText) };
}
