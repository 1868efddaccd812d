/**
 * A full flash: refused before any write when the preflight sees it (the
 * error says how much the apply needs and how much is free), and, when the
 * flash fills up while staging anyway (something else on the board wrote
 * meanwhile), the staged files are removed and the board is unchanged. On
 * littlefs and on FAT.
 */
import { describe, expect, it } from 'vitest';
import { isBelayError } from '../../src/errors.js';
import { pyLiteral } from '../../src/device/snippets.js';
import { snapshot, withBoard, type BoardMode } from '../transaction/helpers.js';
import { applyIt, buildScenario, copyOf, type Scenario } from './scenario.js';

const MODES: Array<{ name: string; mode: BoardMode }> = [
  { name: 'littlefs', mode: {} },
  { name: 'FAT', mode: { filesystem: 'fat', blockSize: 512 } },
];

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** The flash size that leaves `free` bytes free on a board holding the template. */
async function flashSizeLeaving(scenario: Scenario, free: number): Promise<number> {
  const usage = await withBoard(copyOf(scenario.template), scenario.mode, (device) => device.fs.df('/'));
  return usage.used! + free + (usage.size - usage.used! - usage.free!);
}

describe.each(MODES)('apply on a full flash ($name)', ({ mode }) => {
  it('refuses before any write when the staged files and records do not fit, naming the space needed', async () => {
    const scenario = await buildScenario(mode);
    const flashSize = await flashSizeLeaving(scenario, 2048);
    const flash = copyOf(scenario.template);
    const err = await withBoard(flash, { ...mode, flashSize }, async (device, board) => {
      const err = await failure(() => applyIt(device, scenario));
      expect(board.mutations).toBe(0);
      return err;
    });
    expect(isBelayError(err, 'NO_SPACE'), String(err)).toBe(true);
    const data = (err as { data: { needed: number; free: number } }).data;
    expect(data.needed).toBeGreaterThan(data.free);
    expect((err as Error).message).toContain('needs');
    expect(snapshot(flash)).toEqual(scenario.OLD);

    // Filled while staging: the preflight passed, then a program on the board took the room.
    const roomy = copyOf(scenario.template);
    const filler = await withBoard(roomy, mode, async (device) => {
      const free = (await device.fs.df('/')).free!;
      const fill = free - 3 * 512;
      const err = await failure(() =>
        applyIt(device, scenario, {
          hooks: {
            onStart: (phase) => {
              // Queued before the first staging call, so it runs first.
              if (phase === 'stage') void device.exec(`f = open('/filler.bin', 'wb')\nf.write(bytes(${pyLiteral(fill)}))\nf.close()`);
            },
          },
        }),
      );
      expect(isBelayError(err, 'NO_SPACE'), String(err)).toBe(true);
      expect((err as { data: { needed: number } }).data.needed).toBeGreaterThan(0);
      return fill;
    });
    const after = snapshot(roomy);
    expect(after['/filler.bin']).toBeDefined();
    delete after['/filler.bin'];
    expect(after, `the board with ${filler} bytes of filler`).toEqual(scenario.OLD);
  }, 180_000);
});
