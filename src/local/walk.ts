/**
 * The one local tree walker. `put -r`, config sources and the planner all
 * list local files through walkTree, so they choose the same files:
 *
 * - ignores: DEFAULT_IGNORES (.git/, __pycache__/, *.pyc, ...) unless the
 *   caller passes its own list; an ignored folder is never entered, so
 *   nothing in it is looked at;
 * - hidden names (starting with ".") are left out unless `hidden` is set;
 * - `exclude` globs (picomatch, relative to the root) leave out files, and
 *   folders with everything in them;
 * - symbolic links are followed when their target stays inside the root
 *   (a link to a file gives that file under the link's name, a link to a
 *   folder is walked); a link that leaves the root, dangles or loops back
 *   to a folder it sits in is refused. All such links are found first and
 *   reported together (LOCAL_SYMLINK, naming each link), so a caller can
 *   refuse before it sends or writes anything;
 * - other special files (sockets, FIFOs, devices) are skipped and reported.
 *
 * The result is sorted by relative path, "/"-separated on every OS.
 */
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import picomatch from 'picomatch';
import { BelayError, throwIfAborted } from '../errors.js';
import { DEFAULT_IGNORES, ignoreMatcher, type EntryKind } from './ignore.js';
import { localIoError } from './errors.js';

export interface WalkOptions {
  /** Gitignore-like patterns never walked (see ignore.ts); default DEFAULT_IGNORES, `[]` walks everything. */
  ignore?: readonly string[];
  /** Walk hidden names too (default false). Ignore patterns still apply. */
  hidden?: boolean;
  /** picomatch globs on the relative path; a matching file is left out, a matching folder with all it holds. */
  exclude?: readonly string[];
  /** Leaves out entries the caller does not want (config: board-side `ignore`); a skipped folder is not entered. */
  skip?: (relative: string, kind: EntryKind) => boolean;
  /** Takes an entry although it is hidden or default-ignored (config: an include pattern spells its path out). */
  take?: (relative: string, kind: EntryKind) => boolean;
  signal?: AbortSignal;
}

export interface LocalFile {
  /** Local path as walked (it may run through a symlink inside the root). */
  path: string;
  /** Path below the root, "/"-separated. */
  relative: string;
  size: number;
}

export interface SkippedEntry {
  relative: string;
  kind: EntryKind | 'special';
  /** Why: the ignore pattern or exclude glob that matched, "hidden", "skipped" (the caller's `skip`) or "special file". */
  reason: string;
}

export interface LinkProblem {
  /** The link's path below the root, "/"-separated. */
  relative: string;
  /** What the link says (readlink), for the message. */
  target: string;
  problem: 'outside' | 'dangling' | 'loop';
}

export interface LocalTree {
  /** The root as given, resolved to an absolute path. */
  root: string;
  files: LocalFile[];
  /** Folders below the root (relative, "/"-separated), parents before children. */
  dirs: string[];
  skipped: SkippedEntry[];
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isInside(path: string, root: string): boolean {
  const rel = nodePath.relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

/** Lists the files and folders below `root` by the rules above; throws LOCAL_SYMLINK or LOCAL_IO. */
export async function walkTree(root: string, options: WalkOptions = {}): Promise<LocalTree> {
  const absoluteRoot = nodePath.resolve(root);
  const ignored = ignoreMatcher(options.ignore ?? DEFAULT_IGNORES);
  const excludes = (options.exclude ?? []).map((pattern) => ({ pattern, test: picomatch(pattern, { dot: true }) }));
  const tree: LocalTree = { root: absoluteRoot, files: [], dirs: [], skipped: [] };
  const problems: LinkProblem[] = [];
  let realRoot: string;
  try {
    realRoot = await realpath(absoluteRoot);
    if (!(await stat(realRoot)).isDirectory()) throw new BelayError('LOCAL_IO', `${root} is not a folder`, { data: { path: absoluteRoot } });
  } catch (err) {
    throw localIoError(err, `cannot read ${root}`, absoluteRoot);
  }

  /** Why an entry is left out, or undefined to take it. */
  const leaveOut = (relative: string, name: string, kind: EntryKind): string | undefined => {
    const excluded = excludes.find((e) => e.test(relative));
    if (excluded) return excluded.pattern;
    if (options.skip?.(relative, kind)) return 'skipped';
    if (options.take?.(relative, kind)) return undefined;
    const pattern = ignored(relative, kind);
    if (pattern !== undefined) return pattern;
    if (name.startsWith('.') && !options.hidden) return 'hidden';
    return undefined;
  };

  // `ancestors`: real paths of the folders being walked, to tell a loop from a second way in.
  const visit = async (dir: string, relativeDir: string, ancestors: string[]): Promise<void> => {
    throwIfAborted(options.signal);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw localIoError(err, `cannot read ${dir}`, dir);
    }
    entries.sort((a, b) => byPath(a.name, b.name));
    for (const entry of entries) {
      const path = nodePath.join(dir, entry.name);
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      let kind: EntryKind | 'special' = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'special';
      let real: string | undefined;
      if (entry.isSymbolicLink()) {
        // Judge the link by its name first: an ignored or excluded link is never looked at.
        const target = await readlink(path).catch(() => '?');
        const resolved = await resolveLink(path);
        if (resolved.problem) {
          const reason = leaveOut(relative, entry.name, resolved.kind ?? 'file');
          if (reason === undefined) problems.push({ relative, target, problem: resolved.problem });
          else tree.skipped.push({ relative, kind: resolved.kind ?? 'file', reason });
          continue;
        }
        real = resolved.real;
        kind = resolved.kind;
        if (!isInside(real, realRoot)) {
          const reason = leaveOut(relative, entry.name, kind === 'special' ? 'file' : kind);
          if (reason === undefined) problems.push({ relative, target, problem: 'outside' });
          else tree.skipped.push({ relative, kind, reason });
          continue;
        }
      }
      if (kind === 'special') {
        if (leaveOut(relative, entry.name, 'file') === undefined) tree.skipped.push({ relative, kind, reason: 'special file' });
        continue;
      }
      const reason = leaveOut(relative, entry.name, kind);
      if (reason !== undefined) {
        tree.skipped.push({ relative, kind, reason });
        continue;
      }
      if (kind === 'dir') {
        let realDir = real;
        try {
          realDir ??= await realpath(path);
        } catch (err) {
          throw localIoError(err, `cannot read ${path}`, path);
        }
        if (ancestors.includes(realDir)) {
          problems.push({ relative, target: await readlink(path).catch(() => path), problem: 'loop' });
          continue;
        }
        tree.dirs.push(relative);
        await visit(path, relative, [...ancestors, realDir]);
      } else {
        let size: number;
        try {
          size = (await stat(path)).size;
        } catch (err) {
          throw localIoError(err, `cannot read ${path}`, path);
        }
        tree.files.push({ path, relative, size });
      }
    }
  };

  await visit(absoluteRoot, '', [realRoot]);
  if (problems.length > 0) throw linkError(absoluteRoot, problems);
  tree.files.sort((a, b) => byPath(a.relative, b.relative));
  tree.dirs.sort(byPath);
  return tree;
}

/** Where a symlink leads: its real path and kind, or why it leads nowhere. */
async function resolveLink(path: string): Promise<{ real: string; kind: EntryKind | 'special'; problem?: undefined } | { problem: 'dangling' | 'loop'; kind?: undefined; real?: undefined }> {
  try {
    const real = await realpath(path);
    const info = await stat(real);
    return { real, kind: info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'special' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { problem: 'loop' };
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'dangling' };
    throw localIoError(err, `cannot follow the link ${path}`, path);
  }
}

const PROBLEM_TEXT: Record<LinkProblem['problem'], string> = {
  outside: 'leads out of the folder',
  dangling: 'leads nowhere (its target does not exist)',
  loop: 'loops back to a folder it is in',
};

function linkError(root: string, problems: LinkProblem[]): BelayError {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new BelayError('LOCAL_SYMLINK', `symbolic link ${first.relative} -> ${first.target} ${PROBLEM_TEXT[first.problem]}${more}`, {
    detail: problems.map((p) => `${p.relative} -> ${p.target}: ${PROBLEM_TEXT[p.problem]}`).join('\n'),
    hint: `belay follows links only to files and folders inside ${root}; remove the link, copy its target in, or leave it out with an exclude pattern`,
    data: { root, links: problems },
  });
}
