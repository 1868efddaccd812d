// `belay put FILE TARGET` and `belay get FILE` as a user runs them, against
// a board on a serial link (a pty) that still holds belay's helpers from an
// earlier command: the board runs the connection's probe and then one
// program, whatever the target turns out to be (a new file, an unchanged
// one, a folder, a "folder/" to make, nothing at all), and a refusal costs
// no more.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { servePty, type PtyBridge } from '../../src/emulator/pty-bridge.js';
import { runBelay } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';
import { tempDir } from '../helpers/boards.js';
import { programsRunBy } from '../fs/helpers.js';

describeWithSocat('belay put and get of one file', () => {
  let board: EmulatorTransport;
  let bridge: PtyBridge;
  let flash: string;
  const cwd = mkdtempSync(join(tmpdir(), 'belay-put-one-'));
  writeFileSync(join(cwd, 'app.py'), 'print("app")\n');

  beforeAll(async () => {
    flash = join(tempDir('belay-put-one-flash-'), 'flash');
    board = await EmulatorTransport.open({ dir: flash, runMain: false });
    bridge = await servePty(board, join(tempDir('belay-put-one-pty-'), 'board'));
    // Earlier commands leave the helpers on the board.
    expect((await runBelay(cwd, ['--port', bridge.link, 'mkdir', '/lib'])).code).toBe(0);
    expect((await runBelay(cwd, ['--port', bridge.link, 'put', 'app.py', '/warm.py'])).code).toBe(0);
  });
  afterAll(async () => {
    await bridge?.close();
    await board?.close();
  });

  /** The exit code, the --json result and the programs the board ran for `belay put ARGS`. */
  async function put(...args: string[]) {
    let result: { code: number; stdout: string; stderr: string } | undefined;
    const programs = await programsRunBy(board, async () => (result = await runBelay(cwd, ['--port', bridge.link, '--json', 'put', ...args])));
    return { programs, code: result!.code, json: JSON.parse(result!.stdout) as { target?: string; files?: Array<{ action: string }>; error?: { code: string; data: { errnoName?: string } } } };
  }

  it('is the probe and one program, wherever the file goes', async () => {
    expect(await put('app.py', '/app.py')).toMatchObject({ programs: 2, code: 0, json: { target: '/app.py', files: [{ action: 'upload' }] } });
    expect(await put('app.py', '/app.py')).toMatchObject({ programs: 2, code: 0, json: { target: '/app.py', files: [{ action: 'skip' }] } });
    expect(await put('app.py', '/lib')).toMatchObject({ programs: 2, code: 0, json: { target: '/lib/app.py' } });
    expect(await put('app.py', '/new/folder/')).toMatchObject({ programs: 2, code: 0, json: { target: '/new/folder/app.py' } });
    expect(await put('app.py')).toMatchObject({ programs: 2, code: 0, json: { target: '/app.py', files: [{ action: 'skip' }] } });
    for (const path of [['app.py'], ['lib', 'app.py'], ['new', 'folder', 'app.py']]) expect(readFileSync(join(flash, ...path), 'utf8')).toBe('print("app")\n');
  });

  it('refuses a file where "folder/" is meant in that one program, the file kept', async () => {
    expect((await runBelay(cwd, ['--port', bridge.link, 'exec', "open('/taken.py', 'w').write('keep me')"])).code).toBe(0);
    expect(await put('app.py', '/taken.py/')).toMatchObject({ programs: 2, code: 1, json: { error: { code: 'FS_ERROR', data: { errnoName: 'ENOTDIR' } } } });
    expect(readFileSync(join(flash, 'taken.py'), 'utf8')).toBe('keep me');
  });

  it('get is the probe and one program, and so is finding no file there', async () => {
    const get = async (...args: string[]) => {
      let result: { code: number; stdout: string; stderr: string } | undefined;
      const programs = await programsRunBy(board, async () => (result = await runBelay(cwd, ['--port', bridge.link, '--json', 'get', ...args])));
      return { programs, code: result!.code, json: JSON.parse(result!.stdout) as { target?: string; error?: { code: string; data: { errnoName?: string } } } };
    };
    expect(await get('/app.py', 'back.py')).toMatchObject({ programs: 2, code: 0, json: { target: join(cwd, 'back.py') } });
    expect(readFileSync(join(cwd, 'back.py'), 'utf8')).toBe('print("app")\n');
    expect(await get('/nothing.py', 'nothing.py')).toMatchObject({ programs: 2, code: 1, json: { error: { code: 'FS_ERROR', data: { errnoName: 'ENOENT' } } } });
    expect(await get('/lib', 'lib')).toMatchObject({ programs: 2, code: 2, json: { error: { code: 'USAGE' } } });
    expect(existsSync(join(cwd, 'nothing.py')) || existsSync(join(cwd, 'lib'))).toBe(false);
  });
});
