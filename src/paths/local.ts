/**
 * Mapping between board paths (POSIX, case-sensitive, almost any character)
 * and local paths on the host OS. Functions take a `path` implementation
 * (node:path's posix or win32) so Windows behaviour is unit-tested on any
 * host: a board name that the host cannot store (a backslash, "a:b", "CON",
 * a trailing dot on Windows) is refused with PATH_INVALID instead of being
 * silently rewritten, and names that differ only by case (Main.py/main.py)
 * are reported before they overwrite each other on a case-insensitive disk.
 */
import nodePath from 'node:path';
import { BelayError } from '../errors.js';

export type PathImpl = typeof nodePath.posix | typeof nodePath.win32;

// ¹²³ written as escapes: the CLI bundle is plain ASCII (scripts/bundle-cli.mjs).
const WIN_RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const WIN_BAD_CHARS = /[<>:"|?*\\\x00-\x1f]/;

/** Why a single board name cannot be a local file name, or undefined if it can. */
export function localNameProblem(name: string, impl: PathImpl = nodePath): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'is not a file name';
  if (name.includes('\0')) return 'contains a NUL character';
  if (impl === nodePath.win32 || impl.sep === '\\') {
    if (WIN_BAD_CHARS.test(name)) return 'contains a character Windows does not allow in file names';
    if (/[. ]$/.test(name)) return 'ends with a dot or a space, which Windows drops';
    if (WIN_RESERVED.test(name)) return 'is a reserved device name on Windows';
  }
  return undefined;
}

/** The local path for a board path relative to a synced root ("lib/x.py" -> C:\proj\lib\x.py). */
export function localPathFor(localRoot: string, boardRelativePath: string, impl: PathImpl = nodePath): string {
  const parts = boardRelativePath.split('/').filter((part) => part !== '');
  for (const part of parts) {
    const problem = localNameProblem(part, impl);
    if (problem) {
      throw new BelayError('PATH_INVALID', `board name ${JSON.stringify(part)} ${problem}`, {
        data: { path: boardRelativePath, name: part },
        hint: 'rename it on the board (belay has no way to store it here)',
      });
    }
  }
  return impl.join(localRoot, ...parts);
}

/** The board-relative POSIX path for a local path under `localRoot` (Windows separators become "/"). */
export function boardRelativeFor(localRoot: string, localPath: string, impl: PathImpl = nodePath): string {
  const relative = impl.relative(localRoot, localPath);
  if (relative === '') return '';
  if (relative.startsWith('..') || impl.isAbsolute(relative)) {
    throw new BelayError('PATH_INVALID', `${localPath} is not inside ${localRoot}`);
  }
  return relative.split(impl.sep).join('/');
}

/** Hosts whose usual filesystems fold case (NTFS, APFS, HFS+ by default). */
export function foldsCase(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32' || platform === 'darwin';
}

/** The key two names share when a case-insensitive, normalising filesystem would merge them. */
export function foldKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** Groups of paths (two or more each) that would land on the same file when case is folded. */
export function caseCollisions(paths: Iterable<string>): string[][] {
  const groups = new Map<string, string[]>();
  for (const path of paths) {
    const key = foldKey(path);
    const group = groups.get(key);
    if (group) group.push(path);
    else groups.set(key, [path]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}

/** Throws PATH_INVALID when `paths` collide on a case-folding host. */
export function assertNoCaseCollisions(paths: Iterable<string>, platform: NodeJS.Platform = process.platform): void {
  if (!foldsCase(platform)) return;
  const collisions = caseCollisions(paths);
  if (collisions.length === 0) return;
  throw new BelayError('PATH_INVALID', `${collisions.length} group(s) of board paths differ only by case and would overwrite each other here`, {
    detail: collisions.map((group) => group.join('  <->  ')).join('\n'),
    data: { collisions },
    hint: 'rename one of each pair on the board, or copy them one by one',
  });
}

