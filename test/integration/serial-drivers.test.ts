/**
 * Both ways of driving a serial port (transport/serial-port.ts): the native
 * addon driven directly (the default on Linux) and serialport's stream (the
 * default elsewhere), each over a real pty with the emulated board behind
 * it: bytes arrive intact both ways in volume, the port is exclusive, a
 * write while the port closes fails at once instead of hanging, and a board
 * whose side of the link goes away is LINK_LOST.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { servePty, type PtyBridge } from '../../src/emulator/pty-bridge.js';
import { SerialTransport, type SerialDriver } from '../../src/transport/serial.js';
import { failure, tempDir } from '../helpers/boards.js';
import { describeWithSocat } from '../helpers/socat.js';

const DRIVERS: SerialDriver[] = ['native', 'stream'];
const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close().catch(() => undefined);
});

async function servedBoard(): Promise<{ bridge: PtyBridge; flash: string }> {
  const flash = join(tempDir(), 'flash');
  const board = await EmulatorTransport.open({ runMain: false, dir: flash, link: 'usb' });
  open.push(board);
  const bridge = await servePty(board, join(tempDir('belay-pty-'), 'board'));
  open.push(bridge);
  return { bridge, flash };
}

async function serial(link: string, driver: SerialDriver): Promise<SerialTransport> {
  const transport = await SerialTransport.open(link, undefined, { driver });
  open.push(transport);
  return transport;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

for (const driver of DRIVERS) describeWithSocat(`a serial port driven by ${driver}`, () => {
  it('carries a board conversation both ways: 1 MiB printed, 256 KiB uploaded', { timeout: 120_000 }, async () => {
    const { bridge, flash } = await servedBoard();
    const device = await Device.over(await serial(bridge.link, driver));
    const { stdout } = await device.exec("for i in range(16384):\n    print('%063d' % i)");
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(16384);
    expect(lines[16383]).toBe(String(16383).padStart(63, '0'));
    const data = randomBytes(256 * 1024);
    await device.fs.write('/blob.bin', data);
    expect(sha256(readFileSync(join(flash, 'blob.bin')))).toBe(sha256(data));
    const { data: back } = await device.fs.read('/blob.bin');
    expect(sha256(back!)).toBe(sha256(data));
  });

  it('is exclusive: a second open, by either driver, is PORT_BUSY', async () => {
    const { bridge } = await servedBoard();
    const first = await serial(bridge.link, driver);
    for (const other of DRIVERS) expect((await failure(SerialTransport.open(bridge.link, undefined, { driver: other }))).code).toBe('PORT_BUSY');
    expect((await Device.over(first, { probe: false }).then((device) => device.exec('print(5)'))).stdout).toBe('5\n');
  });

  // The native driver only: serialport's own stream asks its poller for one
  // kind of event at a time, so there a write that waits for room can hold
  // reads back until it completes.
  it.runIf(driver === 'native')('reads what the board prints while a write waits for room', { timeout: 60_000 }, async () => {
    const { bridge } = await servedBoard();
    const transport = await serial(bridge.link, driver);
    let seen = '';
    transport.onData((chunk) => (seen += Buffer.from(chunk).toString('latin1')));
    // A program that prints for a while and reads nothing: the board's
    // buffer, the bridge and the pty fill up, and the host's write waits.
    await transport.write(Buffer.from('\r\x03\x03\x01'));
    await transport.write(Buffer.from("import time\nfor i in range(40):\n print('tick', i)\n time.sleep_ms(25)\n\x04"));
    let written = false;
    const flooding = transport.write(Buffer.alloc(256 * 1024, 0x20)).then(() => (written = true));
    while (!seen.includes('tick 39')) await new Promise((resolve) => setTimeout(resolve, 10));
    // Every line arrived before the board read any of the flood.
    expect(written).toBe(false);
    await transport.write(Buffer.from('\x03'));
    await transport.close();
    await flooding.catch(() => undefined);
  });

  it('refuses a write while it closes (LINK_LOST), and closes', async () => {
    const { bridge } = await servedBoard();
    const transport = await serial(bridge.link, driver);
    const closing = transport.close();
    expect((await failure(transport.write(Buffer.from('\r\x03')))).code).toBe('LINK_LOST');
    await closing;
    expect(transport.closed).toBe(true);
  });

  it('is LINK_LOST when the far side of the link goes away', async () => {
    const { bridge } = await servedBoard();
    const transport = await serial(bridge.link, driver);
    const device = await Device.over(transport, { probe: false, timeoutMs: 60_000 });
    const running = failure(device.exec('import time\ntime.sleep(30)'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await bridge.close();
    expect((await running).code).toBe('LINK_LOST');
    expect(transport.closed).toBe(true);
  });
});
