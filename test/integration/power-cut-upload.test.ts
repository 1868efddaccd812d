/**
 * The promise of a verified upload, tested the hard way: cut the board's
 * power at every filesystem step of replacing a file. Whatever the step, the
 * target is entirely old or entirely new after the board comes back, and the
 * next put finishes the job and leaves no temp file.
 */
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { isBelayError } from '../../src/errors.js';
import { tempDir } from '../helpers/boards.js';

const OLD = Buffer.alloc(3000, 'o');
const NEW = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));

async function withBoard<T>(options: EmulatorOptions, work: (device: Device, board: EmulatorTransport) => Promise<T>): Promise<T> {
  const board = await EmulatorTransport.open({ runMain: false, ...options });
  try {
    const device = await Device.over(board);
    return await work(device, board);
  } finally {
    await board.close();
  }
}

describe('power cut while a file is replaced', () => {
  it('leaves the target old or new at every step, and the next put repairs', async () => {
    // A board holding the old file, and how many filesystem steps the replacement takes.
    const template = join(tempDir(), 'flash');
    const steps = await withBoard({ dir: template }, async (device, board) => {
      await device.fs.write('/data.bin', OLD);
      await device.fs.probe();
      const before = board.mutations;
      await device.fs.write('/data.bin', NEW);
      const count = board.mutations - before;
      await device.fs.write('/data.bin', OLD); // back to the old content for the copies
      return count;
    });
    expect(steps).toBeGreaterThanOrEqual(3); // create the temp, write it, rename it over the target

    const outcomes = new Set<string>();
    for (let step = 1; step <= steps; step++) {
      const flash = join(tempDir(), 'flash');
      cpSync(template, flash, { recursive: true });
      // Count what power-on and the helper install change, then aim past them.
      const offset = await withBoard({ dir: flash }, async (device, board) => {
        await device.fs.probe();
        return board.mutations;
      });
      let cut = false;
      await withBoard({ dir: flash, powerCutAtWrite: offset + step }, async (device) => {
        await device.fs.probe();
        try {
          await device.fs.write('/data.bin', NEW);
        } catch (err) {
          if (!isBelayError(err, 'LINK_LOST')) throw err;
          cut = true;
        }
      });
      expect(cut).toBe(true);
      const target = readFileSync(join(flash, 'data.bin'));
      const state = target.equals(OLD) ? 'old' : target.equals(NEW) ? 'new' : 'torn';
      expect(state, `after a cut at step ${step}`).not.toBe('torn');
      outcomes.add(state);
      // The board comes back; the next put completes and cleans up.
      await withBoard({ dir: flash }, async (device) => {
        await device.fs.write('/data.bin', NEW);
      });
      expect(readFileSync(join(flash, 'data.bin')).equals(NEW)).toBe(true);
      expect(readdirSync(flash).filter((name) => name.startsWith('.belay-tmp-'))).toEqual([]);
    }
    expect(outcomes.has('old')).toBe(true);
  }, 180_000); // a sweep of ~3 power-ons per step: minutes on a loaded machine
});
