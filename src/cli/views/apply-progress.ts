/**
 * How `belay apply` shows its progress, from the engine's hooks
 * (sync/apply.ts): on a terminal, listr2 tasks per phase (check, stage with
 * the current file's and the total bytes, commit, cleanup, reset); without
 * one, plain lines; under --json, one JSON event per line on stdout for CI;
 * under --quiet, nothing. Every renderer is built the same way: `hooks` for
 * applyPlan, then `end()` once it settled (with its error, if any).
 */
import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { AfterApply } from '../../config/types.js';
import type { ApplyHooks, ApplyPhase, PhaseDetail, StageProgress } from '../../sync/apply.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format.js';
import { shownPath } from './plan-words.js';

export interface ApplyView {
  hooks: ApplyHooks;
  /**
   * Stops the renderer once applyPlan settled: `error` marks the phase that
   * was running as failed; phases never reached are shown skipped, for
   * `skipReason` (default "not needed") when there was no error.
   */
  end(error?: unknown, skipReason?: string): Promise<void>;
  /** Says, at once, what the first Ctrl-C does in `phase`. */
  interrupted(phase: ApplyPhase): void;
}

/** What the first Ctrl-C does, by the phase it comes in. */
export function interruptWords(phase: ApplyPhase): string {
  if (phase === 'check' || phase === 'stage') return 'Ctrl-C: stopping; staged files are removed and the board stays as it was';
  if (phase === 'commit') return 'Ctrl-C: finishing the commit first, so the board holds the whole new state (Ctrl-C again quits at once; the next belay command then completes it)';
  return 'Ctrl-C: the commit is done; stopping before anything else';
}

export type ApplyViewKind = 'tasks' | 'lines' | 'json' | 'silent';

export interface ApplyViewOptions {
  afterApply: AfterApply;
  /** Where tasks and lines go (default stderr); JSON events go to stdout. */
  stream?: NodeJS.WriteStream;
  /** Forces a renderer (default: json under --json, silent under --quiet, tasks on a terminal, else lines). */
  kind?: ApplyViewKind;
  /** Where JSON events are written (default: the context's stdout). */
  writeJson?: (line: string) => void;
}

export function chooseView(ctx: Context, stream: NodeJS.WriteStream = process.stderr): ApplyViewKind {
  if (ctx.options.json) return 'json';
  if (ctx.options.quiet) return 'silent';
  // The task list redraws lines as wide as the terminal (listr2 reads stdout's
  // width): a terminal that reports no width (a bare pseudo-terminal, some CI
  // runners) would get one character a line, so it gets plain lines.
  const widthKnown = (stream.columns ?? 0) > 0 && process.stdout.columns !== 0;
  return stream.isTTY && widthKnown ? 'tasks' : 'lines';
}

export function applyView(ctx: Context, options: ApplyViewOptions): ApplyView {
  const stream = options.stream ?? process.stderr;
  const kind = options.kind ?? chooseView(ctx, stream);
  const warn = (phase: ApplyPhase) => ctx.out.warn(interruptWords(phase));
  if (kind === 'json') return jsonView(options.writeJson ?? ((line) => ctx.out.data(line)), warn);
  if (kind === 'lines') return linesView((line) => ctx.out.info(line), warn);
  if (kind === 'tasks') return tasksView(stream, options.afterApply);
  return { hooks: {}, end: async () => undefined, interrupted: warn };
}

export const RESET_WORDS: Record<Exclude<AfterApply, 'none'>, string> = {
  'soft-reset': 'soft-reset the board (boot.py, then main.py)',
  'hard-reset': 'hard-reset the board',
};

/** "3/12 files, 1.2 KiB of 3.4 KiB" */
function stageFigures(p: StageProgress): string {
  return `${p.index}/${p.files} files, ${formatBytes(p.done)} of ${formatBytes(p.total)}`;
}

/* ------------------------------------------------------------- lines */

/** Plain lines: one per phase, one per staged file. */
function linesView(print: (line: string) => void, interrupted: (phase: ApplyPhase) => void): ApplyView {
  const words: Record<ApplyPhase, (d: PhaseDetail) => string> = {
    check: () => 'checking the plan against the board and the sources',
    stage: (d) => `staging ${d.files} files (${formatBytes(d.bytes)}), each verified from the board's flash`,
    commit: () => 'committing (journal, renames, deletes, manifest)',
    cleanup: () => 'confirming the result',
    reset: (d) => (d.action && d.action !== 'none' ? RESET_WORDS[d.action] : 'after-apply action'),
  };
  return {
    hooks: {
      onStart: (phase, detail) => print(words[phase](detail)),
      onProgress: (_phase, p) => {
        if (p.fileDone === p.fileTotal) print(`  staged ${shownPath(p.path)} (${formatBytes(p.fileTotal)}) [${stageFigures(p)}]`);
      },
    },
    end: async () => undefined,
    interrupted,
  };
}

/* -------------------------------------------------------------- json */

/** One JSON event per line: start, progress (each file's start and end, at most 4 a second between), done. */
function jsonView(write: (line: string) => void, warn: (phase: ApplyPhase) => void): ApplyView {
  let last = 0;
  const emit = (event: Record<string, unknown>) => write(JSON.stringify(event));
  return {
    hooks: {
      onStart: (phase, detail) => emit({ event: 'start', phase, ...detail }),
      onProgress: (phase, p) => {
        const now = performance.now();
        const edge = p.fileDone === 0 || p.fileDone === p.fileTotal;
        if (!edge && now - last < 250) return;
        last = now;
        emit({ event: 'progress', phase, ...p });
      },
      onDone: (phase) => emit({ event: 'done', phase }),
    },
    end: async () => undefined,
    interrupted: (phase) => {
      emit({ event: 'interrupt', phase });
      warn(phase);
    },
  };
}

/* ------------------------------------------------------------- tasks */

/** listr2's default renderer, drawn on `stream` (stderr) even when stdout is redirected. */
class StreamRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

interface PhaseTask {
  /** Settles the task's promise (listr2 awaits it): resolved, or rejected with the apply's error. */
  settle: (error?: unknown) => void;
  /** What the task shows; kept here too, since a phase may run before listr2 reaches its task. */
  title: string;
  output?: string;
  wrapper?: ListrTaskWrapper<unknown, typeof StreamRenderer, typeof StreamRenderer>;
  /** Why the phase did not run (set before listr2 reaches it). */
  skipped?: string;
  started: boolean;
  settled: boolean;
}

const TITLES: Record<Exclude<ApplyPhase, 'reset' | 'stage'>, { running: string; done: string }> = {
  check: { running: 'Check the plan against the board and the sources', done: 'Checked: the board and the sources are as planned' },
  commit: { running: 'Commit: journal, renames, deletes, manifest', done: 'Committed' },
  cleanup: { running: 'Confirm the result', done: 'Confirmed: the board holds the plan, nothing of the transaction is left' },
};

function stageTitle(detail: PhaseDetail, done = false): string {
  return `${done ? 'Staged' : 'Stage'} ${detail.files} files (${formatBytes(detail.bytes)}), each verified from the board's flash`;
}

/**
 * listr2 runs one task per phase; each task waits for its phase's onDone
 * (or the apply's error). Phases the apply never reached are shown skipped.
 */
function tasksView(stream: NodeJS.WriteStream, afterApply: AfterApply): ApplyView {
  const phases: ApplyPhase[] = ['check', 'stage', 'commit', 'cleanup', ...(afterApply === 'none' ? [] : (['reset'] as const))];
  const tasks = new Map<ApplyPhase, PhaseTask>();
  const waits = new Map<ApplyPhase, Promise<void>>();
  const firstTitle = (phase: ApplyPhase) =>
    phase === 'reset' ? capitalised(RESET_WORDS[afterApply as Exclude<AfterApply, 'none'>]) : phase === 'stage' ? 'Stage the new files' : TITLES[phase].running;
  for (const phase of phases) {
    const entry: PhaseTask = { settle: () => undefined, title: firstTitle(phase), started: false, settled: false };
    waits.set(
      phase,
      new Promise<void>((resolve, reject) => {
        entry.settle = (error) => {
          if (entry.settled) return;
          entry.settled = true;
          if (error === undefined) resolve();
          else reject(error instanceof Error ? error : new Error(String(error)));
        };
      }),
    );
    // listr2 awaits it later: a rejection before then is handled, not stray.
    waits.get(phase)!.catch(() => undefined);
    tasks.set(phase, entry);
  }
  const show = (phase: ApplyPhase, title: string, output?: string) => {
    const entry = tasks.get(phase)!;
    entry.title = title;
    if (output !== undefined) entry.output = output;
    if (entry.wrapper) {
      entry.wrapper.title = title;
      if (output !== undefined) entry.wrapper.output = output;
    }
  };
  const listr = new Listr<unknown, typeof StreamRenderer, typeof StreamRenderer>(
    phases.map((phase) => ({
      title: firstTitle(phase),
      task: (_ctx: unknown, wrapper: ListrTaskWrapper<unknown, typeof StreamRenderer, typeof StreamRenderer>) => {
        const entry = tasks.get(phase)!;
        if (entry.skipped !== undefined) return wrapper.skip(`${firstTitle(phase)}: ${entry.skipped}`);
        entry.wrapper = wrapper;
        wrapper.title = entry.title;
        if (entry.output !== undefined) wrapper.output = entry.output;
        return waits.get(phase)!;
      },
      rendererOptions: { outputBar: 1, persistentOutput: false },
    })),
    {
      renderer: StreamRenderer,
      fallbackRenderer: StreamRenderer,
      registerSignalListeners: false,
      exitOnError: true,
      rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(stream, stream, { leaveEmptyLine: false }) }), collapseErrors: false },
    },
  );
  let running: Promise<unknown> | undefined;
  let stageDetail: PhaseDetail = {};
  let lastDraw = 0;
  return {
    hooks: {
      onStart: (phase, detail) => {
        running ??= listr.run().catch(() => undefined);
        const entry = tasks.get(phase);
        if (!entry) return;
        entry.started = true;
        if (phase === 'stage') {
          stageDetail = detail;
          show('stage', stageTitle(detail));
        }
      },
      onProgress: (_phase, p) => {
        const now = performance.now();
        if (now - lastDraw < 80 && p.fileDone !== p.fileTotal && p.fileDone !== 0) return;
        lastDraw = now;
        show('stage', `Stage ${p.files} files: ${stageFigures(p)}`, `${shownPath(p.path)}  ${formatBytes(p.fileDone)} of ${formatBytes(p.fileTotal)}`);
      },
      onDone: (phase) => {
        const entry = tasks.get(phase);
        if (!entry) return;
        if (phase === 'stage') show('stage', stageTitle(stageDetail, true));
        else if (phase !== 'reset') show(phase, TITLES[phase].done);
        entry.settle();
      },
    },
    interrupted: (phase) => {
      const entry = tasks.get(phase);
      if (entry && !entry.settled) show(phase, entry.title, interruptWords(phase));
    },
    async end(error, skipReason = 'not needed') {
      if (!running) return;
      const failed = phases.find((phase) => tasks.get(phase)!.started && !tasks.get(phase)!.settled);
      for (const phase of phases) {
        const entry = tasks.get(phase)!;
        if (entry.settled) continue;
        if (phase === failed && error !== undefined) entry.settle(error);
        else {
          entry.skipped = error === undefined ? skipReason : 'not run';
          entry.wrapper?.skip(`${firstTitle(phase)}: ${entry.skipped}`);
          entry.settle();
        }
      }
      await running;
    },
  };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
