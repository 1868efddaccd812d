/**
 * The promise of a verified upload, tested the hard way: cut the board's
 * power at every filesystem step of replacing a file (stage, record, commit).
 * Whatever the step, the target is entirely old or entirely new once the
 * board is back and recovered, and the next put finishes the job and leaves
 * no temp file and no record. On littlefs and on FAT.
 */
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { isBelayError } from '../../src/errors.js';
import { tempDir } from '../helpers/boards.js';

// Small enough for two data writes: the steps worth cutting are the records and the rename around them.
const OLD = Buffer.alloc(300, 'o');
const NEW = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 7) & 0xff));

async function withBoard<T>(options: EmulatorOptions, work: (device: Device, board: EmulatorTransport) => Promise<T>): Promise<T> {
  const board = await EmulatorTransport.open({ runMain: false, ...options });
  try {
    const device = await Device.over(board, { fs: { helperCache: false } });
    return await work(device, board);
  } finally {
    await board.close();
  }
}

const MODES: Array<{ name: string; mode: Omit<EmulatorOptions, 'dir'> }> = [
  { name: 'littlefs', mode: {} },
  // FAT replaces by remove-then-rename: a cut between the two is the case the journal exists for.
  { name: 'FAT', mode: { filesystem: 'fat' } },
];

describe.each(MODES)('power cut while a file is replaced on $name', ({ mode }) => {
  it('leaves the target old or new at every step, and the next put repairs', async () => {
    // A board holding the old file, and how many filesystem steps the replacement takes.
    const template = join(tempDir(), 'flash');
    const steps = await withBoard({ ...mode, dir: template }, async (device, board) => {
      await device.fs.write('/data.bin', OLD);
      await device.fs.probe();
      const before = board.mutations;
      await device.fs.write('/data.bin', NEW);
      const count = board.mutations - before;
      await device.fs.write('/data.bin', OLD); // back to the old content for the copies
      return count;
    });
    expect(steps).toBeGreaterThanOrEqual(5); // record, create the temp, write it, rename it over the target, drop the record

    const outcomes = new Set<string>();
    for (let step = 1; step <= steps; step++) {
      const flash = join(tempDir(), 'flash');
      cpSync(template, flash, { recursive: true });
      let cut = false;
      // Power-on and the helper install change nothing on a settled board: step N is the write's Nth.
      await withBoard({ ...mode, dir: flash, powerCutAtWrite: step }, async (device) => {
        await device.fs.probe();
        try {
          await device.fs.write('/data.bin', NEW);
        } catch (err) {
          if (!isBelayError(err, 'LINK_LOST')) throw err;
          cut = true;
        }
      });
      expect(cut).toBe(true);
      // The board comes back: recovery (which every command runs first) settles
      // it old or new (on FAT a cut between remove and rename leaves only the
      // staged copy until then); the next put completes and cleans up.
      await withBoard({ ...mode, dir: flash }, async (device) => {
        await device.fs.recover();
        const target = existsSync(join(flash, 'data.bin')) ? readFileSync(join(flash, 'data.bin')) : undefined;
        const state = target?.equals(OLD) ? 'old' : target?.equals(NEW) ? 'new' : 'torn';
        expect(state, `after a cut at step ${step} and recovery`).not.toBe('torn');
        outcomes.add(state);
        await device.fs.write('/data.bin', NEW);
      });
      expect(readFileSync(join(flash, 'data.bin')).equals(NEW)).toBe(true);
      expect(readdirSync(flash)).toEqual(['data.bin']);
    }
    expect(outcomes.has('old')).toBe(true);
  }, 180_000); // a sweep of ~3 power-ons per step: minutes on a loaded machine
});
