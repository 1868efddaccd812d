import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConfig, loadConfig, SEARCH_PLACES, validateConfig } from '../../src/config/index.js';
import { isBelayError } from '../../src/errors.js';
import { project, SRC, where } from './helpers.js';

describe('discovery', () => {
  it.each(SEARCH_PLACES.filter((p) => p !== 'package.json'))('finds %s', async (place) => {
    const body = place.endsWith('.json') ? '{"prune": true}' : 'prune: true\n';
    const dir = project({ [place]: body, ...SRC });
    const c = await loadConfig({ cwd: dir, env: {} });
    expect(c.configFile).toBe(join(dir, place));
    expect(c.prune).toBe(true);
  });

  it('reads package.json#belay and positions errors inside it', async () => {
    const pkg = '{\n  "name": "x",\n  "belay": {\n    "conflicts": "nope"\n  }\n}\n';
    const dir = project({ 'package.json': pkg, ...SRC });
    const r = await validateConfig({ cwd: dir, env: {} });
    expect(r.configFile).toBe(join(dir, 'package.json'));
    expect(where(r.diagnostics)).toEqual([['CONFIG_SCHEMA', 4, 18]]);
  });

  it('skips a package.json without a belay key and keeps searching upward', async () => {
    const dir = project({ 'belay.yaml': 'prune: true\n', 'app/package.json': '{"name": "app"}', 'app/src/main.py': '' });
    const c = await loadConfig({ cwd: join(dir, 'app'), env: {} });
    expect(c.configFile).toBe(join(dir, 'belay.yaml'));
  });

  it('prefers belay.yaml over later places and warns about the shadowed ones', async () => {
    const dir = project({ 'belay.yaml': 'prune: true\n', '.belayrc.json': '{}', ...SRC });
    const r = await validateConfig({ cwd: dir, env: {} });
    expect(r.configFile).toBe(join(dir, 'belay.yaml'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['CONFIG_SHADOWED']);
  });

  it('searches upward from a subfolder but stops at the repository root', async () => {
    const outer = project({ 'belay.yaml': 'prune: true\n', ...SRC }, { git: false });
    mkdirSync(join(outer, 'repo', '.git'), { recursive: true });
    mkdirSync(join(outer, 'repo', 'a', 'b'), { recursive: true });
    expect(await findConfig(join(outer, 'repo', 'a', 'b'))).toBeNull();
    const err = await loadConfig({ cwd: join(outer, 'repo', 'a'), env: {} }).catch((e: unknown) => e);
    expect(isBelayError(err, 'CONFIG_NOT_FOUND')).toBe(true);
    writeFileSync(join(outer, 'repo', 'belay.yml'), 'prune: true\n');
    expect((await findConfig(join(outer, 'repo', 'a', 'b')))?.file).toBe(join(outer, 'repo', 'belay.yml'));
  });

  it('honours an explicit config path relative to cwd, and fails clearly when it is missing', async () => {
    const dir = project({ 'conf/custom.yaml': 'sources: [../src]\n', ...SRC });
    const c = await loadConfig({ cwd: dir, configPath: 'conf/custom.yaml', env: {} });
    expect(c.configFile).toBe(join(dir, 'conf', 'custom.yaml'));
    expect(c.rootDir).toBe(join(dir, 'conf'));
    expect(c.sources[0].from).toBe(join(dir, 'src'));
    const err = await loadConfig({ cwd: dir, configPath: 'nope.yaml', env: {} }).catch((e: unknown) => e);
    expect(isBelayError(err, 'CONFIG_NOT_FOUND')).toBe(true);
  });

  it('returns the defaults with optional when there is no config', async () => {
    const dir = project(SRC);
    const c = await loadConfig({ cwd: dir, optional: true, env: {} });
    expect(c.configFile).toBeNull();
    expect(c.rootDir).toBe(dir);
    expect(c.device.port).toBe('auto');
  });

  it('reports a syntax error in a JSON config with its position', async () => {
    const dir = project({ 'belay.config.json': '{\n  "prune": true,\n  "keep": [\n}\n', ...SRC });
    const r = await validateConfig({ cwd: dir, env: {} });
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0].code).toBe('CONFIG_SYNTAX');
    expect(r.diagnostics[0].line).toBe(4);
  });
});
