// The fs helpers stay in the board's raw REPL globals between sessions
// (until a reset). A later session whose code is the same version takes
// them over without sending them again; a copy of another version is
// removed and replaced, never used; after a soft reset they are sent anew.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { groupNames, groupVersion, HELPER_GROUPS, installPrograms, removalProgram, type HelperGroup } from '../../src/device/fs/board-code.js';
import { cleanup, tempDir } from './helpers.js';

const opened: Array<{ board: EmulatorTransport; flash: string }> = [];
afterEach(async () => {
  for (const { board, flash } of opened.splice(0)) {
    await board.close();
    cleanup(flash);
  }
});

async function board() {
  const flash = tempDir('flash');
  const transport = await EmulatorTransport.open({ dir: flash, runMain: false });
  opened.push({ board: transport, flash });
  return { transport, flash };
}

/** Bytes sent to the board by `work`. */
async function sentBy(device: Device, work: () => Promise<unknown>): Promise<number> {
  const before = device.transport.wire.sent;
  await work();
  return device.transport.wire.sent - before;
}

// These tests are about the helpers in the board's heap: without the copies on
// flash (helper-cache.test.ts), a helper the heap lacks is sent as source.
const NO_COPIES = { fs: { helperCache: false } };

const helperBytes = installPrograms(['base', 'write', 'frames', 'upload']).join('').length;
const content = Buffer.from('print("hello")\n');

describe('fs helpers across sessions on one board', () => {
  it('a second session takes them over and sends none of them', async () => {
    const { transport, flash } = await board();
    const first = await Device.over(transport, NO_COPIES);
    expect(first.capabilities.helpers).toEqual({});
    expect(await sentBy(first, () => first.fs.write('/a.py', content))).toBeGreaterThan(helperBytes);
    const second = await Device.over(transport, NO_COPIES);
    expect(second.capabilities.helpers).toMatchObject({ base: groupVersion('base'), write: groupVersion('write') });
    expect(await sentBy(second, () => second.fs.write('/b.py', content))).toBeLessThan(helperBytes / 4);
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
  });

  it('a copy of another version is removed and sent anew, never used', async () => {
    const { transport, flash } = await board();
    const first = await Device.over(transport, NO_COPIES);
    await first.fs.write('/a.py', content);
    // What an older belay would have left: its own marker, and a helper that does something else.
    await first.exec("_bv_write = 'an older version'\ndef _bcommit(j, jnl):\n    raise RuntimeError('the old helper ran')\n");
    const second = await Device.over(transport, NO_COPIES);
    expect(second.capabilities.helpers.write).toBe('an older version');
    expect(await sentBy(second, () => second.fs.write('/b.py', content))).toBeGreaterThan(installPrograms(['write']).join('').length);
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
    const third = await Device.over(transport, NO_COPIES);
    expect(third.capabilities.helpers.write).toBe(groupVersion('write'));
  });

  it('after a soft reset they are gone, and sent again', async () => {
    const { transport, flash } = await board();
    const first = await Device.over(transport, NO_COPIES);
    await first.fs.write('/a.py', content);
    await first.softReset();
    const second = await Device.over(transport, NO_COPIES);
    expect(second.capabilities.helpers).toEqual({});
    expect(await sentBy(second, () => second.fs.write('/b.py', content))).toBeGreaterThan(helperBytes);
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
  });
});

describe('a board with room and a program of the user\'s', () => {
  it('after a named run has cleared the kept helpers, the next file call sends them again without first failing on them', async () => {
    const { transport, flash } = await board();
    let heard = '';
    const device = await Device.over(transport, { log: (direction, bytes) => (heard += direction === 'receive' ? Buffer.from(bytes).toString('latin1') : '') });
    await device.fs.write('/a.py', content);
    await device.exec('pass', { filename: 'user.py' });
    heard = '';
    await device.fs.write('/b.py', content);
    expect(heard).not.toContain('NameError');
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
  });
});

describe('a small board (32 KiB) and a program of the user\'s', () => {
  const LOOK = "print(' '.join(sorted(k for k in globals() if k[:2] in ('_b', '_B') and k not in ('_belay_run', '_belay_probe'))))";

  it('a named run and a launch start only after the session\'s helpers are removed', async () => {
    const flash = tempDir('flash');
    const transport = await EmulatorTransport.open({ dir: flash, runMain: false, heapSize: 32 * 1024 });
    opened.push({ board: transport, flash });
    const device = await Device.over(transport);
    await device.fs.write('/a.py', content);
    expect((await device.exec(LOOK, { filename: 'look.py' })).stdout.trim()).toBe('');
    await device.fs.write('/b.py', content); // the helpers come back for it
    await device.launch('import time\nwhile True:\n    time.sleep_ms(5)\n', { filename: 'loop.py' });
    // The next session stops the loop; what the loop ran beside is what it finds.
    const next = await Device.over(transport, { probe: false });
    expect((await next.exec(LOOK)).stdout.trim()).toBe('');
    expect(readFileSync(join(flash, 'b.py')).equals(content)).toBe(true);
  });
});

describe('the names a helper group defines', () => {
  /** The board's helper-like globals (names starting _b or _B). */
  async function helperGlobals(device: Device): Promise<string[]> {
    const { stdout } = await device.exec("print(' '.join(sorted(k for k in globals() if k[:2] in ('_b', '_B'))))");
    return stdout.split(/\s+/).filter(Boolean);
  }

  it('are every global its code leaves on the board, so a stale version is removed whole', async () => {
    const { transport } = await board();
    const device = await Device.over(transport, { probe: false });
    const groups = Object.keys(HELPER_GROUPS) as HelperGroup[];
    let seen: string[] = [];
    for (const group of groups) {
      for (const program of installPrograms([group])) await device.exec(program);
      const now = await helperGlobals(device);
      const added = now.filter((name) => !seen.includes(name));
      expect(added.length).toBeGreaterThan(0);
      expect(groupNames(group), group).toEqual(expect.arrayContaining(added));
      seen = now;
    }
    await device.exec(removalProgram(groups));
    expect(await helperGlobals(device)).toEqual([]);
  });
});
