// Emscripten's own /dev and /proc at the root: hidden by default (a board has
// none), listed on request so listings can be tested against entries that
// cannot be walked, as on the wasm port itself.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { tempDir } from '../helpers/boards.js';

const open: EmulatorTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((board) => board.close()));
});
async function device(listSystemEntries?: boolean) {
  const board = await EmulatorTransport.open({ dir: join(tempDir(), 'flash'), runMain: false, listSystemEntries });
  open.push(board);
  return Device.over(board);
}
const PROBE = "import os\nopen('/mine.txt', 'w').close()\ntry:\n    os.stat('/proc/self/fd')\n    s = 'ok'\nexcept OSError as e:\n    s = e.errno\nprint(sorted(os.listdir('/')), s)";

describe('system entries at the root', () => {
  it('are hidden by default', async () => {
    const { stdout } = await (await device()).exec(PROBE);
    expect(stdout.toString().trim()).toBe("['mine.txt'] 1");
  });

  it('are listed on request, with /proc/self/fd refusing stat with EPERM', async () => {
    const { stdout } = await (await device(true)).exec(PROBE);
    expect(stdout.toString().trim()).toBe("['dev', 'mine.txt', 'proc'] 1");
  });
});
