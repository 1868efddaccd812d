/**
 * Three-way comparison of one path (local, board, and the base belay last
 * applied), and how the `conflicts` policy settles a conflict. Pure: the
 * deploy planner uses it today, and a two-way sync can use the same
 * classification with its own mapping to actions.
 *
 *   drift     the board changed the path since the last apply, the local side did not
 *   conflict  both sides changed it since the last apply, and not to the same content
 */
import type { ConflictPolicy } from '../config/types.js';
import type { ConflictKind, FileState, Resolution } from './types.js';

/** How one side moved away from the base. */
export type SideChange = 'none' | 'added' | 'modified' | 'removed';

/**
 * Same content. A digest of "" means "unknown" (a base recorded with another
 * hash algorithm) and equals nothing, so unknown content is never taken as
 * unchanged.
 */
export function sameFile(a: FileState | undefined, b: FileState | undefined): boolean {
  return a !== undefined && b !== undefined && a.hash !== '' && a.size === b.size && a.hash === b.hash;
}

export function sideChange(now: FileState | undefined, base: FileState | undefined): SideChange {
  if (base === undefined) return now === undefined ? 'none' : 'added';
  if (now === undefined) return 'removed';
  return sameFile(now, base) ? 'none' : 'modified';
}

export interface Comparison {
  local: SideChange;
  board: SideChange;
  /** Both sides hold the same content (or neither holds the path). */
  inSync: boolean;
  /** The board moved away from the base while the local side stayed. */
  drift: boolean;
  /** Both sides moved away from the base, to different content. */
  conflict?: Exclude<ConflictKind, 'kind-mismatch'>;
}

export function compare(local: FileState | undefined, board: FileState | undefined, base: FileState | undefined): Comparison {
  const l = sideChange(local, base);
  const b = sideChange(board, base);
  const inSync = (local === undefined && board === undefined) || sameFile(local, board);
  const result: Comparison = { local: l, board: b, inSync, drift: !inSync && base !== undefined && l === 'none' && b !== 'none' };
  // Without a base there is nothing to have diverged from: the deploy
  // replaces an unrecorded board file (a two-way sync may call that a conflict).
  if (inSync || base === undefined || l === 'none' || b === 'none') return result;
  if (l === 'modified' && b === 'modified') result.conflict = 'both-changed';
  else if (l === 'modified' && b === 'removed') result.conflict = 'board-deleted';
  else if (l === 'removed' && b === 'modified') result.conflict = 'local-removed';
  return result;
}

/** The policy's answer for a conflict; a folder/file mismatch no policy can settle. */
export function resolveConflict(kind: ConflictKind, policy: ConflictPolicy): Resolution {
  if (kind === 'kind-mismatch' || policy === 'fail') return 'unresolved';
  return policy;
}
