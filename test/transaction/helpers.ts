// Boards and flash snapshots for the transaction tests: power a board on
// from a flash folder (optionally set to lose power at its Nth filesystem
// mutation), and compare what a flash folder holds, byte for byte.
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Device } from '../../src/device/device.js';
import type { DeviceFsOptions } from '../../src/device/fs/device-fs.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { isBelayError } from '../../src/errors.js';
import { tempDir } from '../helpers/boards.js';

export type BoardMode = Omit<EmulatorOptions, 'dir'>;

/**
 * Powers a board on from `flash`, runs `work`, powers it off. By default
 * without the helpers' copies on flash (tested in test/fs/helper-cache.test.ts):
 * the power-cut sweeps count and cut the transaction's own flash writes.
 */
export async function withBoard<T>(flash: string, options: BoardMode, work: (device: Device, board: EmulatorTransport) => Promise<T>, fs: DeviceFsOptions = { helperCache: false }): Promise<T> {
  const board = await EmulatorTransport.open({ runMain: false, ...options, dir: flash });
  try {
    const device = await Device.over(board, { fs });
    return await work(device, board);
  } finally {
    await board.close();
  }
}

/** Runs `work` on a board that loses power at mutation `step`; true when the cut happened (LINK_LOST). */
export async function cutAt(flash: string, options: BoardMode, step: number, work: (device: Device) => Promise<unknown>): Promise<boolean> {
  return withBoard(flash, { ...options, powerCutAtWrite: step }, async (device) => {
    try {
      await work(device);
      return false;
    } catch (err) {
      if (isBelayError(err, 'LINK_LOST')) return true;
      throw err;
    }
  });
}

/** A copy of a flash folder, to replay a state. */
export function copyFlash(from: string): string {
  const to = join(tempDir('belay-tx-'), 'flash');
  cpSync(from, to, { recursive: true });
  return to;
}

/** Everything a flash folder holds: path -> "dir" or the sha256 of the file. */
export function snapshot(flash: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = `${prefix}/${name}`;
      if (statSync(full).isDirectory()) {
        out[path] = 'dir';
        walk(full, path);
      } else out[path] = createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16);
    }
  };
  walk(flash, '');
  return out;
}

/** 'old', 'new', or a description of the mix found. */
export function whichState(flash: string, old: Record<string, string>, next: Record<string, string>): string {
  const now = JSON.stringify(snapshot(flash));
  if (now === JSON.stringify(old)) return 'old';
  if (now === JSON.stringify(next)) return 'new';
  return `mixed: ${now}`;
}
