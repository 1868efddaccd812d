/**
 * Deadlines and aborts against real (emulated) boards, in-process and over a
 * pty: an aborted call rejects before the board is done, the session
 * resynchronises for the next call, a wall-clock limit holds against a
 * program that keeps printing, and connecting to a board that talks without
 * end and ignores Ctrl-C gives up with NOT_RAW_REPL.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { LINKS, boardPool, failure, tempDir, type TestBoard } from '../helpers/boards.js';

const boards = boardPool();
const board = boards.open;
afterEach(boards.closeAll);

/** Resolves once the board has printed `text` (read off the link before any session starts). */
function printed(b: TestBoard, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const off = b.transport.onData((chunk) => {
      seen += Buffer.from(chunk).toString('latin1');
      if (seen.includes(text)) {
        off();
        resolve();
      }
    });
  });
}

/**
 * A program Ctrl-C cannot stop: it disables the interrupt, waits longer than
 * belay's first try at the raw REPL (so belay asks twice, and the board
 * answers both late), then leaves a mark on the flash.
 */
const UNSTOPPABLE = "import micropython, time\nmicropython.kbd_intr(-1)\ntime.sleep(3)\nopen('/ended','w').close()\nprint('ended')";

describe.each(LINKS)('deadlines over %s link', (link) => {
  it('an aborted exec rejects before the board is done, and the next call works', async () => {
    const b = await board(link);
    const device = await Device.over(b.transport);
    const aborted = await failure(device.exec(UNSTOPPABLE, { signal: AbortSignal.timeout(300) }));
    expect(aborted.code).toBe('ABORTED');
    // Rejected while the board was still busy: its program had not ended yet.
    expect(existsSync(join(b.flash, 'ended'))).toBe(false);
    // The session resynchronised behind the scenes: no stale byte is taken for an answer.
    expect((await device.exec('print(6*7)')).stdout.toString().trim()).toBe('42');
    expect(existsSync(join(b.flash, 'ended'))).toBe(true);
    expect((await device.exec('print(1+1)')).stdout.toString().trim()).toBe('2');
  });

  it('an exec aborted while its code is still being sent runs none of it', async () => {
    const b = await board(link, { baud: 115200 });
    const device = await Device.over(b.transport);
    // The first line alone would compile and run; the rest takes seconds to send at 115200.
    const code = `open('/ran','w').close()\n#${'x'.repeat(60_000)}\nprint('all sent')`;
    const aborted = await failure(device.exec(code, { signal: AbortSignal.timeout(500) }));
    expect(aborted.code).toBe('ABORTED');
    expect((await device.exec('print(5)')).stdout.toString().trim()).toBe('5');
    expect(existsSync(join(b.flash, 'ran'))).toBe(false);
  });

  it('timeoutMs is a wall-clock limit, even for a program that keeps printing', async () => {
    const b = await board(link);
    const device = await Device.over(b.transport, { timeoutMs: 5000 });
    const chatty = 'import time\nfor i in range(40):\n    print(i)\n    time.sleep_ms(100)\nprint("finished")';
    const timedOut = await failure(device.exec(chatty, { timeoutMs: 1000 }));
    expect(timedOut.code).toBe('TIMEOUT');
    expect(timedOut.data.deadline).toBe(true);
    expect((await device.exec('print(3*3)')).stdout.toString().trim()).toBe('9');
  });
});

describe.each(LINKS)('connecting over %s link', (link) => {
  it('gives up with NOT_RAW_REPL when the board prints without end and ignores Ctrl-C', async () => {
    const dir = join(tempDir(), 'flash');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.py'), "import micropython, time\nmicropython.kbd_intr(-1)\nwhile True:\n    print('busy')\n    time.sleep_ms(50)\n");
    const b = await board(link, { dir, runMain: true });
    await printed(b, 'busy'); // past kbd_intr(-1): a Ctrl-C earlier would still stop it
    const err = await failure(Device.over(b.transport, { timeoutMs: 1500 }));
    expect(err.code).toBe('NOT_RAW_REPL');
    // The hint names a way out that does not need the raw REPL.
    expect(err.hint).not.toMatch(/belay reset/);
  });
});
