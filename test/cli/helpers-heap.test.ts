// What belay leaves in the board's RAM between commands, run as a user runs
// it over a pseudo-terminal. Its helpers live in the raw REPL's globals: a
// board with heap to spare keeps them (the next command need not send them
// again), but `belay run` clears them first, so the user's program gets the
// heap and sees none of belay's names; a small board (32 KiB, an ESP8266's
// heap) has them removed at the end of every command. The user's own
// globals are never touched.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { servePty, type PtyBridge } from '../../src/emulator/pty-bridge.js';
import { runBelay } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';
import { tempDir } from '../helpers/boards.js';

/** Free heap after a collection, and belay's names in the globals (not the run wrapper's, nor the emulator's own module). */
const LOOK = "import gc\ngc.collect()\nprint(gc.mem_free(), sorted(k for k in globals() if k.startswith('_b') and k not in ('_belay_run', '_belay_probe', '_buser')), '_buser' in globals())";

function boardOnPty(heapSize: number) {
  const cwd = mkdtempSync(join(tmpdir(), 'belay-helpers-heap-'));
  writeFileSync(join(cwd, 'main.py'), 'x = 1\n'.repeat(300));
  writeFileSync(join(cwd, 'look.py'), `${LOOK}\n`);
  const state: { board?: EmulatorTransport; bridge?: PtyBridge } = {};
  beforeAll(async () => {
    state.board = await EmulatorTransport.open({ dir: join(tempDir('belay-helpers-heap-flash-'), 'flash'), heapSize, announceRxBuffer: false, runMain: false });
    state.bridge = await servePty(state.board, join(tempDir('belay-helpers-heap-pty-'), 'board'));
  });
  afterAll(async () => {
    await state.bridge?.close();
    await state.board?.close();
  });
  const belay = async (...args: string[]) => {
    const run = await runBelay(cwd, ['--port', state.bridge!.link, ...args]);
    expect(run.code, `belay ${args.join(' ')}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const look = async (how: 'exec' | 'run' = 'exec') => {
    const [free, names, user] = (how === 'exec' ? await belay('exec', LOOK) : await belay('run', 'look.py')).trim().split(/ (?=\[)|(?<=\]) /);
    return { free: Number(free), names: names!, userKept: user === 'True' };
  };
  return { belay, look };
}

describeWithSocat('belay helpers on a board with heap to spare (192 KiB)', () => {
  const { belay, look } = boardOnPty(192 * 1024);

  it('stay after a put, are cleared by run (the user\'s globals are not), and come back with the next put', async () => {
    const fresh = await look();
    expect(fresh.names).toBe('[]');
    await belay('exec', '_buser = 7');
    await belay('put', 'main.py', '/main.py');
    const kept = await look();
    expect(kept.names).toContain("'_bput'");
    expect(kept.names).toContain("'_bv_base'");
    const running = await look('run');
    expect(running.names).toBe('[]');
    expect(running.userKept).toBe(true);
    // The helpers took several KB; run gave them back (interned names stay: a few KB MicroPython never frees).
    expect(running.free).toBeGreaterThan(kept.free + 6 * 1024);
    await belay('put', 'main.py', '/again.py');
    expect((await look()).names).toContain("'_bput'");
    expect(await belay('cat', '/again.py')).toBe('x = 1\n'.repeat(300));
    // This time they came from their copies on flash, by the loader, which notes what it loads itself: run clears them just the same.
    expect((await look('run')).names).toBe('[]');
  });
}, { timeout: 120_000 });

describeWithSocat('belay helpers on a 32 KiB board', () => {
  const { belay, look } = boardOnPty(32 * 1024);

  it('are removed at the end of each command, leaving the user\'s globals', async () => {
    const fresh = await look();
    await belay('exec', '_buser = 7');
    await belay('put', 'main.py', '/main.py');
    const after = await look();
    expect(after.names).toBe('[]');
    expect(after.userKept).toBe(true);
    // Within what MicroPython keeps of any program it ran (interned names): the helpers' code itself is gone.
    expect(after.free).toBeGreaterThan(fresh.free - 6 * 1024);
    await belay('put', 'main.py', '/again.py');
    expect(await belay('cat', '/again.py')).toBe('x = 1\n'.repeat(300));
    expect((await look()).names).toBe('[]');
  });
}, { timeout: 120_000 });
