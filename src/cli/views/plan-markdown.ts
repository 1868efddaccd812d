/**
 * The plan as Markdown for a pull-request comment: a heading with the
 * summary, the board and profile, a table of changes, one collapsible diff
 * per changed text file, conflicts and the "not managed" note. Every piece
 * of board or file text is escaped (HTML in tables and summaries, a fence
 * longer than any backtick run around diffs), so a file name or content
 * cannot break out of its cell. Comments have a size limit (GitHub: 65,536
 * characters): diffs that do not fit are left out, and the comment says so.
 */
import type { Change, Plan } from '../../sync/types.js';
import { formatBytes } from '../format.js';
import { notManagedLines } from './plan-text.js';
import {
  BLOCKED_HINT,
  SYMBOL,
  blockedText,
  boardText,
  conflictText,
  hashChangeText,
  reasonText,
  resolutionText,
  shownPath,
  sizeText,
  summaryLine,
} from './plan-words.js';

export interface MarkdownViewOptions {
  /** Largest comment in characters (default 60,000, under GitHub's 65,536). */
  maxLength?: number;
  /** Unrecorded board files listed by name before "and N more" (default 20). */
  listLimit?: number;
  /** How the saved plan is named in the "see the full plan" note (default plan.json). */
  planFileName?: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '|': '&#124;', '`': '&#96;', '*': '&#42;', '_': '&#95;', '[': '&#91;', ']': '&#93;', '\\': '&#92;', '~': '&#126;' };

/**
 * Text safe inside HTML, a table cell, and Markdown: GitHub renders Markdown
 * even between inline HTML tags, so emphasis and link characters become
 * entities too.
 */
function html(text: string): string {
  return text.replace(/[&<>"|`*_[\]\\~]/g, (c) => ENTITIES[c]);
}

function code(text: string): string {
  return `<code>${html(text)}</code>`;
}

function fence(body: string): string {
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
}

export function renderPlanMarkdown(plan: Plan, options: MarkdownViewOptions = {}): string {
  const maxLength = options.maxLength ?? 60_000;
  const head: string[] = [];
  const empty = plan.changes.length === 0;
  head.push(`### belay plan: ${empty ? 'no changes' : summaryLine(plan).replace(/^Plan: /, '').replace(/\.$/, '')}`);
  head.push('');
  head.push(`Board ${code(boardText(plan))} · profile ${plan.profile === null ? '(none)' : code(plan.profile)} · config ${code(plan.configDigest.slice(0, 12))}`);
  head.push('');

  if (plan.summary.unresolved) {
    head.push(`> [!CAUTION]`);
    head.push(`> ${html(blockedText(plan))}`);
    head.push(`> ${html(BLOCKED_HINT)}`);
    head.push('');
  }

  if (empty) {
    head.push('No changes. The board matches the configuration.');
    head.push('');
  } else {
    head.push('| | Path | Change | Size |');
    head.push('|:-:|---|---|--:|');
    for (const change of plan.changes) {
      const dir = change.action === 'mkdir' || change.action === 'rmdir' ? '/' : '';
      const drift = change.drift ? ' **(drift)**' : '';
      head.push(`| \`${SYMBOL[change.action]}\` | ${code(shownPath(change.path) + dir)} | ${html(reasonText(change, plan))}${drift} | ${html(sizeText(change))} |`);
    }
    head.push('');
  }

  const tail: string[] = [];
  if (plan.conflicts.length) {
    tail.push(`**Conflicts** (policy ${code(plan.policy.conflicts)}):`);
    tail.push('');
    for (const conflict of plan.conflicts) tail.push(`- ${code(shownPath(conflict.path))}: ${html(conflictText(conflict))}; ${html(resolutionText(conflict))}`);
    tail.push('');
  }
  const note = notManagedLines(plan, options.listLimit ?? 20);
  if (note.length) {
    tail.push('<details><summary>Not managed (left alone)</summary>');
    tail.push('');
    for (const line of note) tail.push(`- ${html(line)}`);
    tail.push('');
    tail.push('</details>');
    tail.push('');
  }
  if (plan.warnings.length) {
    for (const warning of plan.warnings) tail.push(`> [!WARNING]\n> ${html(warning)}\n`);
  }

  // Diffs fill the room the rest leaves, in path order.
  const sections = plan.changes.map((change) => reviewSection(change, plan)).filter((s): s is string => s !== undefined);
  let room = maxLength - head.join('\n').length - tail.join('\n').length - 200;
  const body: string[] = [];
  let left = 0;
  for (const section of sections) {
    if (section.length <= room) {
      body.push(section);
      room -= section.length;
    } else left += 1;
  }
  if (left) body.push(`_${left} diff${left === 1 ? '' : 's'} left out to fit the comment; see them with ${code(`belay show ${options.planFileName ?? 'plan.json'}`)}._\n`);

  return `${[...head, ...body, ...tail].join('\n').replace(/\n+$/, '')}\n`;
}

function reviewSection(change: Change, plan: Plan): string | undefined {
  const review = change.review;
  if (!review) return undefined;
  const summary = `<details><summary><code>${html(`${SYMBOL[change.action]} ${shownPath(change.path)}`)}</code> ${html(reasonText(change, plan))}</summary>`;
  switch (review.kind) {
    case 'diff': {
      const marks = fence(review.diff);
      return `${summary}\n\n${marks}diff\n${review.diff.replace(/\n?$/, '\n')}${marks}\n\n</details>\n`;
    }
    case 'binary':
      return `${summary}\n\nBinary file: ${html(hashChangeText(change, plan))}\n\n</details>\n`;
    case 'too-large':
      return `${summary}\n\nNo diff: larger than ${formatBytes(review.limit)} (${html(hashChangeText(change, plan))}).\n\n</details>\n`;
    case 'secret':
      return `${summary}\n\nSecret: content not shown.\n\n</details>\n`;
    default:
      return undefined;
  }
}
