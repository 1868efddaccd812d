/**
 * Names a board's filesystem can hold. FAT (MicroPython's VfsFat, FatFs)
 * cuts a name at a control character (`main.py<TAB>x` *is* `main.py`),
 * drops trailing dots and spaces, folds case (`Main.py` = `main.py`) and
 * refuses `"*:<>?\|`. Writing such a name would silently hit another file,
 * so every name is checked before a byte is sent; littlefs and posix hold
 * any name but "/" and NUL, which the board-path rule already refuses.
 */
import { BelayError } from '../../errors.js';
import { ancestors, boardRelative } from '../../paths/board.js';

/** The filesystem a mount holds: FAT, littlefs, the host's own (unix, wasm ports) or unknown. */
export type FilesystemKind = 'fat' | 'lfs' | 'posix' | 'unknown';

/** Longest name (one path component) FAT's long file names hold, in bytes as MicroPython's driver counts. */
const FAT_NAME_MAX = 255;

/** Why FAT cannot hold this one name exactly, or undefined when it can. */
export function fatNameProblem(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'it contains a control character, where FAT would cut the name short';
  if (name.includes('\\')) return 'FAT reads \\ as a folder separator';
  const refused = name.match(/["*:<>?|]/);
  if (refused) return `FAT refuses the character ${refused[0]}`;
  if (/[. ]$/.test(name)) return 'FAT drops trailing dots and spaces, so it would name another file';
  // MicroPython's FAT reads names byte by byte (code page 437): the limit is in bytes.
  if (Buffer.byteLength(name, 'utf8') > FAT_NAME_MAX) return `FAT names hold at most ${FAT_NAME_MAX} bytes`;
  return undefined;
}

/** FAT's view of a path for comparisons: case folded. */
export function fatFold(path: string): string {
  return path.toUpperCase();
}

export interface NameRefusal {
  path: string;
  reason: string;
}

/**
 * Checks board paths about to be written on a FAT mount: each name must be
 * holdable, and no two paths (among `paths`, or one of them and an
 * `existing` board path that is not the same path) may fold together.
 * Returns every refusal, so a user sees them all at once.
 */
export function fatRefusals(paths: string[], existing: Iterable<string> = [], root = '/'): NameRefusal[] {
  const refusals: NameRefusal[] = [];
  for (const path of paths) {
    const relative = boardRelative(root, path) ?? path;
    for (const name of relative.split('/').filter(Boolean)) {
      const reason = fatNameProblem(name);
      if (reason) {
        refusals.push({ path, reason: `"${name}": ${reason}` });
        break;
      }
    }
  }
  // Folders count too: lib/x.py and LIB/y.py would land in one folder.
  const withFolders = (list: Iterable<string>) => [...list].flatMap((path) => [...ancestors(path), path]);
  const seen = new Map<string, string>();
  for (const path of withFolders(existing)) seen.set(fatFold(path), path);
  const ours = new Map<string, string>();
  const refused = new Set<string>();
  for (const path of paths) {
    for (const part of [...ancestors(path), path]) {
      const folded = fatFold(part);
      const other = ours.get(folded) ?? seen.get(folded);
      if (other !== undefined && other !== part && !refused.has(path)) {
        refusals.push({ path, reason: `FAT folds case: ${part === path ? 'it is' : `its folder ${part} is`} the same as ${other}` });
        refused.add(path);
      }
      if (!ours.has(folded)) ours.set(folded, part);
    }
  }
  return refusals;
}

/** The error for refused names: each named with its reason. */
export function namesError(refusals: NameRefusal[], kind: FilesystemKind): BelayError {
  const list = refusals.map((r) => `  ${JSON.stringify(r.path)}: ${r.reason}`).join('\n');
  return new BelayError('PATH_INVALID', `${refusals.length === 1 ? 'a name' : `${refusals.length} names`} the board's ${kind === 'fat' ? 'FAT ' : ''}filesystem cannot hold exactly (nothing was sent)`, {
    detail: list,
    data: { refused: refusals },
    hint: 'rename these files locally (or exclude them) and try again',
  });
}
