/**
 * The plan views against golden files (no colour, no times: deterministic),
 * plus what no golden shows well: hostile names stay inert, colour only when
 * asked, and the markdown comment stays under its size limit.
 */
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown } from '../../src/cli/views/plan-markdown.js';
import { renderPlanText } from '../../src/cli/views/plan-text.js';
import { summaryLine } from '../../src/cli/views/plan-words.js';
import { Output } from '../../src/cli/output.js';
import { planChanges } from '../../src/sync/planner.js';
import { input } from '../sync/helpers.js';
import { samplePlan } from '../sync/sample-plan.js';

function blockedPlan() {
  return planChanges(input({ desired: { '/a.py': 'A', '/b.py': 'B' }, board: { '/a.py': 'X', '/b.py': 'dir', '/c.py': 'C' }, manifest: { '/a.py': 'Y', '/c.py': 'C' } }));
}

function emptyPlan() {
  return planChanges(input({ desired: { '/a.py': 'A' }, board: { '/a.py': 'A', '/data/x': 'D' }, manifest: { '/a.py': 'A' }, settings: { keep: ['/data'] } }));
}

describe('plan views: goldens', () => {
  it('text', async () => {
    await expect(renderPlanText(samplePlan())).toMatchFileSnapshot('./golden/plan.txt');
    await expect(renderPlanText(blockedPlan())).toMatchFileSnapshot('./golden/plan-blocked.txt');
    await expect(renderPlanText(emptyPlan())).toMatchFileSnapshot('./golden/plan-empty.txt');
  });

  it('markdown', async () => {
    await expect(renderPlanMarkdown(samplePlan())).toMatchFileSnapshot('./golden/plan.md');
    await expect(renderPlanMarkdown(blockedPlan())).toMatchFileSnapshot('./golden/plan-blocked.md');
    await expect(renderPlanMarkdown(emptyPlan())).toMatchFileSnapshot('./golden/plan-empty.md');
  });
});

describe('plan views: details', () => {
  it('the summary line reads as documented', () => {
    const plan = samplePlan();
    expect(summaryLine(plan)).toMatch(/^Plan: 2 to create, 5 to update, 2 to delete\. Folders: 0 to create, 1 to remove\.$/);
    expect(renderPlanText(plan)).toContain(summaryLine(plan));
    expect(summaryLine(planChanges(input({ desired: { '/x.py': 'A' } })))).toBe('Plan: 1 to create, 0 to update, 0 to delete.');
  });

  it('colour only through the style function: escape codes with it, none without', () => {
    const plan = samplePlan();
    const coloured = new Output({ color: true, quiet: false, verbose: false, debug: false, json: false });
    expect(renderPlanText(plan, { style: (s, t) => coloured.style(s, t) })).toContain('\u001b[32m+ /config.json');
    expect(renderPlanText(plan)).not.toContain('\u001b');
  });

  it('hostile names and contents cannot fake lines, recolour the terminal or break the markdown', () => {
    const evil = '/a\nb|`x`*_[l](u)<script>\u001b[31m.py';
    const plan = planChanges(input({ desired: { [evil]: 'A' }, board: { [evil]: 'B' }, manifest: { [evil]: 'B' } }));
    plan.changes[0].review = { kind: 'diff', diff: `--- x\n+++ y\n@@ -1 +1 @@\n-\u001b[2J\u0007old\n+\`\`\`\n+</details>\n` };
    const text = renderPlanText(plan);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).toContain(JSON.stringify(evil));
    expect(text.split('\n').filter((l) => l.startsWith('  ~ '))).toHaveLength(1);
    const md = renderPlanMarkdown(plan);
    const row = md.split('\n').find((l) => l.startsWith('| `~`'))!;
    // The name's pipe, backticks and markup are entities: the row keeps its four cells.
    expect(row.split('|').length).toBe(6);
    expect(md).not.toContain('<script>');
    // The diff holds a ``` line and a </details>: its fence is longer, so neither ends it.
    expect(md).toContain('````diff\n');
    expect(md.match(/<\/details>/g)!.length).toBe(2);
  });

  it('markdown leaves out diffs that do not fit the comment, and says how many', () => {
    const plan = samplePlan();
    const big = { kind: 'diff' as const, diff: `--- a\n+++ b\n@@ -1 +1 @@\n${'+line\n'.repeat(2000)}` };
    for (const change of plan.changes) if (change.review?.kind === 'diff') change.review = big;
    const md = renderPlanMarkdown(plan, { maxLength: 20_000, planFileName: 'out/plan.json' });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain('1 diff left out');
    expect(md).toContain('belay show out/plan.json');
  });

  it('lists at most listLimit unrecorded files by name', () => {
    const board = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`/f${String(i).padStart(2, '0')}.txt`, 'A']));
    const text = renderPlanText(planChanges(input({ board })), { listLimit: 3 });
    expect(text).toContain('/f00.txt, /f01.txt, /f02.txt, and 12 more');
  });
});
