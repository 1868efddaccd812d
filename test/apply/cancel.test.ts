/**
 * Ctrl-C (the AbortSignal) in each phase of an apply: while checking and
 * while staging (between files, in the middle of a file) the transaction is
 * abandoned, the staged files are removed and the board is exactly as it
 * was; once the commit has begun it is finished, and the result says the
 * signal came during it (the after-apply action does not run).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isBelayError } from '../../src/errors.js';
import type { ApplyHooks, ApplyResult } from '../../src/sync/apply.js';
import { snapshot, withBoard } from '../transaction/helpers.js';
import { applyIt, buildScenario, copyOf, wholeState, type Scenario } from './scenario.js';

let scenario: Scenario;
beforeAll(async () => {
  scenario = await buildScenario({});
}, 180_000);

/** Runs the apply with hooks that may abort; returns the result or the error, and the board state after. */
async function run(hooks: (abort: () => void) => ApplyHooks, afterApply: 'none' | 'soft-reset' = 'none'): Promise<{ outcome: ApplyResult | unknown; state: string; flash: string }> {
  const flash = copyOf(scenario.template);
  const controller = new AbortController();
  const outcome = await withBoard(flash, {}, (device) => applyIt(device, scenario, { signal: controller.signal, hooks: hooks(() => controller.abort()), afterApply }).catch((err: unknown) => err));
  return { outcome, state: wholeState(flash, scenario), flash };
}

function expectAborted(outcome: unknown): void {
  expect(isBelayError(outcome, 'ABORTED'), String(outcome)).toBe(true);
}

describe('cancelling an apply', () => {
  it('while checking: nothing is written', async () => {
    const { outcome, state } = await run((abort) => ({ onStart: (phase) => phase === 'check' && abort() }));
    expectAborted(outcome);
    expect(state).toBe('old');
  });

  it('while staging, between two files: the staged files are removed, the board is unchanged', async () => {
    const { outcome, state, flash } = await run((abort) => ({ onProgress: (_phase, p) => p.index === 3 && p.fileDone === 0 && abort() }));
    expectAborted(outcome);
    expect(state).toBe('old');
    expect(Object.keys(snapshot(flash)).filter((p) => p.includes('.belay-tmp-') || p.endsWith('intent.log'))).toEqual([]);
  });

  it('while staging, in the middle of a file: the same', async () => {
    const { outcome, state } = await run((abort) => ({ onProgress: (_phase, p) => p.path === '/static/logo.bin' && p.fileDone > 0 && p.fileDone < p.fileTotal && abort() }));
    expectAborted(outcome);
    expect(state).toBe('old');
  });

  it('once staging is done: the commit runs, and the result says the signal came', async () => {
    const { outcome, state } = await run((abort) => ({ onDone: (phase) => phase === 'stage' && abort() }), 'soft-reset');
    expect((outcome as ApplyResult).interruptedDuringCommit).toBe(true);
    expect((outcome as ApplyResult).afterApply).toBe('skipped');
    expect(state).toBe('new');
  });

  it('during the commit: it is finished, not interrupted', async () => {
    const { outcome, state } = await run((abort) => ({ onStart: (phase) => phase === 'commit' && abort() }), 'soft-reset');
    expect((outcome as ApplyResult).interruptedDuringCommit).toBe(true);
    expect((outcome as ApplyResult).afterApply).toBe('skipped');
    expect(state).toBe('new');
  });
});
