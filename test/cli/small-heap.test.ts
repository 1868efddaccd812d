// Every file command, run as a user runs it, on a board with the 32 KiB
// heap an ESP8266 has free (and, like real firmware, no word about its
// receive buffer), served on a pseudo-terminal.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { servePty, type PtyBridge } from '../../src/emulator/pty-bridge.js';
import { runBelay } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';
import { tempDir } from '../helpers/boards.js';

describeWithSocat('file commands on a 32 KiB heap', () => {
  let board: EmulatorTransport;
  let bridge: PtyBridge;
  let flash: string;
  const cwd = mkdtempSync(join(tmpdir(), 'belay-small-heap-cli-'));
  const blob = randomBytes(40 * 1024);
  const text = Buffer.from(Array.from({ length: 400 }, (_, i) => `def f${i}(x):\n    return x * ${i}\n`).join(''));
  writeFileSync(join(cwd, 'blob.bin'), blob);
  writeFileSync(join(cwd, 'main.py'), text);
  for (let i = 0; i < 40; i++) {
    mkdirSync(join(cwd, 'app', `pkg${i % 4}`), { recursive: true });
    writeFileSync(join(cwd, 'app', `pkg${i % 4}`, `m${i}.py`), `VALUE = ${i}\n`.repeat(i + 1));
  }

  beforeAll(async () => {
    flash = join(tempDir('belay-small-heap-flash-'), 'flash');
    board = await EmulatorTransport.open({ dir: flash, heapSize: 32 * 1024, announceRxBuffer: false, runMain: false });
    bridge = await servePty(board, join(tempDir('belay-small-heap-pty-'), 'board'));
  });
  afterAll(async () => {
    await bridge?.close();
    await board?.close();
  });

  const belay = async (...args: string[]) => {
    const run = await runBelay(cwd, ['--port', bridge.link, ...args]);
    expect(run.code, `belay ${args.join(' ')}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };

  it('put, put -r, ls, cat, hash, get, get -r, mkdir, rm, df all work', async () => {
    await belay('put', 'blob.bin', '/blob.bin');
    await belay('put', 'main.py', '/main.py'); // compressible text: deflated on this slow-looking link
    expect(readFileSync(join(flash, 'blob.bin')).equals(blob)).toBe(true);
    expect(readFileSync(join(flash, 'main.py')).equals(text)).toBe(true);
    await belay('put', '-r', 'app', '/app');
    const again = JSON.parse(await belay('put', '-r', 'app', '/app', '--json')) as { files: Array<{ action: string }> };
    expect(again.files.every((file) => file.action === 'skip')).toBe(true);
    const listing = JSON.parse(await belay('ls', '-r', '-l', '/', '--json')) as Array<{ path: string; kind: string }>;
    expect(listing.filter((entry) => entry.kind === 'file')).toHaveLength(42);
    expect(await belay('cat', '/main.py')).toBe(text.toString());
    expect(await belay('hash', '/main.py')).toContain(createHash('sha256').update(text).digest('hex'));
    await belay('get', '/blob.bin', 'back.bin');
    expect(readFileSync(join(cwd, 'back.bin')).equals(blob)).toBe(true);
    await belay('get', '-r', '/app', 'app-back');
    expect(readFileSync(join(cwd, 'app-back', 'pkg3', 'm39.py'), 'utf8')).toBe('VALUE = 39\n'.repeat(40));
    await belay('mkdir', '-p', '/data/logs/old');
    expect(existsSync(join(flash, 'data', 'logs', 'old'))).toBe(true);
    await belay('rm', '/blob.bin');
    await belay('rm', '-r', '/app');
    expect(existsSync(join(flash, 'app'))).toBe(false);
    expect(existsSync(join(flash, 'blob.bin'))).toBe(false);
    const df = JSON.parse(await belay('df', '--json')) as { size: number };
    expect(df.size).toBeGreaterThan(0);
  });
}, { timeout: 240_000 });
