/**
 * Ctrl-C on the emulated board leaves nothing behind, as pyexec ensures on
 * a real board: each KeyboardInterrupt starts with a fresh traceback, and a
 * Ctrl-C that arrives while an interrupted program is still ending does not
 * interrupt the next one, even when the host's store of it lands after the
 * program ended (its thread saw the program running, then lost the CPU).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { boardPool, failure, type TestBoard } from '../helpers/boards.js';

const boards = boardPool();
afterEach(boards.closeAll);

/** Resolves once the board has printed `text`. */
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

/** Runs a loop in a function named `name` and interrupts it with Ctrl-C: the board's error. */
async function interrupted(b: TestBoard, device: Device, name: string) {
  const started = printed(b, `${name} started`);
  const running = failure(device.exec(`def ${name}():\n    print('${name} started')\n    while True:\n        pass\n${name}()\n`));
  await started;
  await b.transport.write(Uint8Array.of(0x03, 0x03, 0x03));
  return running;
}

describe('interrupt state on the emulated board', () => {
  it('each KeyboardInterrupt has its own traceback, and no stray Ctrl-C reaches the next program', async () => {
    const b = await boards.open('in-process');
    const device = await Device.over(b.transport);
    const first = await interrupted(b, device, 'first_loop');
    expect(first.data).toMatchObject({ type: 'KeyboardInterrupt' });
    expect(first.data.traceback).toContain('first_loop');
    const second = await interrupted(b, device, 'second_loop');
    expect(second.data).toMatchObject({ type: 'KeyboardInterrupt' });
    expect(second.data.traceback).toContain('second_loop');
    expect(second.data.traceback).not.toContain('first_loop');
    // Loops check for pending Ctrl-C on every turn: nothing is pending now.
    expect((await device.exec('n = 0\nfor i in range(20000):\n    n += 1\nprint(n)')).stdout.trim()).toBe('20000');
  });

  it('a Ctrl-C the host stored after the program it saw running had ended interrupts nothing later', async () => {
    const b = await boards.open('in-process');
    const device = await Device.over(b.transport, { probe: false });
    await device.exec('pass');
    // What a host thread does that saw a program running, then lost the CPU
    // until the program had ended: it stores the pending Ctrl-C anyway.
    const { interrupt } = b.board as unknown as { interrupt: { memory: Int32Array; words: Array<[number, number]> } };
    for (const [index, value] of interrupt.words) Atomics.store(interrupt.memory, index, value);
    expect((await device.exec('n = 0\nfor i in range(20000):\n    n += 1\nprint(n)')).stdout.trim()).toBe('20000');
  });
});
