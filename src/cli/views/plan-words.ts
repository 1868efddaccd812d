/**
 * What the plan views (text and markdown) say in common: the symbol of each
 * action, a reason in words, the summary line, and paths made safe to show
 * (a name with a newline or an escape sequence cannot fake a line or
 * recolour a terminal).
 */
import type { Change, Conflict, Plan } from '../../sync/types.js';
import { formatBytes } from '../format.js';

export const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', delete: '-', mkdir: '+', rmdir: '-' };

/** A path as shown: quoted JSON-style when it holds a control character. */
export function shownPath(path: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f-\x9f]/.test(path) ? JSON.stringify(path) : path;
}

/** A line of file text made inert for a terminal: control characters (tab aside) become \xNN. */
export function inertLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function reasonText(change: Change, plan: Plan): string {
  switch (change.reason) {
    case 'new':
      return change.source?.kind === 'inline' ? 'new, from belay.yaml' : 'new file';
    case 'restore-deleted':
      return 'deleted on the board since the last apply: restored';
    case 'changed':
      return 'changed locally';
    case 'restore-drift':
      return 'changed on the board since the last apply: restored';
    case 'replace-unrecorded':
      return "differs from the board's copy, which belay did not deploy";
    case 'removed-from-config':
      return 'no longer in the config';
    case 'prune':
      return 'not deployed by belay (prune is on)';
    case 'conflict-prefer-local':
      return `conflict: ${conflictText(plan.conflicts.find((c) => c.path === change.path))}; the local side wins (prefer-local)`;
    case 'conflict-keep-both':
      return `conflict: both sides changed it; the board's copy is kept as ${shownPath(change.preserveAs ?? '?')}`;
    case 'folder-needed':
      return 'new folder';
    case 'folder-unneeded':
      return 'folder no longer needed';
  }
}

export function conflictText(conflict: Conflict | undefined): string {
  switch (conflict?.kind) {
    case 'both-changed':
      return 'changed locally and on the board since the last apply';
    case 'board-deleted':
      return 'deleted on the board, changed locally';
    case 'local-removed':
      return 'dropped from the config, changed on the board';
    case 'kind-mismatch':
      return conflict.local ? 'the board has a folder where the config deploys a file' : 'the board has a file where the config needs a folder';
    default:
      return 'both sides changed it';
  }
}

/** How a conflict ends under the plan's policy. */
export function resolutionText(conflict: Conflict): string {
  switch (conflict.resolution) {
    case 'unresolved':
      return conflict.kind === 'kind-mismatch' ? 'unresolved: remove or rename the board entry first' : 'unresolved';
    case 'prefer-local':
      return 'resolved: local side wins';
    case 'prefer-board':
      return "resolved: the board's file is left as it is";
    case 'keep-both':
      return conflict.kind === 'both-changed' ? "resolved: both kept (the board's copy under another name)" : "resolved: the board's file is left as it is";
  }
}

/** Sizes for one change: "1.2 KiB", "1.1 KiB -> 1.3 KiB". */
export function sizeText(change: Change): string {
  if (change.action === 'update' && change.before && change.after) return `${formatBytes(change.before.size)} -> ${formatBytes(change.after.size)}`;
  const state = change.after ?? change.before;
  return state ? formatBytes(state.size) : '';
}

/** "sha256 51515151 -> 46464646": how a binary change is shown. */
export function hashChangeText(change: Change, plan: Plan): string {
  const short = (hash: string | undefined) => (hash ? hash.slice(0, 8) : 'none');
  return `${plan.hashAlgorithm} ${short(change.before?.hash)} -> ${short(change.after?.hash)}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `Plan: 3 to create, 2 to update, 1 to delete.` plus folders when there are any. */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const folders = s.mkdir || s.rmdir ? ` Folders: ${s.mkdir} to create, ${s.rmdir} to remove.` : '';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete.${folders}`;
}

export function boardText(plan: Plan): string {
  const about = [plan.board.platform, plan.board.machine].filter(Boolean).join(', ');
  return `${plan.board.id}${about ? ` (${about})` : ''}`;
}

export function blockedText(plan: Plan): string {
  return `${plural(plan.summary.unresolved, 'conflict')} not resolved by the policy (conflicts: ${plan.policy.conflicts}): apply will refuse this plan.`;
}

export const BLOCKED_HINT = 'make both sides agree (belay get the board copy, or change the local one), or choose a policy in belay.yaml: conflicts: prefer-local | prefer-board | keep-both';

export { plural };
