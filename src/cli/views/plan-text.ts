/**
 * The terminal view of a plan, in the style people know from terraform:
 * one line per change (`+` create, `~` update, `-` delete) with its reason
 * and sizes, the diff of each updated text file under it, conflicts, a
 * compact "not managed" note, and the summary line. Colour comes from the
 * `style` function (identity when colour is off), so the text is otherwise
 * the same and goldens are stable.
 */
import type { Change, Plan } from '../../sync/types.js';
import type { Style } from '../output.js';
import { formatBytes } from '../format.js';
import {
  BLOCKED_HINT,
  SYMBOL,
  blockedText,
  boardText,
  conflictText,
  hashChangeText,
  inertLine,
  plural,
  reasonText,
  resolutionText,
  shownPath,
  sizeText,
  summaryLine,
} from './plan-words.js';

export type Styler = (style: Style, text: string) => string;

export interface TextViewOptions {
  style?: Styler;
  /** Unrecorded board files listed by name before "and N more" (default 10). */
  listLimit?: number;
}

const COLOUR: Record<Change['action'], Style> = { create: 'green', update: 'yellow', delete: 'red', mkdir: 'green', rmdir: 'red' };
/** Paths longer than this do not widen the column for everyone. */
const MAX_COLUMN = 40;

export function renderPlanText(plan: Plan, options: TextViewOptions = {}): string {
  const style: Styler = options.style ?? ((_s, t) => t);
  const listLimit = options.listLimit ?? 10;
  const out: string[] = [];
  out.push(`${style('bold', 'belay plan')} for board ${boardText(plan)}, profile ${plan.profile ?? '(none)'}`);
  out.push('');

  if (plan.changes.length === 0) {
    out.push(style('green', 'No changes.') + ' The board matches the configuration.');
  } else {
    const width = Math.min(MAX_COLUMN, Math.max(...plan.changes.map((c) => shownPath(c.path).length + (c.action === 'mkdir' || c.action === 'rmdir' ? 1 : 0))));
    for (const change of plan.changes) {
      const dir = change.action === 'mkdir' || change.action === 'rmdir';
      const name = shownPath(change.path) + (dir ? '/' : '');
      const size = sizeText(change);
      const drift = change.drift ? ` ${style('yellow', '[drift]')}` : '';
      out.push(`  ${style(COLOUR[change.action], `${SYMBOL[change.action]} ${name.padEnd(width)}`)}  ${reasonText(change, plan)}${size ? style('dim', ` (${size})`) : ''}${drift}`);
      out.push(...reviewLines(change, plan, style));
    }
  }

  if (plan.conflicts.length) {
    out.push('');
    out.push(style('bold', `Conflicts (policy: ${plan.policy.conflicts}):`));
    for (const conflict of plan.conflicts) {
      const line = `  ! ${shownPath(conflict.path)}  ${conflictText(conflict)}; ${resolutionText(conflict)}`;
      out.push(conflict.resolution === 'unresolved' ? style('red', line) : line);
    }
  }

  const note = notManagedLines(plan, listLimit);
  if (note.length) {
    out.push('');
    out.push(style('bold', 'Not managed (left alone):'));
    out.push(...note.map((line) => style('dim', `  ${line}`)));
  }

  if (plan.warnings.length) {
    out.push('');
    for (const warning of plan.warnings) out.push(`${style('yellow', 'warning:')} ${inertLine(warning)}`);
  }

  out.push('');
  if (plan.changes.length) out.push(style('bold', summaryLine(plan)));
  if (plan.summary.unresolved) {
    out.push(style('red', blockedText(plan)));
    out.push(`${style('cyan', 'hint:')} ${BLOCKED_HINT}`);
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function reviewLines(change: Change, plan: Plan, style: Styler): string[] {
  const review = change.review;
  const indent = '      ';
  switch (review?.kind) {
    case 'diff':
      return review.diff
        .replace(/\n$/, '')
        .split('\n')
        .map((raw) => {
          const line = inertLine(raw);
          if (line.startsWith('+++') || line.startsWith('---')) return indent + style('bold', line);
          if (line.startsWith('@@')) return indent + style('cyan', line);
          if (line.startsWith('+')) return indent + style('green', line);
          if (line.startsWith('-')) return indent + style('red', line);
          return indent + line;
        });
    case 'binary':
      return [style('dim', `${indent}binary file: ${hashChangeText(change, plan)}`)];
    case 'too-large':
      return [style('dim', `${indent}no diff: larger than ${formatBytes(review.limit)} (${hashChangeText(change, plan)})`)];
    case 'secret':
      return [style('dim', `${indent}secret: content not shown`)];
    default:
      return [];
  }
}

/** The compact "not managed" note, shared with the markdown view. */
export function notManagedLines(plan: Plan, listLimit: number): string[] {
  const lines: string[] = [];
  const { kept, ignored, unrecorded, temp } = plan.notManaged;
  const patterns = (list: Array<{ pattern: string; files: number }>) => list.map((k) => `${shownPath(k.pattern)} (${plural(k.files, 'file')})`).join(', ');
  if (kept.length) lines.push(`kept (keep): ${patterns(kept)}`);
  if (ignored.length) lines.push(`ignored (ignore): ${patterns(ignored)}`);
  if (unrecorded.length) {
    const shown = unrecorded.slice(0, listLimit).map(shownPath).join(', ');
    const more = unrecorded.length > listLimit ? `, and ${unrecorded.length - listLimit} more` : '';
    lines.push(`not deployed by belay, left because prune is off: ${shown}${more}`);
  }
  if (temp.length) lines.push(`leftover upload temp files, removed by belay's recovery: ${plural(temp.length, 'file')}`);
  return lines;
}
