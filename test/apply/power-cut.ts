// The whole-set promise of apply, tested by cutting the power at every
// filesystem write of an apply (see scenario.ts for what it changes): right
// after the cut every file is entirely old or new; once belay connects again
// (recovery) the board is byte for byte the whole old state (the cut came
// before the journal) or the whole new state (after it), manifest included,
// with no temp file, intent log or journal left, and once new it stays new
// for every later cut. A further apply from an old state reaches the new
// one; a plan after a new state has nothing to do.
import { beforeAll, describe, expect, it } from 'vitest';
import { isBelayError } from '../../src/errors.js';
import { withBoard, type BoardMode } from '../transaction/helpers.js';
import { planOn } from './helpers.js';
import { applyIt, buildScenario, copyOf, eachFileOldOrNew, wholeState, type Scenario } from './scenario.js';

export function powerCutSuite(name: string, mode: BoardMode): void {
  describe(`apply under a power cut at every filesystem write, on ${name}`, () => {
    let scenario: Scenario;
    beforeAll(async () => {
      scenario = await buildScenario(mode);
    }, 180_000);

    it('leaves each file old or new, and after recovery the whole old or the whole new state', async () => {
      const started = performance.now();
      const states: string[] = [];
      let planAfterNew = false;
      /** Each old state after recovery, for the further applies below. */
      const oldFlashes: string[] = [];
      for (let step = 1; step <= scenario.mutations; step++) {
        const flash = copyOf(scenario.template);
        const cut = await withBoard(flash, { ...mode, powerCutAtWrite: step }, async (device) => {
          try {
            await applyIt(device, scenario);
            return false;
          } catch (err) {
            if (isBelayError(err, 'LINK_LOST')) return true;
            throw err;
          }
        });
        expect(cut, `the power was cut at write ${step}`).toBe(true);
        eachFileOldOrNew(flash, scenario, `cut at write ${step}`);
        // "belay again": connect, recover, and look.
        const state = await withBoard(flash, mode, async (device) => {
          await device.fs.recover();
          const state = wholeState(flash, scenario);
          if (state === 'new' && !planAfterNew) {
            const again = await planOn(device, scenario.root);
            expect(again.plan.changes, `a plan after the cut at ${step} and recovery`).toEqual([]);
            planAfterNew = true;
          }
          return state;
        });
        if (state === 'old') oldFlashes.push(copyOf(flash));
        expect(state, `after a cut at write ${step} and recovery`).toMatch(/^(old|new)$/);
        states.push(state);
      }
      // Old up to the journal, new from it on: never back.
      const firstNew = states.indexOf('new');
      expect(firstNew).toBeGreaterThan(0);
      expect(states.slice(firstNew).every((s) => s === 'new'), states.join(' ')).toBe(true);
      // The old states are byte for byte the template, so a further apply behaves alike from each:
      // it is run from the first and from the last one, the cut just before the journal.
      for (const flash of new Set([oldFlashes[0], oldFlashes[oldFlashes.length - 1]])) {
        await withBoard(flash, mode, async (device) => {
          await applyIt(device, scenario);
          expect(wholeState(flash, scenario), 'a further apply after a cut and recovery').toBe('new');
        });
      }
      console.info(`apply power-cut sweep on ${name}: ${scenario.mutations} writes, ${firstNew} cuts left the old state, ${states.length - firstNew} the new; ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }, 1_200_000);
  });
}
