// The whole-set promise of apply when the link (and with it the board's
// power) drops after every few hundred bytes the host sends, from the
// connection's first byte to the apply's last: each file old or new right
// after the drop, and once belay connects again the whole old or the whole
// new state, manifest included, nothing of the transaction left. The
// session saves the helpers' copies on the way (a board with room), so
// drops land in those saves too; a torn copy is never run.
import { expect } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { isBelayError } from '../../src/errors.js';
import { withBoard, type BoardMode } from '../transaction/helpers.js';
import { applyIt, copyOf, describeSweep, expectOldThenNew, recoveredState } from './scenario.js';

/** Bytes between two drops: a few hundred, so every frame, record and commit is cut somewhere. */
const STEP = 400;

export function linkDropSuite(name: string, mode: BoardMode): void {
  describeSweep(`apply when the link drops every ${STEP} bytes, on ${name}`, mode, async (scenario) => {
    const started = performance.now();
    // The whole conversation of a fresh session, connection included.
    const commit = { start: 0, end: 0 };
    const total = await withBoard(copyOf(scenario.template), mode, async (device, board) => {
      await applyIt(device, scenario, {
        hooks: {
          onStart: (phase) => phase === 'commit' && (commit.start = board.bytesToBoard),
          onDone: (phase) => phase === 'commit' && (commit.end = board.bytesToBoard),
        },
      });
      return board.bytesToBoard;
      // As the sweep below: a fresh session with the defaults, which save the helpers' copies (cut too).
    }, {});
    expect(commit.end).toBeGreaterThan(commit.start);
    // Every STEP bytes, and around the end of the commit program, where old turns new.
    const points = new Set<number>();
    for (let after = STEP; after < total; after += STEP) points.add(after);
    for (let after = commit.end - 2; after <= commit.end + 2; after++) points.add(after);
    const states: string[] = [];
    for (const after of [...points].sort((a, b) => a - b)) {
      const flash = copyOf(scenario.template);
      const board = await EmulatorTransport.open({ runMain: false, ...mode, dir: flash, dropAfterBytes: after });
      try {
        const device = await Device.over(board);
        await applyIt(device, scenario);
        throw new Error(`the apply finished although the link dropped after ${after} of ${total} bytes`);
      } catch (err) {
        if (!isBelayError(err, 'LINK_LOST')) throw err;
      } finally {
        await board.close();
      }
      states.push(await recoveredState(flash, scenario, `drop after ${after} of ${total} bytes`));
    }
    expectOldThenNew(states);
    console.info(`apply link-drop sweep on ${name}: ${total} bytes, ${states.length} drops, ${states.filter((s) => s === 'old').length} left the old state; ${((performance.now() - started) / 1000).toFixed(0)} s`);
  });
}
