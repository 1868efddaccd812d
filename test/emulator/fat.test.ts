// The emulated flash in FAT mode, seen by programs on the board: names,
// errors, space, and the rename that replaces a file in two steps.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { fatClusterCount } from '../../src/emulator/fat.js';
import { isBelayError } from '../../src/errors.js';
import { tempDir } from '../helpers/boards.js';

/** Runs `body` on the board with `check(label, fn)` that records a result or the errno's name. */
const PRELUDE = `
import os, errno, json
# errno lacks some names on boards too (ENOTDIR, ENOSPC...): Linux numbers, as boards raise.
_names = {20: 'ENOTDIR', 28: 'ENOSPC', 36: 'ENAMETOOLONG', 39: 'ENOTEMPTY'}
_names.update({getattr(errno, n): n for n in dir(errno) if n.startswith('E')})
_out = {}
def check(label, fn):
    try:
        _out[label] = fn()
    except OSError as e:
        _out[label] = _names.get(e.errno, e.errno)
def write(path, data):
    with open(path, 'w') as f:
        f.write(data)
def read(path):
    with open(path) as f:
        return f.read()
`;

async function run(device: Device, body: string): Promise<Record<string, unknown>> {
  const { stdout } = await device.exec(`${PRELUDE}\n${body}\nprint(json.dumps(_out))`);
  return JSON.parse(stdout.toString()) as Record<string, unknown>;
}

describe('FAT mode', () => {
  let board: EmulatorTransport;
  let device: Device;
  let flash: string;

  beforeAll(async () => {
    flash = join(tempDir(), 'flash');
    board = await EmulatorTransport.open({ dir: flash, runMain: false, filesystem: 'fat' });
    device = await Device.over(board);
  });
  afterAll(async () => {
    await board.close();
  });

  it('cuts names at a control character', async () => {
    const out = await run(
      device,
      `
write('/main.py', 'old')
check('tab', lambda: write('/main.py\\tbackup', 'new'))
check('read', lambda: read('/main.py'))
check('list', lambda: sorted(os.listdir('/')))
os.mkdir('/app')
check('newline', lambda: write('/app/main.py\\nold', 'x'))
check('app', lambda: os.listdir('/app'))`,
    );
    expect(out).toEqual({ tab: null, read: 'new', list: ['main.py'], newline: null, app: ['main.py'] });
    expect(readFileSync(join(flash, 'main.py'), 'utf8')).toBe('new');
  });

  it('finds names whatever their case and keeps the case they were created with', async () => {
    const out = await run(
      device,
      `
write('/Case.txt', 'first')
check('upper', lambda: read('/CASE.TXT'))
check('write-other-case', lambda: write('/case.txt', 'second'))
check('list', lambda: [n for n in os.listdir('/') if n.lower() == 'case.txt'])
check('read', lambda: read('/Case.txt'))
os.mkdir('/Lib')
check('mkdir-other-case', lambda: os.mkdir('/LIB'))
check('into-other-case', lambda: write('/lib/x.py', 'x'))
check('lib', lambda: os.listdir('/Lib'))
check('stat-dots', lambda: os.stat('/case.txt. .')[6])`,
    );
    expect(out).toEqual({
      upper: 'first',
      'write-other-case': null,
      list: ['Case.txt'],
      read: 'second',
      'mkdir-other-case': 'EEXIST',
      'into-other-case': null,
      lib: ['x.py'],
      'stat-dots': 6,
    });
    expect(readdirSync(flash)).toContain('Case.txt');
    expect(readdirSync(flash)).not.toContain('case.txt');
  });

  it('refuses "*:<>?| with EINVAL, takes \\ as a folder separator, holds 255-character names', async () => {
    const out = await run(
      device,
      `
for c in '"*:<>?|':
    check('char ' + c, lambda: write('/a' + c + 'b.py', 'x'))
check('backslash', lambda: write('/back\\\\slash.py', 'x'))
os.mkdir('/back')
check('backslash-dir', lambda: write('/back\\\\slash.py', 'x'))
check('in-back', lambda: os.listdir('/back'))
check('long', lambda: write('/' + 'n' * 255, 'x'))
check('too-long', lambda: write('/' + 'n' * 256, 'x'))
check('empty', lambda: write('/. .', 'x'))`,
    );
    for (const c of '"*:<>?|') expect(out[`char ${c}`]).toBe('EINVAL');
    expect(out).toMatchObject({ backslash: 'ENOENT', 'backslash-dir': null, 'in-back': ['slash.py'], long: null, 'too-long': 'EINVAL', empty: 'EINVAL' });
    expect(existsSync(join(flash, 'n'.repeat(255)))).toBe(true);
  });

  it('raises the errors MicroPython maps from FatFs', async () => {
    const out = await run(
      device,
      `
os.mkdir('/full')
write('/full/f', 'x')
write('/plain', 'x')
check('rmdir-not-empty', lambda: os.rmdir('/full'))
check('rmdir-file', lambda: os.rmdir('/plain'))
check('remove-dir', lambda: os.remove('/full'))
check('open-dir', lambda: open('/full'))
check('write-dir', lambda: open('/full', 'w'))
check('file-as-folder', lambda: open('/plain/x'))
check('list-file', lambda: os.listdir('/plain'))
check('rename-onto-dir', lambda: os.rename('/plain', '/full'))
check('missing', lambda: os.stat('/nothing'))
check('remove-root', lambda: os.remove('/'))`,
    );
    expect(out).toEqual({
      'rmdir-not-empty': 'EACCES',
      'rmdir-file': 'ENOTDIR',
      'remove-dir': 'EISDIR',
      'open-dir': 'ENOENT',
      'write-dir': 'EACCES',
      'file-as-folder': 'ENOENT',
      'list-file': 'ENOENT',
      'rename-onto-dir': 'EISDIR',
      missing: 'ENOENT',
      'remove-root': 'EPERM',
    });
  });

  it('reports clusters left after its tables in os.statvfs, for any path', async () => {
    const out = await run(device, `check('root', lambda: list(os.statvfs('/')))\ncheck('file', lambda: list(os.statvfs('/plain')))`);
    const root = out.root as number[];
    expect(root.slice(0, 3)).toEqual([512, 512, fatClusterCount(2 * 1024 * 1024, 512)]);
    expect(root[2]).toBeLessThan((2 * 1024 * 1024) / 512);
    expect(root[9]).toBe(255);
    expect(out.file).toEqual(root);
  });

  it('names the errors for belay as well', async () => {
    const error = await device.exec("open('/x?y', 'w')").catch((err: unknown) => err);
    expect(isBelayError(error, 'BOARD_EXCEPTION') && error.data.errnoName).toBe('EINVAL');
  });
});

describe('rename onto an existing file', () => {
  /** A board holding /target (old) and /staged (new); returns the mutations os.rename takes. */
  async function renameSteps(filesystem: 'littlefs' | 'fat', powerCutAtWrite?: number): Promise<{ steps: number; flash: string; cut: boolean }> {
    const flash = join(tempDir(), 'flash');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(flash);
    writeFileSync(join(flash, 'target'), 'old');
    writeFileSync(join(flash, 'staged'), 'new');
    const board = await EmulatorTransport.open({ dir: flash, runMain: false, filesystem, powerCutAtWrite });
    try {
      const device = await Device.over(board);
      const before = board.mutations;
      const cut = await device.exec("import os\nos.rename('/staged', '/Target')").then(
        () => false,
        (err: unknown) => isBelayError(err, 'LINK_LOST'),
      );
      return { steps: board.mutations - before, flash, cut };
    } finally {
      await board.close();
    }
  }

  it('is one step on littlefs and two on FAT, where a power cut between them leaves no target', async () => {
    expect((await renameSteps('littlefs')).steps).toBe(1);
    const fat = await renameSteps('fat');
    expect(fat.steps).toBe(2);
    expect(readdirSync(fat.flash)).toEqual(['Target']);
    expect(readFileSync(join(fat.flash, 'Target'), 'utf8')).toBe('new');

    // Power-on and connecting change nothing on the flash: the 2nd mutation is the rename itself.
    const cut = await renameSteps('fat', 2);
    expect(cut.cut).toBe(true);
    expect(readdirSync(cut.flash)).toEqual(['staged']);
    expect(readFileSync(join(cut.flash, 'staged'), 'utf8')).toBe('new');
  });
});
