/**
 * Where a write lands: `path` itself, or with `into` (WriteOptions) a file
 * in the folder `path`, as cp does. The board decides which (it knows what
 * `path` is), so both candidates are checked against the board-path rule
 * here and a candidate's error is kept until the board picks that one: `put
 * x.py /` is fine though "/" cannot be a file. Also the shape of the board's
 * look before a lone write (fs_put.py) and the error for a file where a
 * folder was meant.
 */
import { BelayError } from '../../errors.js';
import { boardJoin, writePath, type BoardPathInput } from '../../paths/board.js';

/** A checked candidate path, or why it cannot be written. */
export type Candidate = { path: string } | { error: unknown };

export interface WriteTarget {
  /** The path as given, canonical (a folder, with `into`). */
  path: string;
  /** The file's name in the folder (empty without `into`). */
  name: string;
  /** 0: `path` is the file; 1: `path/name` if `path` is a folder; 2: `path/name` always. */
  mode: 0 | 1 | 2;
  /** [path as the file, path/name]; the second only with `into`. */
  candidates: [Candidate, Candidate];
}

const absent: Candidate = { error: new Error('no second candidate without into') };

function candidate(input: BoardPathInput): Candidate {
  try {
    return { path: writePath(input, 'file') };
  } catch (error) {
    return { error };
  }
}

/** The candidates for a write to `input` (throws at once when none can be written). */
export function writeTarget(input: BoardPathInput, into?: { name: string; always?: boolean }): WriteTarget {
  if (!into) {
    const path = writePath(input, 'file');
    return { path, name: '', mode: 0, candidates: [{ path }, absent] };
  }
  const name = into.name;
  if (typeof input !== 'string') throw new TypeError('into takes a plain board path');
  if (!name || name === '.' || name === '..' || name.includes('/')) {
    throw new BelayError('PATH_INVALID', `${JSON.stringify(name)} is not a file name (into takes one name, no "/")`, { data: { path: name } });
  }
  const folder = writePath(input, 'dir');
  const inFolder = candidate(boardJoin(folder, name));
  const asFile = into.always ? absent : candidate(input);
  if ('error' in inFolder && 'error' in asFile) throw folder === '/' ? inFolder.error : asFile.error;
  if (into.always && 'error' in inFolder) throw inFolder.error;
  return { path: folder, name, mode: into.always ? 2 : 1, candidates: [asFile, inFolder] };
}

/** The path a candidate stands for, or its error thrown. */
export function chosenPath(target: WriteTarget, index: number): string {
  const chosen = target.candidates[index];
  if (!chosen || 'error' in chosen) throw chosen ? chosen.error : new BelayError('PROTOCOL', `the board chose write target ${index}`);
  return chosen.path;
}

/** The board's look before a lone write (fs_put.py): which candidate, what is there, the preflight. */
export interface LookReport {
  index: number;
  /** What `path` is on the board. */
  pathKind: 'f' | 'd' | null;
  kind: 'f' | 'd' | null;
  size: number;
  preflight: RawPreflight;
}

/** _bpre's answer (fs_names.py): mounts, each name's check, size/free/block per mount. */
export interface RawPreflight {
  m: Array<[string, string]>;
  n: Array<[boolean, boolean | number | null]>;
  s: Record<string, [number, number, number]>;
}

export function parseLook(raw: unknown): LookReport {
  if (!Array.isArray(raw) || raw.length !== 5) throw new BelayError('PROTOCOL', `the board's look at the target is not what was asked: ${JSON.stringify(raw).slice(0, 200)}`);
  const [index, pathKind, kind, size, preflight] = raw as [number, LookReport['pathKind'], LookReport['kind'], number, RawPreflight];
  return { index, pathKind, kind, size, preflight };
}

/** A file where the write meant a folder (`into` with `always`). */
export function notAFolder(path: string): BelayError {
  return new BelayError('FS_ERROR', `${path}: not a directory (ENOTDIR): it is a file`, {
    data: { path, errnoName: 'ENOTDIR' },
    hint: 'to replace that file, name the file itself as the target',
  });
}

/** A folder where the write meant a file. */
export function isAFolder(path: string): BelayError {
  return new BelayError('FS_ERROR', `writing ${path}: is a directory (EISDIR)`, { data: { path, errnoName: 'EISDIR' } });
}
