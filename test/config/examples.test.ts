import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadConfig, validateConfig } from '../../src/config/index.js';

const root = fileURLToPath(new URL('../../examples/', import.meta.url));
const examples = readdirSync(root, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
// Variables the examples read; each example documents them.
const env = { WIFI_PASSWORD: 'example-password' };

describe('examples', () => {
  it('include a quickstart, a multi-profile and a keep example', () => {
    expect(examples).toEqual(expect.arrayContaining(['quickstart', 'multi-profile', 'keep-data']));
  });

  for (const name of examples) {
    it(`${name} validates with no diagnostics, in the base and every profile`, async () => {
      const base = await validateConfig({ cwd: join(root, name), env });
      expect(base.diagnostics).toEqual([]);
      for (const profile of base.profiles) {
        const r = await validateConfig({ cwd: join(root, name), env, profile });
        expect(r.diagnostics, `${name} --profile ${profile}`).toEqual([]);
      }
    });
  }

  it('multi-profile: dev runs on the emulator, prod on a serial port, each with its own /config.json', async () => {
    const cwd = join(root, 'multi-profile');
    const dev = await loadConfig({ cwd, profile: 'dev', env });
    const prod = await loadConfig({ cwd, profile: 'prod', env });
    expect(dev.device.port.startsWith('emulator')).toBe(true);
    expect(prod.device.port).toBe('/dev/ttyACM0');
    expect(JSON.parse(dev.files[0].content).env).toBe('dev');
    expect(JSON.parse(prod.files[0].content).env).toBe('prod');
    expect(prod.secrets.redact(prod.files[0].content)).not.toContain(env.WIFI_PASSWORD);
  });

  it('keep-data: the board-written paths are kept and prune is on', async () => {
    const c = await loadConfig({ cwd: join(root, 'keep-data'), env });
    expect(c.keep).toEqual(['/data', '/state.json']);
    expect(c.prune).toBe(true);
  });
});
