/**
 * A host that dies mid-upload while the board stays powered (a UART-bridge
 * board, or `belay emulator serve`) leaves the board's receiver blocked in
 * the middle of a frame with Ctrl-C disabled. The next host must still get
 * in, and the half-received temp file must be gone. The same for a host
 * that dies while it sends a program in raw-paste mode.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { pyCall } from '../../src/device/fs/board-code.js';
import { frameHeader } from '../../src/device/fs/frames.js';
import { SerialTransport } from '../../src/transport/serial.js';
import { servePty } from '../../src/emulator/pty-bridge.js';
import { describeWithSocat } from '../helpers/socat.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { tempDir } from '../helpers/boards.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

describeWithSocat('a host that dies mid-transfer', () => {
  it('leaves a receiver the next host can stop, and no temp file behind', async () => {
    const flash = join(tempDir(), 'flash');
    const board = await EmulatorTransport.open({ dir: flash, runMain: false });
    closers.push(() => board.close());
    const bridge = await servePty(board, join(tempDir('belay-pty-'), 'board'));
    closers.push(() => bridge.close());

    const first = await SerialTransport.open(bridge.link);
    const dying = await Device.over(first);
    await dying.fs.write('/warm.txt', Buffer.from('x')); // installs the write helpers and the receiver
    const started = new Promise<void>((ready) => {
      void dying
        .execInteractive(pyCall('_bup', '/.belay-tmp-big', '/big', 1500, 256, false, 0), async (io) => {
          await io.read(1, 'the receiver to start');
          // half a frame, then the host is gone
          await io.write(frameHeader(1500));
          await io.write(new Uint8Array(700).fill(0x41));
          ready();
          await new Promise(() => undefined);
        })
        .catch(() => undefined);
    });
    await started;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(join(flash, '.belay-tmp-big'))).toBe(true);
    await first.close();

    const second = await SerialTransport.open(bridge.link);
    closers.push(() => second.close());
    const device = await Device.over(second);
    expect((await device.exec('print(6*7)')).stdout.toString().trim()).toBe('42');
    expect(readdirSync(flash).filter((name) => name.includes('big'))).toEqual([]);
  });
});

describe('a host that dies mid raw-paste', () => {
  it('leaves a board whose next host gets in (Ctrl-C ends the pasted input)', async () => {
    const flash = join(tempDir(), 'flash');
    const board = await EmulatorTransport.open({ dir: flash, runMain: false });
    closers.push(() => board.close());
    let heard = '';
    const stop = board.onData((chunk) => (heard += Buffer.from(chunk).toString('latin1')));
    const until = async (text: string) => {
      while (!heard.includes(text)) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await board.write(Buffer.from('\r\x03\x03\r\x01', 'latin1'));
    await until('raw REPL; CTRL-B to exit');
    await board.write(Buffer.from('\x05A\x01', 'latin1'));
    await until('R\x01');
    // Half a program, then the host is gone: the board waits for the rest.
    await board.write(Buffer.from("open('/half', 'w').write('x')\nprint(", 'utf8'));
    stop();

    const device = await Device.over(board, { timeoutMs: 2500 });
    expect((await device.exec('print(6*7)')).stdout.toString().trim()).toBe('42');
    expect(existsSync(join(flash, 'half'))).toBe(false);
  });
});
