/**
 * Lists the local files a source mapping deploys, with their board paths:
 * include/exclude relative to the source folder, `ignore` on board paths,
 * symlinks followed once (a loop is not followed twice). Also counts how many
 * files each pattern matched, so unused patterns can be reported.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { BelayError } from '../errors.js';
import { joinBoard } from './board-path.js';
import { boardMatcher } from './patterns.js';
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
  // Wildcards skip hidden names, so hidden folders are only entered when a pattern names one.
  const wantsHidden = source.include.some((p) => /(^|\/)\./.test(p));
  const files: SourceFile[] = [];
  const visited = new Set<string>();

  async function walk(dir: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (err) {
      throw localError(dir, err);
    }
    if (visited.has(real)) return;
    visited.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw localError(dir, err);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const rel = relative(source.from, full).split(sep).join('/');
      const board = joinBoard(source.to, rel);
      if (ignored(board)) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        if (!target) continue; // dangling link: nothing to deploy
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDir) {
        if (entry.name.startsWith('.') && !wantsHidden) continue;
        await walk(full);
      } else if (isFile) {
        let included = false;
        includes.forEach((m, i) => {
          if (m(rel)) {
            includeHits[i]++;
            included = true;
          }
        });
        if (!included) continue;
        let excluded = false;
        excludes.forEach((m, i) => {
          if (m(rel)) {
            excludeHits[i]++;
            excluded = true;
          }
        });
        if (!excluded) files.push({ local: full, board });
      }
    }
  }

  await walk(source.from);
  files.sort((a, b) => (a.board < b.board ? -1 : a.board > b.board ? 1 : 0));
  return { files, includeHits, excludeHits };
}

function localError(path: string, err: unknown): BelayError {
  const code = (err as NodeJS.ErrnoException).code;
  return new BelayError('LOCAL_IO', `cannot read ${basename(path) || path}: ${code ?? (err as Error).message}`, { data: { path, errno: code }, cause: err });
}
