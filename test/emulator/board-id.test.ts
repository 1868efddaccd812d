// Each emulated board has its own machine.unique_id(), kept across power
// cycles, as hardware does: belay tells boards apart by it (a plan made for
// one board is refused on another).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { tempDir } from '../helpers/boards.js';

async function uniqueIdOf(options: EmulatorOptions): Promise<string | null> {
  const board = await EmulatorTransport.open({ runMain: false, ...options });
  try {
    const device = await Device.over(board, { timeoutMs: 5000 });
    return (await device.info()).unique_id;
  } finally {
    await board.close();
  }
}

describe('the emulated board\'s unique id', { timeout: 60_000 }, () => {
  it('is its own per flash folder, the same at every power-on, and kept beside the flash', async () => {
    const home = tempDir();
    const first = await uniqueIdOf({ dir: join(home, 'a') });
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(await uniqueIdOf({ dir: join(home, 'a') })).toBe(first);
    expect(readFileSync(join(home, 'a.id'), 'utf8').trim()).toBe(first);
    const other = await uniqueIdOf({ dir: join(home, 'b') });
    expect(other).toMatch(/^[0-9a-f]{16}$/);
    expect(other).not.toBe(first);
  });

  it('a damaged id file is replaced once, then kept', async () => {
    const home = tempDir();
    writeFileSync(join(home, 'a.id'), 'not an id');
    const made = await uniqueIdOf({ dir: join(home, 'a') });
    expect(made).toMatch(/^[0-9a-f]{16}$/);
    expect(await uniqueIdOf({ dir: join(home, 'a') })).toBe(made);
  });

  it('an id given in the options wins', async () => {
    expect(await uniqueIdOf({ dir: join(tempDir(), 'a'), uniqueId: '0123456789abcdef' })).toBe('0123456789abcdef');
  });
});
