/**
 * Lists the local files a source mapping deploys, with their board paths.
 * The walking itself (default ignores, hidden names, symlinks) is the one
 * local walker's (src/local/walk.ts), so `put -r` of the same folder picks
 * the same files; here only the config's own choices are added: `include`
 * and `exclude` relative to the source folder, `ignore` on board paths, and
 * counts of how many files each pattern matched, so unused patterns can be
 * reported.
 *
 * Hidden names: wildcards do not match them (picomatch's default), so hidden
 * folders are walked only when some include pattern names a hidden name.
 * A default-ignored entry (`node_modules/`, `*.pyc`, ...) is taken when an
 * include pattern spells out its path (`node_modules/tiny/**` takes
 * node_modules/tiny).
 */
import picomatch from 'picomatch';
import { walkTree } from '../local/walk.js';
import { boardJoin } from '../paths/board.js';
import { boardMatcher, globbable } from './patterns.js';
import type { SourceMapping } from './types.js';

export interface SourceFile {
  /** Absolute local path. */
  local: string;
  /** Absolute board path. */
  board: string;
}

export interface SourceListing {
  files: SourceFile[];
  /** Files each include pattern selected (before excludes), by index. */
  includeHits: number[];
  /** Files each exclude pattern removed, by index. */
  excludeHits: number[];
}

/** True when `relative` is a literal prefix of what `pattern` names ("lib/.cache/**" spells out "lib" and "lib/.cache"). */
function spellsOut(pattern: string, relative: string): boolean {
  const { base } = picomatch.scan(pattern);
  return base === relative || base.startsWith(`${relative}/`);
}

/** Every file `source` deploys, sorted by board path. Files whose board path `ignore` covers are skipped. */
export async function listSourceFiles(source: SourceMapping, ignore: readonly string[] = []): Promise<SourceListing> {
  const ignored = boardMatcher(ignore);
  if (source.kind === 'file') {
    const files = ignored(source.to) ? [] : [{ local: source.from, board: source.to }];
    return { files, includeHits: [], excludeHits: [] };
  }
  const includes = source.include.map((p) => picomatch(p));
  const excludes = source.exclude.map((p) => picomatch(p));
  const includeHits = includes.map(() => 0);
  const excludeHits = excludes.map(() => 0);
  const tree = await walkTree(source.from, {
    hidden: source.include.some((p) => /(^|\/)\./.test(p)),
    skip: (relative) => ignored(boardJoin(source.to, relative)) !== undefined,
    take: (relative) => source.include.some((p) => spellsOut(p, relative)),
  });
  const files: SourceFile[] = [];
  for (const file of tree.files) {
    const name = globbable(file.relative);
    let included = false;
    includes.forEach((m, i) => {
      if (m(name)) {
        includeHits[i]++;
        included = true;
      }
    });
    if (!included) continue;
    let excluded = false;
    excludes.forEach((m, i) => {
      if (m(name)) {
        excludeHits[i]++;
        excluded = true;
      }
    });
    if (!excluded) files.push({ local: file.path, board: boardJoin(source.to, file.relative) });
  }
  files.sort((a, b) => (a.board < b.board ? -1 : a.board > b.board ? 1 : 0));
  return { files, includeHits, excludeHits };
}
