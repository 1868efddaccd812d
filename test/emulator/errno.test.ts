// The emulated board raises the errno numbers its own errno module names,
// as boards do (the wasm port underneath speaks WASI numbers).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { isBelayError } from '../../src/errors.js';
import { tempDir } from '../helpers/boards.js';

describe('errno numbers on the emulated board (littlefs)', () => {
  let board: EmulatorTransport;
  let device: Device;
  beforeAll(async () => {
    board = await EmulatorTransport.open({ dir: join(tempDir(), 'flash'), runMain: false, flashSize: 256 * 1024 });
    device = await Device.over(board);
  });
  afterAll(async () => {
    await board.close();
  });

  const errnoOf = async (code: string) => {
    const { stdout } = await device.exec(`import os, errno\ntry:\n    ${code}\n    print('none')\nexcept OSError as e:\n    print(e.errno)`);
    return Number(stdout.toString().trim());
  };

  it('compares equal to the errno module constants', async () => {
    const { stdout } = await device.exec(
      "import os, errno\nr = []\nfor f, n in ((lambda: os.stat('/missing'), errno.ENOENT), (lambda: os.mkdir('/'), errno.EEXIST), (lambda: open('/nope/x', 'w'), errno.ENOENT)):\n    try:\n        f()\n    except OSError as e:\n        r.append(e.errno == n)\nos.mkdir('/d')\ntry:\n    os.mkdir('/d')\nexcept OSError as e:\n    r.append(e.errno == errno.EEXIST)\nprint(r)",
    );
    expect(stdout.toString().trim()).toBe('[True, True, True, True]');
  });

  it('uses the Linux numbers littlefs raises where errno has no name', async () => {
    await device.exec("import os\nos.mkdir('/full')\nopen('/full/f', 'w').close()");
    expect(await errnoOf("os.rmdir('/full')")).toBe(39); // ENOTEMPTY
    expect(await errnoOf("os.listdir('/full/f')")).toBe(20); // ENOTDIR
    expect(await errnoOf(`open('/${'n'.repeat(256)}', 'w')`)).toBe(36); // ENAMETOOLONG
    expect(await errnoOf("f = open('/big', 'wb')\n    while True: f.write(bytes(4096))")).toBe(28); // ENOSPC
    await device.exec("import os\nos.remove('/big')");
  });

  it('lets belay name errors raised by board code and by the filesystem alike', async () => {
    const named = async (code: string) => {
      const err = await device.exec(code).catch((e: unknown) => e);
      return isBelayError(err, 'BOARD_EXCEPTION') ? err.data.errnoName : err;
    };
    expect(await named('import errno\nraise OSError(errno.ENOENT)')).toBe('ENOENT');
    expect(await named("import os\nos.stat('/missing')")).toBe('ENOENT');
    expect(await named("import os\nos.rmdir('/')")).toBe('EPERM');
    expect(await named("import os\nos.remove('/')")).toBe('EPERM');
  });

  it('reports the emulated flash in os.statvfs, also for a file path', async () => {
    const { stdout } = await device.exec("import os\nopen('/file', 'w').close()\nprint(list(os.statvfs('/')), list(os.statvfs('/file')))");
    const [root, file] = stdout
      .toString()
      .trim()
      .split('] [')
      .map((part) => part.replace(/[[\]]/g, '').split(',').map(Number));
    expect(root[0] * root[2]).toBe(256 * 1024);
    expect(file).toEqual(root);
  });
});
