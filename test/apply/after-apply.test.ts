/**
 * The after-apply action on a board that keeps running when belay lets go
 * (the emulated board served on a pseudo-terminal, as a USB board is):
 * soft-reset and hard-reset both start the freshly applied main.py; none
 * leaves the board at its prompt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { applyPlan } from '../../src/sync/apply.js';
import { openBoard } from '../helpers/boards.js';
import { describeWithSocat } from '../helpers/socat.js';
import { makeProject, planOn } from './helpers.js';

const MAIN = "f = open('/ran.txt', 'w')\nf.write('main ran')\nf.close()\n";

/** Waits (up to 30 s: a busy machine) for `path` to appear. */
async function appears(path: string): Promise<boolean> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (existsSync(path)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describeWithSocat('after apply', () => {
  for (const action of ['soft-reset', 'hard-reset', 'none'] as const) {
    it(`${action}${action === 'none' ? ' leaves main.py alone' : ' runs the new main.py'}`, async () => {
      const root = makeProject({ 'src/main.py': MAIN });
      const board = await openBoard('pty', { runMain: true });
      try {
        const device = await Device.over(board.transport);
        const { plan, config } = await planOn(device, root);
        const result = await applyPlan(device, plan, config, { afterApply: action });
        expect(result.afterApply).toBe(action);
        if (action === 'none') {
          // Still in the raw REPL, connected: nothing restarted.
          expect((await device.exec('print(1 + 1)')).stdout.toString().trim()).toBe('2');
          expect(existsSync(join(board.flash, 'ran.txt'))).toBe(false);
          await device.close();
        } else {
          expect(await appears(join(board.flash, 'ran.txt'))).toBe(true);
          expect(readFileSync(join(board.flash, 'ran.txt'), 'utf8')).toBe('main ran');
        }
      } finally {
        await board.close();
      }
    }, 120_000);
  }
});
