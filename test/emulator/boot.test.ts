// What opening the emulated board is: a power-on runs boot.py and main.py, a
// connect finds the board idle at its prompt, a safe boot skips the scripts;
// and a main.py that disables Ctrl-C and never ends cannot brick it.
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { StartKind } from '../../src/emulator/options.js';
import { tempDir } from '../helpers/boards.js';

/** A flash whose boot.py and main.py each append a letter to /runs. */
function countingFlash(): string {
  const flash = join(tempDir(), 'flash');
  mkdirSync(flash);
  writeFileSync(join(flash, 'boot.py'), "with open('/runs', 'a') as f:\n    f.write('b')\n");
  writeFileSync(join(flash, 'main.py'), "with open('/runs', 'a') as f:\n    f.write('m')\n");
  return flash;
}
const runs = (flash: string) => (existsSync(join(flash, 'runs')) ? readFileSync(join(flash, 'runs'), 'utf8') : '');

async function session(flash: string, start: StartKind, work: (device: Device, board: EmulatorTransport) => Promise<void> = async () => undefined) {
  const board = await EmulatorTransport.open({ dir: flash, start });
  try {
    const device = await Device.over(board, { timeoutMs: 2500 });
    await work(device, board);
  } finally {
    await board.close();
  }
}

describe('starting the emulated board', () => {
  it('runs boot.py and main.py on power-on only', async () => {
    const flash = countingFlash();
    await session(flash, 'connect');
    expect(runs(flash)).toBe('');
    await session(flash, 'safe-boot');
    expect(runs(flash)).toBe('');
    await session(flash, 'power-on');
    expect(runs(flash)).toBe('bm');
  });

  it('treats a hard reset as a power-on, unless the safe-boot button is held', async () => {
    const flash = countingFlash();
    await session(flash, 'connect', (device) => device.hardReset());
    expect(runs(flash)).toBe('bm');
    await session(flash, 'connect', async (device, board) => {
      board.holdSafeBoot();
      await device.hardReset();
    });
    expect(runs(flash)).toBe('bm');
  });

  it('cannot be bricked by a main.py that disables Ctrl-C and loops: connecting finds it idle', async () => {
    const flash = join(tempDir(), 'flash');
    mkdirSync(flash);
    writeFileSync(join(flash, 'main.py'), "import micropython\nmicropython.kbd_intr(-1)\nopen('/locked', 'w').close()\nwhile True:\n    pass\n");
    // Powered on, the board is lost in main.py, as hardware would be.
    const board = await EmulatorTransport.open({ dir: flash, start: 'power-on' });
    try {
      await vi.waitFor(() => expect(existsSync(join(flash, 'locked'))).toBe(true), { timeout: 20_000 });
      await expect(Device.over(board, { timeoutMs: 2500 })).rejects.toBeDefined();
    } finally {
      await board.close();
    }
    // A connect (what every belay command does) reaches the prompt: remove main.py.
    await session(flash, 'connect', async (device) => {
      await device.exec("import os\nos.remove('/main.py')");
    });
    expect(existsSync(join(flash, 'main.py'))).toBe(false);
    await session(flash, 'power-on');
  });
});
