/**
 * Where emulated boards live and what they may be called: one name rule for
 * `--port emulator:NAME` and belay.yaml's `device.port`, and one folder rule
 * that `belay emulator path` and the commands share, from any subfolder.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/index.js';
import { parsePort } from '../../src/port/spec.js';
import { emulatorDir, userDataDir } from '../../src/port/emulator-dir.js';
import { runBelay, userHomeFor } from '../helpers/cli.js';

const belay = runBelay;

function folder(prefix: string, git = true): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (git) mkdirSync(join(dir, '.git'));
  return dir;
}

const GOOD = ['a', 'dev-1', 'x.y_z', '9lives', 'A'.repeat(64)];
const BAD = ['-x', '.x', '..', '.', '../x', 'a/b', 'a\\b', 'a b', 'ü', 'A'.repeat(65), ''];

describe('emulator names: one rule', { timeout: 180_000 }, () => {
  it.each([...GOOD.map((n) => [n, true] as const), ...BAD.map((n) => [n, false] as const)])('%j valid=%s from --port and from belay.yaml alike', async (name, valid) => {
    let fromPort: boolean;
    try {
      parsePort(`emulator:${name}`);
      fromPort = true;
    } catch (err) {
      expect(err).toMatchObject({ code: 'USAGE' });
      fromPort = false;
    }
    const cwd = folder('belay-names-');
    writeFileSync(join(cwd, 'belay.yaml'), `device:\n  port: ${JSON.stringify(`emulator:${name}`)}\nsources: []\n`);
    const validation = await validateConfig({ cwd, env: {} });
    const fromConfig = !validation.diagnostics.some((d) => d.severity === 'error' && d.code === 'CONFIG_INVALID');
    expect([fromPort, fromConfig]).toEqual([valid, valid]);
  });

  it('the CLI refuses a bad name in --port, in belay.yaml and in `emulator path --name` before opening anything', async () => {
    const cwd = folder('belay-names-cli-');
    const port = await belay(cwd, ['--port', 'emulator:-x', 'exec', 'print(1)']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('[USAGE]');
    const path = await belay(cwd, ['emulator', 'path', '--name', '../../../etc']);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('[USAGE]');
    const serve = await belay(cwd, ['emulator', 'serve', '--name', '../x', '--dir', 'flash']);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain('[USAGE]');
    writeFileSync(join(cwd, 'belay.yaml'), 'device:\n  port: "emulator:-x"\n');
    const config = await belay(cwd, ['exec', 'print(1)']);
    expect(config.code).toBe(1);
    expect(config.stderr).toContain('[CONFIG_INVALID]');
    expect(readdirSync(cwd).sort()).toEqual(['.git', 'belay.yaml']);
  });
});

describe('the flash folder: one rule', { timeout: 180_000 }, () => {
  it('in a project: <root>/.belay/emulator/NAME, the same from a subfolder for `emulator path` and the commands', async () => {
    const root = folder('belay-place-');
    writeFileSync(join(root, 'belay.yaml'), 'device:\n  port: emulator:dev\nsources: []\n');
    const sub = join(root, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const printed = (await belay(sub, ['emulator', 'path', '--name', 'dev'])).stdout.trim();
    expect(printed).toBe(join(root, '.belay', 'emulator', 'dev'));
    expect((await belay(sub, ['exec', "open('/marker.txt','w').write('here')"])).code).toBe(0);
    expect(existsSync(join(printed, 'marker.txt'))).toBe(true);
    expect(existsSync(join(sub, '.belay'))).toBe(false);
    const json = await belay(sub, ['emulator', 'path', '--name', 'dev', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ name: 'dev', flash: printed });
  });

  it('outside a project: the per-user data folder, never a stray .belay/ where the command ran', async () => {
    const cwd = folder('belay-noproject-');
    const printed = (await belay(cwd, ['emulator', 'path'])).stdout.trim();
    expect(printed).toBe(join(userHomeFor(cwd), '.local', 'share', 'belay', 'emulator', 'default'));
    expect((await belay(cwd, ['--port', 'emulator', 'exec', "open('/m.txt','w').write('x')"])).code).toBe(0);
    expect(existsSync(join(printed, 'm.txt'))).toBe(true);
    expect(readdirSync(cwd)).toEqual(['.git']);
  });

  it('BELAY_EMULATOR_DIR wins, for `emulator path` and the commands alike', async () => {
    const root = folder('belay-override-');
    writeFileSync(join(root, 'belay.yaml'), 'sources: []\n');
    const home = folder('belay-emuhome-', false);
    const printed = (await belay(root, ['emulator', 'path', '--name', 'b1'], { BELAY_EMULATOR_DIR: home })).stdout.trim();
    expect(printed).toBe(join(home, 'b1'));
    expect((await belay(root, ['--port', 'emulator:b1', 'exec', "open('/o.txt','w').write('x')"], { BELAY_EMULATOR_DIR: home })).code).toBe(0);
    expect(existsSync(join(home, 'b1', 'o.txt'))).toBe(true);
    expect(existsSync(join(root, '.belay'))).toBe(false);
  });

  it('the library decides by the same rule, reading no environment', () => {
    expect(emulatorDir('dev', { projectDir: '/p' })).toBe(join('/p', '.belay', 'emulator', 'dev'));
    expect(emulatorDir('dev', { projectDir: '/p', home: '/h' })).toBe(join('/h', 'dev'));
    expect(emulatorDir('dev', { dataDir: '/d' })).toBe(join('/d', 'belay', 'emulator', 'dev'));
    expect(() => emulatorDir('..', { projectDir: '/p' })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(userDataDir({ platform: 'linux', home: '/home/u' })).toBe('/home/u/.local/share');
    expect(userDataDir({ platform: 'linux', home: '/home/u', xdgDataHome: '/x' })).toBe('/x');
    expect(userDataDir({ platform: 'linux', home: '/home/u', xdgDataHome: 'relative' })).toBe('/home/u/.local/share');
    expect(userDataDir({ platform: 'darwin', home: '/Users/u' })).toBe('/Users/u/Library/Application Support');
    expect(userDataDir({ platform: 'win32', home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Local');
    expect(userDataDir({ platform: 'win32', home: 'C:\\Users\\u', localAppData: 'D:\\Local' })).toBe('D:\\Local');
  });
});
