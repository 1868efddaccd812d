// The transaction's promise (shared by power-cut-*.test.ts), tested by cutting the power at every
// filesystem mutation of a commit that updates, creates (in new nested
// folders), deletes, removes a folder, makes an empty folder and writes a
// manifest under /.belay: after recovery the board holds the whole old
// state or the whole new state, never a mix, and no temp, journal or intent
// log. Then a second cut at every mutation of a recovery (one rolling back,
// one rolling forward): the next recovery still ends in the same whole state.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '../../src/device/device.js';
import { reservedPath } from '../../src/paths/reserved.js';
import { tempDir } from '../helpers/boards.js';
import { copyFlash, cutAt, snapshot, whichState, withBoard, type BoardMode } from './helpers.js';

function oldBoard(): string {
  const flash = join(tempDir('belay-tx-'), 'flash');
  mkdirSync(join(flash, 'lib'), { recursive: true });
  mkdirSync(join(flash, 'gone'));
  writeFileSync(join(flash, 'main.py'), 'print("old main")\n');
  writeFileSync(join(flash, 'lib', 'util.py'), 'X = 1\n');
  writeFileSync(join(flash, 'old.py'), 'to be deleted\n');
  writeFileSync(join(flash, 'gone', 'x.txt'), 'in a folder that goes\n');
  return flash;
}

async function transaction(device: Device): Promise<void> {
  const fs = device.fs;
  const main = await fs.stage('/main.py', Buffer.from('print("new main")\n'));
  const mod = await fs.stage('/lib/new/mod.py', Buffer.from('def f():\n    return 2\n'), { parents: true });
  const manifest = await fs.stage(reservedPath('manifest.json'), Buffer.from('{"files": 2}\n'), { parents: true });
  await fs.commit({ renames: [main, mod, manifest], deletes: ['/old.py', '/gone/x.txt'], rmdirs: ['/gone'], mkdirs: ['/empty'] });
}

/** Registers the sweep for one kind of flash (each in its own test file, so they run in parallel). */
export function powerCutSweep(name: string, options: BoardMode): void {
  describe(`power cuts during a transaction on ${name}`, () => {
    it('leaves the whole old or the whole new state after recovery, at every step, and through a second cut', async () => {
      const template = oldBoard();
      const OLD = snapshot(template);
      const done = copyFlash(template);
      const steps = await withBoard(done, options, async (device, board) => {
        await transaction(device);
        return board.mutations;
      });
      const NEW = snapshot(done);
      expect(NEW['/main.py']).not.toBe(OLD['/main.py']);
      expect(NEW['/empty']).toBe('dir');
      expect(NEW['/gone']).toBeUndefined();
      expect(Object.keys(NEW).filter((path) => /belay-tmp|journal|intent/.test(path))).toEqual([]);
      expect(steps).toBeGreaterThan(10);

      const outcomes = new Map<number, { state: string; action: string; recoverySteps: number; flash: string }>();
      for (let step = 1; step <= steps; step++) {
        const flash = copyFlash(template);
        expect(await cutAt(flash, options, step, transaction), `a cut at step ${step}`).toBe(true);
        const afterCut = copyFlash(flash);
        const { action, recoverySteps } = await withBoard(flash, options, async (device, board) => {
          const report = await device.fs.recover();
          return { action: report.action, recoverySteps: board.mutations };
        });
        const state = whichState(flash, OLD, NEW);
        expect(state, `after a cut at step ${step} and recovery (${action})`).toMatch(/^(old|new)$/);
        outcomes.set(step, { state, action, recoverySteps, flash: afterCut });
      }
      const states = [...outcomes.values()].map((o) => o.state);
      expect(states).toContain('old');
      expect(states).toContain('new');
      // Once new, always new: the journal is the single point of commitment.
      const firstNew = states.indexOf('new');
      expect(states.slice(firstNew).every((s) => s === 'new')).toBe(true);

      // A second cut during recovery: the longest roll-back and the longest roll-forward.
      const pick = (action: string) => [...outcomes.entries()].filter(([, o]) => o.action === action).sort((a, b) => b[1].recoverySteps - a[1].recoverySteps)[0];
      for (const chosen of [pick('back'), pick('forward')]) {
        expect(chosen, 'a cut that leaves recovery work').toBeDefined();
        const [step, first] = chosen!;
        expect(first.recoverySteps).toBeGreaterThan(0);
        for (let second = 1; second <= first.recoverySteps; second++) {
          const flash = copyFlash(first.flash);
          expect(await cutAt(flash, options, second, (device) => device.fs.recover()), `recovery cut at ${second}`).toBe(true);
          await withBoard(flash, options, (device) => device.fs.recover());
          expect(whichState(flash, OLD, NEW), `cut at ${step}, then during recovery at ${second}`).toBe(first.state);
        }
      }
    }, 600_000);
  });
}
