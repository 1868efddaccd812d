/**
 * The transaction pieces that put, put -r and apply share: what a staged
 * file is, the commit request, and the journal the board keeps while it
 * commits (board side: ../snippets/fs_tx.py).
 *
 * The protocol, and why each step is safe against a power cut at any instant:
 *   stage    each new file goes to a temp beside its target, recorded first in
 *            /.belay/intent.log (with every directory made for it) and verified
 *            by hashing the temp back from flash. A cut here: the intent log
 *            rolls back; no target was touched, so the old state stands.
 *   journal  /.belay/journal.json names every mkdir, rename, delete and rmdir.
 *            It is written to a temp and renamed onto an absent name: whole or
 *            absent. Absent means old state (roll back), present means new.
 *   commit   renames, then deletes, then rmdirs; then the journal goes. Each
 *            step is idempotent, and a staged temp named in a journal is never
 *            removed, only renamed: on FAT, where a rename onto an existing file
 *            is remove-then-rename, a cut between the two leaves the temp as
 *            the only copy, and the next run renames it.
 *   recover  at the next connection: journal -> roll forward; else intent log
 *            -> roll back (a temp whose recorded target has vanished is the
 *            last copy and takes the target's place instead of being removed).
 * On littlefs a put -r batch stages its small files in one pack instead of a
 * temp each (upload-batch.ts PACK_MAX_FILE); its journal names the pack and
 * each target's slice, and the commit writes the targets from it before the
 * pack goes (rewriting them all again after a cut: littlefs keeps a file's
 * old content until the rewrite is closed).
 * A single rename on a filesystem whose rename replaces atomically (littlefs,
 * posix) skips the journal: the rename itself is the commit.
 */
import { BelayError } from '../../errors.js';
import { ancestors, boardPath, writePath } from '../../paths/board.js';
import type { ContentHash } from './types.js';

/** A verified file waiting beside its target for a commit. */
export interface Staged {
  /** The board path it will be renamed to. */
  target: string;
  /** The temp file holding it now. */
  temp: string;
  size: number;
  /** Hash of the staged file as read back from the board's flash. */
  hash: ContentHash;
}

/** One commit: every change a transaction makes once all its files are staged. */
export interface CommitRequest {
  /** Staged files to rename onto their targets. */
  renames?: Staged[];
  /** Files to remove. */
  deletes?: string[];
  /** Directories that must exist afterwards (missing parents included); existing ones are fine. */
  mkdirs?: string[];
  /** Directories to remove after the deletes, when empty (one holding other files is kept and reported). */
  rmdirs?: string[];
  signal?: AbortSignal;
}

export interface CommitResult {
  renamed: string[];
  deleted: string[];
  rmdirs: string[];
  /** Directories asked to be removed that still hold something. */
  kept: string[];
  /** Whether a journal guarded this commit. */
  journaled: boolean;
}

/** What recovery found and did on a board an interrupted session left behind. */
export interface RecoveryReport {
  /** 'none' (nothing pending), 'forward' (a journal was completed) or 'back' (unjournaled staging undone). */
  action: 'none' | 'forward' | 'back';
  /** Targets a journal's renames completed (forward). */
  renamed: string[];
  /** Targets a journal wrote from a batch's pack (forward). */
  written: string[];
  deleted: string[];
  rmdirs: string[];
  /** Staged temps removed (back). */
  removed: string[];
  /** Targets whose only copy was their staged file, renamed into place (back). */
  restored: string[];
  /** Journal entries whose staged file and target were both gone (should not happen; reported, never guessed). */
  missing: string[];
}

/** The journal as the board stores it: short keys, to keep the board program and the file small. */
export interface Journal {
  m: string[];
  r: Array<[string, string]>;
  x: string[];
  y: string[];
}

function byDepth(paths: string[], deepestFirst: boolean): string[] {
  const depth = (p: string) => p.split('/').length;
  return [...new Set(paths)].sort((a, b) => (deepestFirst ? depth(b) - depth(a) : depth(a) - depth(b)) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Checks a commit request and turns it into the journal the board executes:
 * mkdirs parents first (with their missing ancestors), rmdirs deepest first.
 * Refuses requests that contradict themselves, before anything is written.
 */
export function buildJournal(request: CommitRequest): Journal {
  const renames = request.renames ?? [];
  const targets = new Set<string>();
  for (const staged of renames) {
    const target = boardPath(staged.target);
    if (targets.has(target)) throw new BelayError('USAGE', `${target} is renamed onto twice in one commit`);
    targets.add(target);
  }
  const deletes = [...new Set((request.deletes ?? []).map((p) => writePath(p, 'remove')))];
  for (const path of deletes) {
    if (targets.has(path)) throw new BelayError('USAGE', `${path} is both written and deleted in one commit`);
    if (path === '/') throw new BelayError('PATH_INVALID', 'refusing to remove the board root "/"');
  }
  const mkdirs = byDepth((request.mkdirs ?? []).map((dir) => writePath(dir, 'dir')).flatMap((dir) => [...ancestors(dir), dir]).filter((dir) => dir !== '/'), false);
  const rmdirs = byDepth((request.rmdirs ?? []).map((p) => writePath(p, 'remove')), true);
  for (const dir of rmdirs) {
    if (dir === '/') throw new BelayError('PATH_INVALID', 'refusing to remove the board root "/"');
    if (mkdirs.includes(dir)) throw new BelayError('USAGE', `${dir} is both created and removed in one commit`);
  }
  return { m: mkdirs, r: renames.map((staged) => [staged.temp, boardPath(staged.target)]), x: deletes, y: rmdirs };
}

/** A journal needs no writing when the commit is one rename on a filesystem whose rename replaces atomically. */
export function needsJournal(journal: Journal, atomicRename: boolean): boolean {
  return !(atomicRename && journal.r.length === 1 && journal.m.length === 0 && journal.x.length === 0 && journal.y.length === 0);
}
