/**
 * The progress views of `belay apply`, driven by the engine's hooks as
 * applyPlan calls them: listr2 tasks on a terminal (per phase, the stage
 * task with the current file's and the total bytes; a failed phase marked,
 * later ones not run), plain lines without a terminal, one JSON event per
 * line under --json.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BelayError } from '../../src/errors.js';
import type { Context } from '../../src/cli/context.js';
import { Output } from '../../src/cli/output.js';
import { applyView, type ApplyViewKind } from '../../src/cli/views/apply-progress.js';
import type { ApplyHooks } from '../../src/sync/apply.js';

function capture(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  Object.assign(stream, { isTTY: tty, columns: 120, rows: 40 });
  // eslint-disable-next-line no-control-regex
  return { stream, text: () => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}

function context(json = false): { ctx: Context; stdout: () => string; stderr: () => string } {
  const out = capture(false);
  const err = capture(false);
  const ctx = {
    options: { json },
    out: new Output({ color: false, quiet: false, verbose: false, debug: false, json }, out.stream, err.stream),
    cwd: '/',
    signal: new AbortController().signal,
  } as unknown as Context;
  return { ctx, stdout: out.text, stderr: err.text };
}

/**
 * A successful apply of two files and the manifest, as applyPlan reports it.
 * `shown` (the terminal case) waits until the renderer drew a text, so the
 * views are seen between the hooks, not only at the end.
 */
async function drive(hooks: ApplyHooks, options: { failAt?: 'stage'; shown?: (text: string) => Promise<void> } = {}): Promise<void> {
  const shown = options.shown ?? (async () => undefined);
  hooks.onStart?.('check', {});
  hooks.onDone?.('check');
  hooks.onStart?.('stage', { files: 3, bytes: 3000 });
  await shown("Stage 3 files (2.9 KiB), each verified from the board's flash");
  const files = [
    ['/main.py', 1000],
    ['/lib/big.bin', 1500],
    ['/.belay/manifest.json', 500],
  ] as const;
  let done = 0;
  for (const [index, [path, size]] of files.entries()) {
    for (const fileDone of [0, size / 2, size]) hooks.onProgress?.('stage', { path, index: index + 1, files: 3, fileDone, fileTotal: size, done: done + fileDone, total: 3000 });
    if (index === 1) await shown('Stage 3 files: 2/3 files, 2.4 KiB of 2.9 KiB');
    if (options.failAt === 'stage' && index === 1) return;
    done += size;
  }
  hooks.onDone?.('stage');
  for (const phase of ['commit', 'cleanup', 'reset'] as const) {
    hooks.onStart?.(phase, phase === 'reset' ? { action: 'soft-reset' } : {});
    hooks.onDone?.(phase);
  }
}

async function view(kind: ApplyViewKind, run: (hooks: ApplyHooks, shown: (text: string) => Promise<void>) => Promise<void>, error?: unknown) {
  const { ctx, stdout, stderr } = context(kind === 'json');
  const terminal = capture(true);
  const v = applyView(ctx, { afterApply: 'soft-reset', kind, stream: terminal.stream });
  // Waits for the renderer (a redraw follows each change) without a clock: up to a generous deadline.
  const shown = async (text: string) => {
    for (let i = 0; i < 2000 && !terminal.text().includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(terminal.text()).toContain(text);
  };
  await run(v.hooks, shown);
  await v.end(error);
  return { terminal: terminal.text(), stdout: stdout(), stderr: stderr() };
}

describe('apply progress', () => {
  it('on a terminal: a listr2 task per phase, the stage task with bytes, each ticked', async () => {
    const { terminal } = await view('tasks', (hooks, shown) => drive(hooks, { shown }));
    const final = terminal.slice(terminal.lastIndexOf('✔ Checked'));
    expect(final).toContain('✔ Checked: the board and the sources are as planned');
    expect(final).toContain("✔ Staged 3 files (2.9 KiB), each verified from the board's flash");
    expect(final).toContain('✔ Committed');
    expect(final).toContain('✔ Confirmed');
    expect(final).toContain('✔ Soft-reset the board (boot.py, then main.py)');
    // While staging, the title counted files and bytes and the output named the file.
    expect(terminal).toContain('/lib/big.bin  1.5 KiB of 1.5 KiB');
  });

  it('on a terminal: a failure marks its phase, the later ones do not run', async () => {
    const { terminal } = await view('tasks', (hooks, shown) => drive(hooks, { failAt: 'stage', shown }), new BelayError('LINK_LOST', 'the board went away'));
    const final = terminal.slice(terminal.lastIndexOf('✔ Checked'));
    expect(final).toContain('✖ Stage 3 files: 2/3 files, 2.4 KiB of 2.9 KiB\n  › the board went away');
    expect(final).toContain('◼ Commit');
    expect(terminal).not.toContain('✔ Committed');
  });

  it('without a terminal: a plain line per phase and per staged file', async () => {
    const { stderr, terminal } = await view('lines', (hooks) => drive(hooks));
    expect(terminal).toBe('');
    expect(stderr.split('\n')).toEqual([
      'checking the plan against the board and the sources',
      "staging 3 files (2.9 KiB), each verified from the board's flash",
      '  staged /main.py (1000 B) [1/3 files, 1000 B of 2.9 KiB]',
      '  staged /lib/big.bin (1.5 KiB) [2/3 files, 2.4 KiB of 2.9 KiB]',
      '  staged /.belay/manifest.json (500 B) [3/3 files, 2.9 KiB of 2.9 KiB]',
      'committing (journal, renames, deletes, manifest)',
      'confirming the result',
      'soft-reset the board (boot.py, then main.py)',
      '',
    ]);
  });

  it('--json: one event per line on stdout', async () => {
    const { stdout } = await view('json', (hooks) => drive(hooks));
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[0]).toEqual({ event: 'start', phase: 'check' });
    expect(events.filter((e) => e.event === 'start').map((e) => e.phase)).toEqual(['check', 'stage', 'commit', 'cleanup', 'reset']);
    expect(events.find((e) => e.event === 'start' && e.phase === 'stage')).toEqual({ event: 'start', phase: 'stage', files: 3, bytes: 3000 });
    const progress = events.filter((e) => e.event === 'progress');
    // Each file's start and end always; in between at most a few a second.
    expect(progress.filter((e) => e.fileDone === 0 || e.fileDone === e.fileTotal)).toHaveLength(6);
    expect(progress.at(-1)).toMatchObject({ path: '/.belay/manifest.json', done: 3000, total: 3000 });
  });
});
