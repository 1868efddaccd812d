// A read (belay get of one file) is one board program with the helpers on
// the board, and a path that holds no file is an answer in that program,
// not a traceback: FS_ERROR with ENOENT for nothing there, EISDIR for a
// folder, on the fast path and on the encoded fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { cleanup, programsRunBy, tempDir } from './helpers.js';

describe.each(['binary', 'encoded'] as const)('a read on the %s path', (transfer) => {
  let board: EmulatorTransport;
  let device: Device;
  const flash = tempDir('flash');

  beforeAll(async () => {
    board = await EmulatorTransport.open({ dir: flash, runMain: false });
    device = await Device.over(board, { fs: { transfer } });
    await device.fs.write('/data.txt', Buffer.from('some data\n'));
    await device.fs.mkdir('/folder');
    await device.fs.read('/data.txt');
  });
  afterAll(async () => {
    await board?.close();
    cleanup(flash);
  });

  /** Programs and bytes from the board for `device.fs.read(path)`, and how it ended. */
  async function read(path: string) {
    const before = device.transport.wire.received;
    let outcome: unknown;
    const programs = await programsRunBy(board, async () => {
      outcome = await device.fs.read(path).then(
        (r) => r.data!.toString(),
        (err: { code?: string; data?: { errnoName?: string } }) => ({ code: err.code, errno: err.data?.errnoName }),
      );
    });
    return { programs, received: device.transport.wire.received - before, outcome };
  }

  it('a file: one program', async () => {
    expect(await read('/data.txt')).toMatchObject({ programs: 1, outcome: 'some data\n' });
  });

  it('nothing there or a folder: the board says so in one short answer', async () => {
    for (const [path, errno] of [['/nope.txt', 'ENOENT'], ['/folder', 'EISDIR']]) {
      const result = await read(path);
      expect({ path, programs: result.programs, outcome: result.outcome }).toEqual({ path, programs: 1, outcome: { code: 'FS_ERROR', errno } });
      // A traceback would be well over 100 bytes.
      expect(result.received, path).toBeLessThan(20);
    }
    expect((await read('/data.txt')).outcome).toBe('some data\n');
  });
});
