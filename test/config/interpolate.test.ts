import { describe, expect, it } from 'vitest';
import { loadConfig, redactSecrets, Secrets, toPrintable, validateConfig } from '../../src/config/index.js';
import { project, SRC, where } from './helpers.js';

const YAML = `device:
  port: \${env:BOARD_PORT:-auto}
files:
  /config.json:
    json:
      server: "\${env:SERVER}"
      wifi: {ssid: lab, password: "\${secret:WIFI_PASSWORD}"}
  /token.txt:
    content: "tok-\${secret:TOKEN}"
  /key.pem:
    content: |
      -----BEGIN KEY-----
      c2VjcmV0LWtleS1ib2R5
      -----END KEY-----
    secret: true
  /literal.txt: "cost: $\${env:NOT_A_REF}"
`;

const ENV = { SERVER: 'https://example.test', WIFI_PASSWORD: 'p"4ss\\word', TOKEN: 'abc123xyz' };

describe('interpolation', () => {
  it('expands env references, fallbacks and escapes', async () => {
    const c = await loadConfig({ cwd: project({ 'belay.yaml': YAML, ...SRC }), env: ENV });
    expect(c.device.port).toBe('auto');
    const config = JSON.parse(c.files.find((f) => f.path === '/config.json')!.content);
    expect(config).toEqual({ server: 'https://example.test', wifi: { ssid: 'lab', password: 'p"4ss\\word' } });
    expect(c.files.find((f) => f.path === '/literal.txt')!.content).toBe('cost: ${env:NOT_A_REF}');
    const port = await loadConfig({ cwd: project({ 'belay.yaml': YAML, ...SRC }), env: { ...ENV, BOARD_PORT: '/dev/ttyUSB0' } });
    expect(port.device.port).toBe('/dev/ttyUSB0');
  });

  it('uses the fallback when the variable is empty, as a shell does', async () => {
    const c = await loadConfig({ cwd: project({ 'belay.yaml': YAML, ...SRC }), env: { ...ENV, BOARD_PORT: '' } });
    expect(c.device.port).toBe('auto');
  });

  it('reports every missing variable with ENV_MISSING at its string', async () => {
    const r = await validateConfig({ cwd: project({ 'belay.yaml': YAML, ...SRC }), env: {} });
    expect(where(r.diagnostics, 'error')).toEqual([
      ['ENV_MISSING', 6, 15],
      ['ENV_MISSING', 7, 35],
      ['ENV_MISSING', 9, 14],
    ]);
  });

  it('rejects unknown reference kinds and bad names', async () => {
    const r = await validateConfig({ cwd: project({ 'belay.yaml': 'files:\n  /a: "${HOME}"\n  /b: "${env:1X}"\n', ...SRC }), env: { HOME: '/h' } });
    expect(where(r.diagnostics, 'error')).toEqual([
      ['CONFIG_INVALID', 2, 7],
      ['CONFIG_INVALID', 3, 7],
    ]);
  });

  it('reports a missing variable in a profile at the profile line, and ignores unused profiles', async () => {
    const yaml = 'device:\n  port: auto\nprofiles:\n  prod:\n    device:\n      port: ${env:PROD_PORT}\n';
    const d = project({ 'belay.yaml': yaml, ...SRC });
    expect((await validateConfig({ cwd: d, env: {} })).ok).toBe(true);
    expect(where((await validateConfig({ cwd: d, profile: 'prod', env: {} })).diagnostics)).toEqual([['ENV_MISSING', 6, 13]]);
  });
});

describe('secrets', () => {
  it('records ${secret:..} values and secret files, and redacts them in any text', async () => {
    const c = await loadConfig({ cwd: project({ 'belay.yaml': YAML, ...SRC }), env: ENV });
    const text = `password=${ENV.WIFI_PASSWORD} token=${ENV.TOKEN} json=${JSON.stringify(ENV.WIFI_PASSWORD)} key=c2VjcmV0LWtleS1ib2R5`;
    const redacted = c.secrets.redact(text);
    expect(redacted).not.toContain(ENV.WIFI_PASSWORD);
    expect(redacted).not.toContain('p\\"4ss\\\\word');
    expect(redacted).not.toContain(ENV.TOKEN);
    expect(redacted).toContain('<secret:WIFI_PASSWORD>');
    expect(c.secrets.paths.has('/key.pem')).toBe(true);
    // The server URL is not secret.
    expect(c.secrets.redact('https://example.test')).toBe('https://example.test');
  });

  it('never shows a secret in the printable config (what `belay config` prints)', async () => {
    const c = await loadConfig({ cwd: project({ 'belay.yaml': YAML, ...SRC }), env: ENV });
    const printed = JSON.stringify(toPrintable(c));
    for (const secret of [ENV.WIFI_PASSWORD, ENV.TOKEN, 'c2VjcmV0LWtleS1ib2R5', JSON.stringify(ENV.WIFI_PASSWORD).slice(1, -1)]) {
      expect(printed).not.toContain(secret);
    }
    expect(printed).toContain('https://example.test');
  });

  it('redactSecrets cleans a plan-like object before it is written as JSON', async () => {
    const c = await loadConfig({ cwd: project({ 'belay.yaml': YAML, ...SRC }), env: ENV });
    const plan = {
      version: 1,
      profile: c.profile,
      changes: c.files.map((f) => ({ action: 'create', path: f.path, after: 'sha256:00', preview: f.content })),
      diff: [`+password: ${ENV.WIFI_PASSWORD}`, `-token: tok-${ENV.TOKEN}`],
      meta: { [ENV.TOKEN]: 'key named by a secret', bytes: new Uint8Array([1, 2, 3]) },
    };
    const written = JSON.stringify(redactSecrets(plan, c));
    expect(c.secrets.leaks(JSON.stringify(plan))).toBe(true);
    expect(c.secrets.leaks(written)).toBe(false);
    for (const secret of [ENV.WIFI_PASSWORD, ENV.TOKEN, 'c2VjcmV0LWtleS1ib2R5']) expect(written).not.toContain(secret);
    // The original is untouched; structure and non-secret data survive.
    expect(plan.diff[0]).toContain(ENV.WIFI_PASSWORD);
    expect(JSON.parse(written).changes.map((ch: { path: string }) => ch.path)).toEqual(plan.changes.map((ch) => ch.path));
  });

  it('redacts the longest secret first and handles cycles', () => {
    const s = new Secrets();
    s.add('abcd', 'SHORT');
    s.add('abcdefgh', 'LONG');
    expect(s.redact('xabcdefghx abcd')).toBe('x<secret:LONG>x <secret:SHORT>');
    const cyclic: Record<string, unknown> = { a: 'abcd' };
    cyclic.self = cyclic;
    const out = redactSecrets(cyclic, { secrets: s }) as Record<string, unknown>;
    expect(out.a).toBe('<secret:SHORT>');
    expect(out.self).toBe(out);
  });

  it('warns about very short secrets without printing them', async () => {
    const r = await validateConfig({ cwd: project({ 'belay.yaml': 'files:\n  /a: "${secret:PIN}"\n', ...SRC }), env: { PIN: '42' } });
    expect(r.ok).toBe(true);
    const w = r.diagnostics.find((d) => d.code === 'SECRET_SHORT');
    expect(w).toBeDefined();
    expect(JSON.stringify(r.diagnostics)).not.toContain('"42"');
  });

  it('keeps secrets out of error messages that quote interpolated values', async () => {
    const r = await validateConfig({ cwd: project({ 'belay.yaml': 'device:\n  port: "emulator:${secret:NAME}"\n', ...SRC }), env: { NAME: 'bad name!' } });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r.diagnostics)).not.toContain('bad name!');
  });
});

describe('masking hides a secret only where it is the value', () => {
  it('a one-letter secret leaves unrelated text alone, and is hidden where it stands as the value', async () => {
    const yaml = 'files:\n  /key.txt: "${secret:K}"\n  /kernel.json:\n    json: { mode: "k", name: "kernel" }\n';
    const c = await loadConfig({ cwd: project({ 'belay.yaml': yaml, ...SRC }), env: { K: 'k' } });
    expect(c.secrets.redact('/key.txt')).toBe('/key.txt');
    expect(c.secrets.redact('kernel k')).toBe('kernel <secret:K>');
    const printed = toPrintable(c) as { files: Record<string, { content: string }> };
    expect(Object.keys(printed.files)).toEqual(['/key.txt', '/kernel.json']);
    expect(printed.files['/key.txt'].content).toBe('<secret:K>');
    expect(printed.files['/kernel.json'].content).toContain('"kernel"');
  });

  it('a short secret glued into a longer string is still hidden there', async () => {
    const yaml = 'files:\n  /url.txt: "user:${secret:PIN}word@host"\n';
    const c = await loadConfig({ cwd: project({ 'belay.yaml': yaml, ...SRC }), env: { PIN: 'pass' } });
    const printed = JSON.stringify(toPrintable(c));
    expect(printed).not.toContain('password');
    expect(printed).toContain('user:<secret:PIN>word@host');
    expect(c.secrets.redact('a password field')).toBe('a password field');
  });

  it('the warning about a short secret stays readable', async () => {
    const r = await validateConfig({ cwd: project({ 'belay.yaml': 'files:\n  /a: "${secret:E}"\n', ...SRC }), env: { E: 'e' } });
    const w = r.diagnostics.find((d) => d.code === 'SECRET_SHORT');
    expect(w?.message).toMatch(/^secret E is shorter than 4 characters/);
    expect(w?.message).not.toContain('<secret:');
  });
});
