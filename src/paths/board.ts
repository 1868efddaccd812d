/**
 * The one board-path rule. Every path a user, a config file or a program
 * hands to the board goes through here: it is turned into one canonical
 * absolute POSIX form ("/lib/x.py") or refused with a BelayError, before
 * anything reaches the board.
 *
 * What every path must be (reading included):
 * - not empty, no NUL, valid unicode;
 * - never above "/": "/a/../b" is "/b", but "/.." and "a/../../b" are refused;
 * - each name at most MAX_NAME_BYTES UTF-8 bytes (littlefs and FAT both stop at 255);
 * - relative paths start at "/" (the board has no working directory), unless
 *   `absolute` is asked for (belay.yaml, where a relative path is a mistake).
 *
 * What a path that creates or changes something must also be (writePath):
 * - free of control characters: FAT cuts a name at one ("main.py<TAB>x" *is*
 *   main.py) and a newline in a name can fake a line of output;
 * - not a temp name (".belay-tmp-*": any belay may delete those), and short
 *   enough that its temp name still fits the name limit;
 * - outside /.belay, belay's own records (any case: FAT folds it). Only the
 *   engine writes there, through a ReservedPath (paths/reserved.ts), which
 *   no string can turn into.
 *
 * Reading is more lenient on purpose: a name another tool created (with a
 * tab in it, say) can still be listed, read, downloaded and removed.
 *
 * A trailing "/" means "a folder": boardTarget() reports it, so `put a.py
 * /sub/c.py/` puts into the folder c.py and fails when c.py is a file,
 * instead of overwriting it. Names are otherwise kept byte for byte: quotes,
 * spaces, backslashes and unicode are legal on the board and reach it only
 * as Python literals (device/snippets.ts pyLiteral), never as code.
 */
import { posix } from 'node:path';
import { BelayError } from '../errors.js';
import { isReservedPath, RESERVED_BOARD_DIR, type ReservedPath } from './reserved.js';

export { RESERVED_BOARD_DIR };

/** Prefix of the temp files uploads write next to their target (see tempPathFor). */
export const TEMP_PREFIX = '.belay-tmp-';

/** littlefs (LFS_NAME_MAX) and FAT long names both stop at 255. */
export const MAX_NAME_BYTES = 255;

/** Temp names are short and fixed in length (see tempPathFor), so a name belay creates may use all 255 bytes. */
export const MAX_WRITABLE_NAME_BYTES = MAX_NAME_BYTES;

/**
 * What a path is for. `read`: look at what is there. `remove`: delete it.
 * `dir`: create a folder. `file`: create or replace a file (a trailing "/"
 * or the root "/" cannot name one).
 */
export type PathPurpose = 'read' | 'remove' | 'dir' | 'file';

export interface BoardPathOptions {
  /** Refuse relative paths instead of reading them from "/" (default false). */
  absolute?: boolean;
  /** Default `read`. */
  purpose?: PathPurpose;
}

export type BoardPathCheck =
  | { ok: true; path: string; folder: boolean }
  | { ok: false; code: 'PATH_INVALID' | 'PATH_RESERVED'; reason: string; suggestion?: string };

/** Anything the filesystem API accepts as a path: a string, or the engine's ReservedPath. */
export type BoardPathInput = string | ReservedPath;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const BROKEN_UNICODE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const invalid = (reason: string, suggestion?: string): BoardPathCheck => ({ ok: false, code: 'PATH_INVALID', reason, suggestion });

/** Checks `input` against the rule for `purpose` without throwing (config diagnostics use the reason). */
export function checkBoardPath(input: string, options: BoardPathOptions = {}): BoardPathCheck {
  return check(input, options, false);
}

function check(input: string, options: BoardPathOptions, reservedAllowed: boolean): BoardPathCheck {
  const purpose = options.purpose ?? 'read';
  if (typeof input !== 'string') return invalid('is not a string');
  if (input.length === 0) return invalid('is empty');
  if (input.includes('\0')) return invalid('contains a NUL character');
  if (BROKEN_UNICODE.test(input)) return invalid('is not valid unicode');
  if (purpose !== 'read' && purpose !== 'remove' && CONTROL.test(input)) return invalid('contains a control character');
  if (options.absolute && !input.startsWith('/')) {
    const fixed = check(`/${input}`, options, reservedAllowed);
    return invalid('must be absolute (start with "/")', fixed.ok ? fixed.path : undefined);
  }
  const parts: string[] = [];
  for (const segment of input.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return invalid('climbs above the board root "/"');
      parts.pop();
      continue;
    }
    parts.push(segment);
  }
  const limit = purpose === 'dir' || purpose === 'file' ? MAX_WRITABLE_NAME_BYTES : MAX_NAME_BYTES;
  const long = parts.find((name) => Buffer.byteLength(name, 'utf8') > limit);
  if (long !== undefined) return invalid(`has a name longer than ${limit} bytes (${Buffer.byteLength(long, 'utf8')})`);
  const path = `/${parts.join('/')}`;
  const folder = input.endsWith('/') || parts.length === 0;
  if (purpose === 'read') return { ok: true, path, folder };
  if (!reservedAllowed && isReserved(path)) {
    return { ok: false, code: 'PATH_RESERVED', reason: `is inside ${RESERVED_BOARD_DIR}, which belay keeps for its own records` };
  }
  if (purpose !== 'remove' && parts.some((name) => name.startsWith(TEMP_PREFIX))) {
    return { ok: false, code: 'PATH_RESERVED', reason: `has a name starting with ${TEMP_PREFIX}, which belay uses for temp files (and may delete)` };
  }
  if (purpose === 'file' && path === '/') return invalid('is the board root "/", which cannot be a file');
  if (purpose === 'file' && folder) return invalid('ends with "/", so it names a folder, not a file');
  return { ok: true, path, folder };
}

function fail(input: string, result: Extract<BoardPathCheck, { ok: false }>): never {
  throw new BelayError(result.code, `board path ${JSON.stringify(input)} ${result.reason}`, {
    data: { path: input },
    hint: result.suggestion ? `did you mean "${result.suggestion}"?` : undefined,
  });
}

/** True for /.belay and everything in it, in any letter case (FAT folds case). */
export function isReserved(path: string): boolean {
  const folded = path.toLowerCase();
  return folded === RESERVED_BOARD_DIR || folded.startsWith(`${RESERVED_BOARD_DIR}/`);
}

/**
 * Whether `path` belongs in a listing or copy of the tree at `root`:
 * belay's own folder (records, helper copies) is there on most boards and
 * is not the user's, so like a dot folder it shows only when the tree
 * asked for is inside it.
 */
export function inUserTree(root: string, path: string): boolean {
  return isReserved(root) || !isReserved(path);
}

/** Canonical absolute board path for reading ("main.py" -> "/main.py", "/lib/" -> "/lib"); throws PATH_INVALID. */
export function boardPath(input: string, options: { absolute?: boolean } = {}): string {
  const result = check(input, { ...options, purpose: 'read' }, true);
  if (!result.ok) fail(input, result);
  return result.path;
}

/** Like boardPath, keeping what a trailing "/" says: `folder` is true for "/lib/" (and for "/"). */
export function boardTarget(input: string, options: { absolute?: boolean } = {}): { path: string; folder: boolean } {
  const result = check(input, { ...options, purpose: 'read' }, true);
  if (!result.ok) fail(input, result);
  return { path: result.path, folder: result.folder };
}

/**
 * Canonical path for something that creates, replaces or removes: the
 * write rules above; PATH_INVALID or PATH_RESERVED otherwise. A ReservedPath
 * (engine only) may name /.belay; no string can.
 */
export function writePath(input: BoardPathInput, purpose: Exclude<PathPurpose, 'read'>): string {
  const reserved = isReservedPath(input);
  const text = reserved ? input.path : (input as string);
  const result = check(text, { purpose }, reserved);
  if (!result.ok) fail(text, result);
  return result.path;
}

/** The canonical path of any input, reading rules (a ReservedPath is already canonical). */
export function readPath(input: BoardPathInput): string {
  return isReservedPath(input) ? input.path : boardPath(input);
}

export function boardJoin(dir: string, ...names: string[]): string {
  return boardPath(posix.join(boardPath(dir), ...names));
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

/** True when canonical `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(`${dir}/`);
}

/** "/lib/a/b.py" -> ["/lib", "/lib/a"]: the proper ancestors of a canonical path, root excluded. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

/** 32-bit FNV-1a of a string's UTF-8 bytes, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The temp name a staged upload writes before the commit renames it over
 * `target`: the same directory (so the rename stays on one filesystem), name
 * ".belay-tmp-" + 8 hex digits derived from the target's path: 19 characters
 * whatever the target's length, so a 255-byte name still has a temp the
 * filesystem can hold. `salt` varies it when two targets of one transaction
 * would collide. A file under such a name is never user data.
 */
export function tempPathFor(target: BoardPathInput, salt = 0): string {
  const path = readPath(target);
  if (path === '/') throw new BelayError('PATH_INVALID', 'cannot write a file at the board root "/"');
  return posix.join(posix.dirname(path), TEMP_PREFIX + fnv1a(salt === 0 ? path : `${path}\0${salt}`));
}

export function isTempName(name: string): boolean {
  return posix.basename(name).startsWith(TEMP_PREFIX);
}
