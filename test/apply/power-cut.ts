// The whole-set promise of apply, tested by cutting the power at every
// filesystem write of an apply (see scenario.ts for what it changes): right
// after the cut every file is entirely old or new; once belay connects again
// (recovery) the board is byte for byte the whole old state (the cut came
// before the journal) or the whole new state (after it), manifest included,
// with no temp file, intent log or journal left, and once new it stays new
// for every later cut. A further apply from an old state reaches the new
// one; a plan after a new state has nothing to do.
import { expect } from 'vitest';
import { cutAt, withBoard, type BoardMode } from '../transaction/helpers.js';
import { planOn } from './helpers.js';
import { applyIt, copyOf, describeSweep, expectOldThenNew, recoveredState, wholeState } from './scenario.js';

export function powerCutSuite(name: string, mode: BoardMode): void {
  describeSweep(`apply under a power cut at every filesystem write, on ${name}`, mode, async (scenario) => {
    const started = performance.now();
    const states: string[] = [];
    let planAfterNew = false;
    /** Each old state after recovery, for the further applies below. */
    const oldFlashes: string[] = [];
    for (let step = 1; step <= scenario.mutations; step++) {
      const flash = copyOf(scenario.template);
      const cut = await cutAt(flash, mode, step, (device) => applyIt(device, scenario));
      expect(cut, `the power was cut at write ${step}`).toBe(true);
      // "belay again": connect, recover, and look.
      const state = await recoveredState(flash, scenario, `cut at write ${step}`, async (device, state) => {
        if (state !== 'new' || planAfterNew) return;
        const again = await planOn(device, scenario.root);
        expect(again.plan.changes, `a plan after the cut at ${step} and recovery`).toEqual([]);
        planAfterNew = true;
      });
      if (state === 'old') oldFlashes.push(copyOf(flash));
      states.push(state);
    }
    const firstNew = expectOldThenNew(states);
    // The old states are byte for byte the template, so a further apply behaves alike from each:
    // it is run from the first and from the last one, the cut just before the journal.
    for (const flash of new Set([oldFlashes[0], oldFlashes[oldFlashes.length - 1]])) {
      await withBoard(flash, mode, async (device) => {
        await applyIt(device, scenario);
        expect(wholeState(flash, scenario), 'a further apply after a cut and recovery').toBe('new');
      });
    }
    console.info(`apply power-cut sweep on ${name}: ${scenario.mutations} writes, ${firstNew} cuts left the old state, ${states.length - firstNew} the new; ${((performance.now() - started) / 1000).toFixed(0)} s`);
  });
}
