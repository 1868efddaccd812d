// The upload window as a user sets it, against a board as opaque as a
// UART bridge: a 256-byte receive buffer that drops what overflows and no
// word about its size, served on a pseudo-terminal (an unknown link). By
// default belay keeps 256 bytes in flight and loses nothing; a larger
// `--window` or belay.yaml `device.window` reaches the upload (the board
// drops bytes and nothing is committed); a window out of range is refused
// before anything is sent. --verbose says which window was chosen.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { servePty, type PtyBridge } from '../../src/emulator/pty-bridge.js';
import { runBelay } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';
import { tempDir } from '../helpers/boards.js';

describeWithSocat('the upload window from the command line and belay.yaml', () => {
  let board: EmulatorTransport;
  let bridge: PtyBridge;
  let flash: string;
  const cwd = mkdtempSync(join(tmpdir(), 'belay-window-cli-'));
  const data = randomBytes(48 * 1024); // incompressible: sent as it is
  writeFileSync(join(cwd, 'blob.bin'), data);

  beforeAll(async () => {
    flash = join(tempDir('belay-window-flash-'), 'flash');
    board = await EmulatorTransport.open({ dir: flash, rxBuffer: 256, announceRxBuffer: false, runMain: false, link: 'uart' });
    bridge = await servePty(board, join(tempDir('belay-window-pty-'), 'board'));
  });
  afterAll(async () => {
    await bridge?.close();
    await board?.close();
  });

  const put = (target: string, ...args: string[]) => runBelay(cwd, [...args, 'put', 'blob.bin', target]);

  it('by default loses no byte (and --verbose says the window)', async () => {
    const run = await put('/default.bin', '--port', bridge.link, '--verbose');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/upload window 256 bytes/);
    expect(board.droppedBytes).toBe(0);
    expect(readFileSync(join(flash, 'default.bin')).equals(data)).toBe(true);
  });

  it('--window larger than the buffer overflows it, and nothing is committed', async () => {
    const run = await put('/wide.bin', '--port', bridge.link, '--window', '4096');
    expect(run.code).toBe(1);
    expect(board.droppedBytes).toBeGreaterThan(0);
    expect(existsSync(join(flash, 'wide.bin'))).toBe(false);
  });

  it('device.window in belay.yaml reaches the upload too, and --window wins over it', async () => {
    const dropped = board.droppedBytes;
    writeFileSync(join(cwd, 'belay.yaml'), `device:\n  port: ${JSON.stringify(bridge.link)}\n  window: 4096\n`);
    const wide = await put('/config.bin');
    expect(wide.code).toBe(1);
    expect(board.droppedBytes).toBeGreaterThan(dropped);
    expect(existsSync(join(flash, 'config.bin'))).toBe(false);
    const narrowed = board.droppedBytes;
    const overridden = await put('/config.bin', '--window', '256');
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(board.droppedBytes).toBe(narrowed);
    expect(readFileSync(join(flash, 'config.bin')).equals(data)).toBe(true);
  });

  it('refuses a window out of range before sending anything', async () => {
    const before = board.wire.sent;
    const tiny = await put('/tiny.bin', '--port', bridge.link, '--window', '16');
    expect(tiny.code).toBe(2); // a usage error
    expect(tiny.stderr).toContain('[USAGE]');
    writeFileSync(join(cwd, 'belay.yaml'), `device:\n  port: ${JSON.stringify(bridge.link)}\n  window: 16\n`);
    const invalid = await put('/tiny.bin');
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('[CONFIG_SCHEMA]');
    expect(board.wire.sent).toBe(before);
  });
}, { timeout: 180_000 });
