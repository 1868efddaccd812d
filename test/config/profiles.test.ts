import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyProfile, originOf } from '../../src/config/merge.js';
import { loadConfig, validateConfig } from '../../src/config/index.js';
import { isBelayError } from '../../src/errors.js';
import { project, SRC, where } from './helpers.js';

const BASE = `device:
  port: auto
  baud: 115200
  afterApply: soft-reset
sources:
  - from: src
    to: /
  - from: extra
    to: /extra
files:
  /config.json:
    json: {env: base, debug: false}
  /VERSION: "1.0\\n"
ignore: ["*.bak"]
profiles:
  dev:
    device:
      port: emulator
    files:
      /config.json:
        json: {env: dev}
      /VERSION: null
  prod:
    device: {port: /dev/ttyACM0, afterApply: hard-reset}
    sources:
      - from: src
    ignore: []
    prune: true
  broken:
    device:
      port: emulator
    sources:
      - from: missing
`;

const dir = () => project({ 'belay.yaml': BASE, ...SRC, 'extra/x.py': '' });

describe('profile merging', () => {
  it('merges mappings key by key: an unset key keeps the base value', async () => {
    const c = await loadConfig({ cwd: dir(), profile: 'dev', env: {} });
    expect(c.device).toEqual({ port: 'emulator', baud: 115200, afterApply: 'soft-reset' });
    expect(c.profile).toBe('dev');
    expect(c.profiles).toEqual(['dev', 'prod', 'broken']);
  });

  it('replaces lists whole (sources, ignore) and plain values', async () => {
    const c = await loadConfig({ cwd: dir(), profile: 'prod', env: {} });
    expect(c.sources.map((s) => s.to)).toEqual(['/']);
    expect(c.ignore).not.toContain('*.bak');
    expect(c.prune).toBe(true);
    expect(c.device).toEqual({ port: '/dev/ttyACM0', baud: 115200, afterApply: 'hard-reset' });
  });

  it('merges inline files by path: an entry replaces the file whole, null removes it', async () => {
    const base = await loadConfig({ cwd: dir(), env: {} });
    expect(base.files.map((f) => f.path)).toEqual(['/config.json', '/VERSION']);
    const dev = await loadConfig({ cwd: dir(), profile: 'dev', env: {} });
    expect(dev.files.map((f) => f.path)).toEqual(['/config.json']);
    // Replaced whole: the base's "debug" key is gone.
    expect(JSON.parse(dev.files[0].content)).toEqual({ env: 'dev' });
  });

  it('device.requireSignature: a key file relative to belay.yaml; null in a profile lifts it', async () => {
    const yaml = 'device:\n  requireSignature: keys/reviewers.pub\nsources:\n  - from: src\n    to: /\nprofiles:\n  bench:\n    device:\n      requireSignature: null\n';
    const d = project({ 'belay.yaml': yaml, ...SRC });
    const base = await loadConfig({ cwd: d, env: {} });
    expect(base.device.requireSignature).toBe(join(d, 'keys', 'reviewers.pub'));
    const bench = await loadConfig({ cwd: d, profile: 'bench', env: {} });
    expect(bench.device.requireSignature).toBeUndefined();
  });

  it('takes the profile from BELAY_PROFILE when none is given, the option winning', async () => {
    const d = dir();
    expect((await loadConfig({ cwd: d, env: { BELAY_PROFILE: 'dev' } })).device.port).toBe('emulator');
    expect((await loadConfig({ cwd: d, profile: 'prod', env: { BELAY_PROFILE: 'dev' } })).device.port).toBe('/dev/ttyACM0');
  });

  it('reports an unknown profile with the known ones and a suggestion', async () => {
    const err = await loadConfig({ cwd: dir(), profile: 'prd', env: {} }).catch((e: unknown) => e);
    expect(isBelayError(err, 'PROFILE_UNKNOWN')).toBe(true);
    const r = await validateConfig({ cwd: dir(), profile: 'nope', env: {} });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['PROFILE_UNKNOWN']);
    expect(r.diagnostics[0].hint).toContain('dev, prod, broken');
    expect((await validateConfig({ cwd: dir(), profile: 'prd', env: {} })).diagnostics[0].suggestion).toBe('prod');
  });

  it('places errors in a profile\'s values at the profile\'s lines', async () => {
    const r = await validateConfig({ cwd: dir(), profile: 'broken', env: {} });
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_INVALID', 33, 15]]);
  });

  it('checks only the chosen profile\'s semantics: base and dev are fine while broken is not', async () => {
    expect((await validateConfig({ cwd: dir(), env: {} })).ok).toBe(true);
    expect((await validateConfig({ cwd: dir(), profile: 'dev', env: {} })).ok).toBe(true);
  });
});

describe('merge functions', () => {
  it('never lets a "__proto__" key reach a prototype', () => {
    const over = JSON.parse('{"device": {"__proto__": {"polluted": true}}}');
    const merged = applyProfile({ device: { port: 'auto' } }, over) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(merged.device as object)).toContain('__proto__');
  });

  it('traces origins to the profile only where the profile wrote the value', () => {
    const profile = { device: { port: 'emulator' }, sources: [{ from: 'x' }], files: { '//config.json': { content: 'x' } } };
    expect(originOf(['device', 'port'], profile, 'dev')).toEqual(['profiles', 'dev', 'device', 'port']);
    expect(originOf(['device', 'baud'], profile, 'dev')).toEqual(['device', 'baud']);
    expect(originOf(['sources', 0, 'from'], profile, 'dev')).toEqual(['profiles', 'dev', 'sources', 0, 'from']);
    expect(originOf(['files', '/config.json', 'content'], profile, 'dev')).toEqual(['profiles', 'dev', 'files', '//config.json', 'content']);
    expect(originOf(['keep', 0], profile, 'dev')).toEqual(['keep', 0]);
    expect(originOf(['keep', 0], undefined, null)).toEqual(['keep', 0]);
  });
});
