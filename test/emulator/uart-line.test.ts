/**
 * The emulated UART keeps its line busy while the host has bytes for it, as
 * a real one does (the host's tty buffer and the bridge's FIFO feed it back
 * to back). A write joins the line's queue at once instead of waiting for
 * the previous one to be delivered, and the pty bridge reads on while the
 * line is busy. Otherwise every write left the line idle for a moment and a
 * credit-controlled upload at 115200 looked ~10% slower than a real link.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { servePty } from '../../src/emulator/pty-bridge.js';
import { SerialTransport } from '../../src/transport/serial.js';
import { tempDir } from '../helpers/boards.js';
import { describeWithSocat } from '../helpers/socat.js';

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close().catch(() => undefined);
});

async function uartBoard(baud: number): Promise<EmulatorTransport> {
  const board = await EmulatorTransport.open({ runMain: false, dir: join(tempDir(), 'flash'), baud, link: 'uart' });
  open.push(board);
  return board;
}

/** Bytes written to the board that it has already received. */
const delivered = (board: EmulatorTransport) => board.bytesToBoard - board.bytesOnTheLine;

it('a second write joins the line while the first is still on it', async () => {
  const board = await uartBoard(1200);
  // Bytes a sleeping REPL just echoes; at 1200 baud 100 of them take ~0.8 s.
  const first = board.write(Buffer.alloc(100, 0x20));
  const second = board.write(Buffer.alloc(100, 0x20));
  // An idle line has sent one byte at once; the other 199 wait for it, together.
  expect(board.bytesOnTheLine).toBe(199);
  await Promise.all([first, second]);
  expect(board.bytesOnTheLine).toBe(0);
});

describeWithSocat('a UART board served on a pty', () => {
  it('takes the writer’s next bytes while earlier ones are still on the line', { timeout: 30_000 }, async () => {
    const board = await uartBoard(1200);
    const bridge = await servePty(board, join(tempDir('belay-pty-'), 'board'));
    open.push(bridge);
    const host = await SerialTransport.open(bridge.link);
    open.push(host);
    // 300 bytes take 2.5 s on a 1200-baud line.
    await host.write(Buffer.alloc(300, 0x20));
    while (board.bytesToBoard < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    await host.write(Buffer.alloc(300, 0x20));
    // The second write reaches the line before the first is through it:
    // both wait on the line together.
    while (board.bytesToBoard < 600 && delivered(board) < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(delivered(board)).toBeLessThan(300);
    expect(board.bytesOnTheLine).toBeGreaterThan(300);
  });
});
