// A lone write (belay put of one file) is one board program when the
// helpers are on the board, and two when they must be sent first: the board
// looks at the target (which file `into` means, whether it already holds
// the same bytes, how the name comes out, free space) and the host skips,
// refuses or streams the upload into that same program. Every refusal
// still comes before a byte of the file is sent, and leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { cleanup, programsRunBy, randomPayload, tempDir } from './helpers.js';

/** Programs, bytes sent to the board and the outcome (the result, or the error's code and errno) of `work`. */
async function run(board: EmulatorTransport, device: Device, work: () => Promise<unknown>) {
  const sentBefore = device.transport.wire.sent;
  let outcome: unknown;
  const programs = await programsRunBy(board, async () => {
    outcome = await work().catch((err: { code?: string; data?: { errnoName?: string } }) => ({ code: err.code, errno: err.data?.errnoName }));
  });
  return { programs, sent: device.transport.wire.sent - sentBefore, outcome };
}

describe.each(['littlefs', 'fat'] as const)('a lone write on %s with the helpers on the board', (filesystem) => {
  let board: EmulatorTransport;
  let device: Device;
  const flash = tempDir('flash');
  const data = randomPayload(20_000);
  const read = (...path: string[]) => readFileSync(join(flash, ...path));

  beforeAll(async () => {
    board = await EmulatorTransport.open({ dir: flash, runMain: false, filesystem, flashSize: 256 * 1024 });
    device = await Device.over(board, { fs: { helperCache: false } });
    await device.fs.write('/warm.txt', Buffer.from('helpers in place\n'));
  });
  afterAll(async () => {
    await board?.close();
    cleanup(flash);
  });

  it('writes, replaces and skips an unchanged file in one program each', async () => {
    expect(await run(board, device, () => device.fs.write('/a.bin', data))).toMatchObject({ programs: 1, outcome: { path: '/a.bin', bytes: data.length } });
    expect(read('a.bin').equals(data)).toBe(true);
    // Unchanged: the board hashes its file and ends the program; nothing of the file goes.
    const same = await run(board, device, () => device.fs.write('/a.bin', data, { skipUnchanged: true }));
    expect(same).toMatchObject({ programs: 1, outcome: { skipped: true, bytes: 0, path: '/a.bin' } });
    expect(same.sent).toBeLessThan(1000);
    // The same size with other bytes, and another size: sent, in one program.
    const sameSize = randomPayload(data.length);
    expect(await run(board, device, () => device.fs.write('/a.bin', sameSize, { skipUnchanged: true }))).toMatchObject({ programs: 1, outcome: { bytes: data.length } });
    expect(read('a.bin').equals(sameSize)).toBe(true);
    expect(await run(board, device, () => device.fs.write('/a.bin', data.subarray(0, 5000), { skipUnchanged: true }))).toMatchObject({ programs: 1, outcome: { bytes: 5000 } });
    expect(read('a.bin').equals(data.subarray(0, 5000))).toBe(true);
  });

  it('goes into a folder the board has, or is told to make, in one program', async () => {
    await device.fs.mkdir('/lib');
    const into = (path: string, name: string, always = false) => run(board, device, () => device.fs.write(path, data, { into: { name, always } }));
    expect(await into('/lib', 'x.py')).toMatchObject({ programs: 1, outcome: { path: '/lib/x.py' } });
    expect(await into('/plain.py', 'x.py')).toMatchObject({ programs: 1, outcome: { path: '/plain.py' } });
    expect(await into('/', 'root.py')).toMatchObject({ programs: 1, outcome: { path: '/root.py' } });
    expect(await into('/made/deep', 'y.py', true)).toMatchObject({ programs: 1, outcome: { path: '/made/deep/y.py' } });
    for (const path of [['lib', 'x.py'], ['plain.py'], ['root.py'], ['made', 'deep', 'y.py']]) expect(read(...path).equals(data), path.join('/')).toBe(true);
  });

  it('refuses from that one program, before a byte of the file is sent, and leaves nothing behind', async () => {
    await device.fs.write('/keep.py', Buffer.from('keep me'));
    await device.fs.mkdir('/folder');
    const refusals: Array<[string, () => Promise<unknown>, { code: string; errno?: string }]> = [
      ['a file where a folder is meant', () => device.fs.write('/keep.py', data, { into: { name: 'x.py', always: true } }), { code: 'FS_ERROR', errno: 'ENOTDIR' }],
      ['a folder where a file is meant', () => device.fs.write('/folder', data), { code: 'FS_ERROR', errno: 'EISDIR' }],
      ['a name the folder the board chose cannot have', () => device.fs.write('/folder', data, { into: { name: 'tab\there.py' } }), { code: 'PATH_INVALID' }],
      ['no room on the flash', () => device.fs.write('/huge.bin', randomPayload(300 * 1024)), { code: 'NO_SPACE' }],
    ];
    if (filesystem === 'fat') {
      refusals.push(['a name FAT folds onto another file', () => device.fs.write('/KEEP.PY', data), { code: 'PATH_INVALID' }]);
      refusals.push(['a name FAT cannot hold', () => device.fs.write('/what?.py', data), { code: 'PATH_INVALID' }]);
    }
    for (const [what, work, error] of refusals) {
      const result = await run(board, device, work);
      expect({ what, programs: result.programs, outcome: result.outcome }).toEqual({ what, programs: 1, outcome: { errno: undefined, ...error } });
      expect(result.sent, what).toBeLessThan(1500);
    }
    expect(read('keep.py').toString()).toBe('keep me');
    expect(readdirSync(join(flash, 'folder'))).toEqual([]);
    expect(existsSync(join(flash, '.belay'))).toBe(false);
    expect(readdirSync(flash).filter((name) => name.startsWith('.belay'))).toEqual([]);
  });

  it('stops with ABORTED when the signal fires before the bytes go, the board idle and nothing written', async () => {
    const controller = new AbortController();
    const result = await run(board, device, () => device.fs.write('/stopped.bin', data, { signal: controller.signal, onStart: () => controller.abort() }));
    // Stopped before the receiver started: nothing to undo, so no program after the look.
    expect(result).toMatchObject({ programs: 1, outcome: { code: 'ABORTED' } });
    expect(result.sent).toBeLessThan(1500);
    expect(existsSync(join(flash, 'stopped.bin'))).toBe(false);
    expect((await device.exec('print(6*7)')).stdout.trim()).toBe('42');
  });

  it('stops with ABORTED while the board is still looking, and the board answers the next call', async () => {
    // A look that never answers, as a real one may take seconds to hash a big
    // file: Ctrl-C can stop it (it waits on the link with Ctrl-C enabled, as
    // the real one does for the host's answer).
    await device.exec('def _bput(*args):\n    sys.stdin.buffer.read(1)\n');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await expect(device.fs.write('/looking.bin', data, { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    // Well before the 10 s a silent board is given: the abort, not a timeout, ended it.
    expect(Date.now() - started).toBeLessThan(5000);
    // The real helper comes back (the board no longer has the one the host installed).
    await device.exec('del _bput');
    await device.fs.write('/looking.bin', data);
    expect(read('looking.bin').equals(data)).toBe(true);
  });
});

describe('a lone write whose helpers are not on the board', () => {
  it('sends them first: two programs; the next session finds them and needs one', async () => {
    const flash = tempDir('flash');
    const board = await EmulatorTransport.open({ dir: flash, runMain: false });
    try {
      const first = await Device.over(board, { fs: { helperCache: false } });
      expect(await programsRunBy(board, () => first.fs.write('/a.py', Buffer.from('A = 1\n')))).toBe(2);
      const second = await Device.over(board, { fs: { helperCache: false } });
      expect(await programsRunBy(board, () => second.fs.write('/b.py', Buffer.from('B = 2\n')))).toBe(1);
      expect(readFileSync(join(flash, 'b.py'), 'utf8')).toBe('B = 2\n');
    } finally {
      await board.close();
      cleanup(flash);
    }
  });
});
