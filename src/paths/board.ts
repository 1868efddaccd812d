/**
 * Board paths are POSIX and absolute on the board ("/lib/x.py"). Every path a
 * user or a program hands to the filesystem API goes through
 * `boardPath()` first, which turns it into one canonical absolute form or
 * refuses it with PATH_INVALID. Names are otherwise kept byte for byte:
 * quotes, spaces, unicode, backslashes and even newlines are legal names on
 * littlefs and FAT, and they reach the board only as Python literals
 * (snippets.ts `pyLiteral`), never as code.
 */
import { posix } from 'node:path';
import { BelayError } from '../errors.js';

/** Prefix of the temp files uploads write next to their target (see tempPathFor). */
export const TEMP_PREFIX = '.belay-tmp-';

/** Canonical absolute board path: relative paths start at "/", "." and ".." are resolved, no trailing slash. */
export function boardPath(input: string): string {
  if (typeof input !== 'string' || input.length === 0) {
    throw new BelayError('PATH_INVALID', 'a board path cannot be empty');
  }
  if (input.includes('\0')) {
    throw new BelayError('PATH_INVALID', `board path ${JSON.stringify(input)} contains a NUL character`);
  }
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(input)) {
    throw new BelayError('PATH_INVALID', `board path ${JSON.stringify(input)} is not valid unicode`);
  }
  // posix.resolve from "/" cannot climb above the root: "/../x" is "/x".
  return posix.resolve('/', input);
}

export function boardJoin(dir: string, ...names: string[]): string {
  return boardPath(posix.join(dir, ...names));
}

export function boardDirname(path: string): string {
  return posix.dirname(boardPath(path));
}

export function boardBasename(path: string): string {
  return posix.basename(boardPath(path));
}

/** The path below `root`, with "/" separators ("" for root itself); undefined if outside. */
export function boardRelative(root: string, path: string): string | undefined {
  const from = boardPath(root);
  const to = boardPath(path);
  if (to === from) return '';
  const prefix = from === '/' ? '/' : `${from}/`;
  return to.startsWith(prefix) ? to.slice(prefix.length) : undefined;
}

/**
 * The temp name an upload writes before renaming over `target`: the same
 * directory (so the rename stays on one filesystem and is atomic on
 * littlefs), name ".belay-tmp-" + the target's name. A file under such a
 * name is never user data: any belay that finds one may remove it.
 */
export function tempPathFor(target: string): string {
  const path = boardPath(target);
  if (path === '/') throw new BelayError('PATH_INVALID', 'cannot write a file at the board root "/"');
  return posix.join(posix.dirname(path), TEMP_PREFIX + posix.basename(path));
}

export function isTempName(name: string): boolean {
  return posix.basename(name).startsWith(TEMP_PREFIX);
}
