/**
 * The config commands through the built binary, as a user runs them:
 * exit codes, what reaches stdout and stderr. Needs `npm run build` first
 * (`npm test` does it).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { project } from './helpers.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

function belay(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  if (!options.env?.BELAY_PROFILE) delete env.BELAY_PROFILE;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd, env, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('dist/cli/main.js is missing: run "npm run build" first');
});

describe('belay init / validate', () => {
  it('init in an empty folder writes a config that validate accepts', () => {
    const dir = project();
    const init = belay(['init'], { cwd: dir });
    expect(init.status).toBe(0);
    expect(existsSync(join(dir, 'belay.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'src', 'main.py'))).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.belay/');
    const validate = belay(['validate'], { cwd: dir });
    expect(validate.status).toBe(0);
  });

  it('init in a folder with src/main.py (via -C) writes a config that validate accepts', () => {
    const dir = project({ 'src/main.py': 'print(1)\n' });
    expect(belay(['-C', dir, 'init']).status).toBe(0);
    expect(belay(['-C', dir, 'validate', '--json']).stdout).toContain('"ok": true');
  });

  it('init never overwrites without --force', () => {
    const dir = project({ 'belay.yaml': 'prune: true\n' });
    const again = belay(['init'], { cwd: dir });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('[CONFIG_EXISTS]');
    expect(readFileSync(join(dir, 'belay.yaml'), 'utf8')).toBe('prune: true\n');
    expect(belay(['init', '--force'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, 'belay.yaml'), 'utf8')).toContain('yaml-language-server');
  });

  it('validate prints every error as file:LINE:COL with an excerpt and exits 1', () => {
    const dir = project({ 'belay.yaml': 'device:\n  baud: fast\nsources:\n  - from: src\n    tpo: /\n', 'src/main.py': '' });
    const r = belay(['validate'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^belay\.yaml:2:9: error: .*\[CONFIG_SCHEMA\]$/m);
    expect(r.stderr).toMatch(/^belay\.yaml:5:5: error: .*"to".*\[CONFIG_SCHEMA\]$/m);
    expect(r.stderr).toMatch(/^\s+2 \|\s+baud: fast\n\s+\|\s+\^{4}$/m);
    const json = JSON.parse(belay(['validate', '--json'], { cwd: dir }).stdout);
    expect(json.ok).toBe(false);
    expect(json.errors.map((e: { code: string; line: number; col: number }) => [e.code, e.line, e.col])).toEqual([
      ['CONFIG_SCHEMA', 2, 9],
      ['CONFIG_SCHEMA', 5, 5],
    ]);
  });

  it('validate --profile with an unknown profile exits 1 naming the known ones', () => {
    const r = belay(['validate', '--profile', 'staging'], { cwd: join(EXAMPLES, 'multi-profile'), env: { WIFI_PASSWORD: 'x'.repeat(12) } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[PROFILE_UNKNOWN]');
    expect(r.stderr).toContain('dev, prod');
  });

  it('validate --all-profiles checks the base and each profile of an example', () => {
    const r = belay(['validate', '--all-profiles', '--json'], { cwd: join(EXAMPLES, 'multi-profile'), env: { WIFI_PASSWORD: 'x'.repeat(12) } });
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.results.map((x: { profile: string | null }) => x.profile)).toEqual([null, 'dev', 'prod']);
  });

  it('validate exits 1 with ENV_MISSING when a profile\'s secret is not set', () => {
    const r = belay(['--profile', 'prod', 'validate'], { cwd: join(EXAMPLES, 'multi-profile') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[ENV_MISSING]');
  });
});

describe('belay config', () => {
  const SECRET = 'correct-horse-battery';

  it('prints the resolved profile with the secret masked, in YAML and JSON', () => {
    const cwd = join(EXAMPLES, 'multi-profile');
    const yaml = belay(['config', '--profile', 'prod'], { cwd, env: { WIFI_PASSWORD: SECRET } });
    expect(yaml.status).toBe(0);
    expect(yaml.stdout).toContain('/dev/ttyACM0');
    expect(yaml.stdout + yaml.stderr).not.toContain(SECRET);
    expect(yaml.stdout).toContain('<secret:WIFI_PASSWORD>');
    const json = belay(['config', '--json'], { cwd, env: { WIFI_PASSWORD: SECRET, BELAY_PROFILE: 'prod' } });
    expect(json.status).toBe(0);
    expect(json.stdout).not.toContain(SECRET);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.profile).toBe('prod');
    expect(parsed.device.afterApply).toBe('hard-reset');
  });

  it('reads the file given with -c, and fails with the config error code otherwise', () => {
    const dir = project({ 'conf/b.yaml': 'device: {port: emulator}\nsources: [../src]\n', 'src/main.py': '' });
    const ok = belay(['-c', 'conf/b.yaml', 'config', '--json'], { cwd: dir });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).device.port).toBe('emulator');
    writeFileSync(join(dir, 'conf', 'b.yaml'), 'device: [\n');
    const bad = belay(['-c', 'conf/b.yaml', 'config'], { cwd: dir });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('[CONFIG_SYNTAX]');
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});
