/**
 * Hostile or odd input: every case ends in diagnostics with codes and
 * positions (or a clean result), never an exception or a prototype change.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../src/config/index.js';
import { project, SRC, where } from './helpers.js';

const check = (text: string, file = 'belay.yaml') => validateConfig({ cwd: project({ [file]: text, ...SRC }), env: {} });

describe('hostile input', () => {
  it('reports a !!binary value once, not one error per byte', async () => {
    const r = await check('files:\n  /a: !!binary aGVsbG8=\n');
    // Positioned at the tagged value itself.
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 2, 16]]);
  });

  it('reports tab indentation as a syntax error at the tab', async () => {
    const r = await check('device:\n\tport: auto\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SYNTAX', 2, 1]]);
  });

  it('reports an empty inline file key at the key', async () => {
    const r = await check('files:\n  "": x\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 2, 3]]);
  });

  it('flags a top-level __proto__ key as unknown and leaves Object.prototype alone', async () => {
    const r = await check('__proto__: {prune: true}\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 1, 1]]);
    expect(({} as Record<string, unknown>).prune).toBeUndefined();
  });

  it('keeps a __proto__ key inside json content as data', async () => {
    const c = await loadConfig({ cwd: project({ 'belay.yaml': 'files:\n  /a:\n    json: {__proto__: {x: 1}, y: 2}\n', ...SRC }), env: {} });
    expect(JSON.parse(c.files[0].content)).toEqual(JSON.parse('{"__proto__": {"x": 1}, "y": 2}'));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('accepts YAML merge keys for shared settings', async () => {
    const r = await check('profiles:\n  dev: &dev\n    device: {port: emulator}\n  ci:\n    <<: *dev\n    prune: true\n');
    expect(r.ok).toBe(true);
    const ci = await validateConfig({ cwd: project({ 'belay.yaml': 'profiles:\n  dev: &dev\n    device: {port: emulator}\n  ci:\n    <<: *dev\n    prune: true\n', ...SRC }), profile: 'ci', env: {} });
    expect(ci.config?.device.port).toBe('emulator');
  });

  it('handles CRLF line endings and a byte-order mark with correct positions', async () => {
    const r = await check('\uFEFFdevice:\r\n  baud: fast\r\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 2, 9]]);
    expect(r.diagnostics[0].sourceLine).toBe('  baud: fast');
  });

  it('survives absurd nesting with a syntax or schema error, not a crash', async () => {
    const r = await check(`files:\n  /a:\n    json: ${'['.repeat(3000)}${']'.repeat(3000)}\n`);
    // Either outcome is acceptable; what matters is a result, not an exception.
    expect(typeof r.ok).toBe('boolean');
  });

  it('rejects a NUL byte in a local path', async () => {
    const r = await check('sources: ["src\\0"]\n');
    expect(where(r.diagnostics, 'error')).toEqual([['PATH_INVALID', 1, 11]]);
  });
});
