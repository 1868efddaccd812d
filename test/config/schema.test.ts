import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../src/config/index.js';
import { project, SRC, where } from './helpers.js';

const check = (yaml: string) => validateConfig({ cwd: project({ 'belay.yaml': yaml, ...SRC }), env: {} });

describe('schema errors', () => {
  it('reports wrong types at the value, all at once', async () => {
    const r = await check(['device:', '  port: 5', '  baud: fast', 'prune: "yes"', 'sources: src', ''].join('\n'));
    expect(where(r.diagnostics, 'error')).toEqual([
      ['CONFIG_SCHEMA', 2, 9],
      ['CONFIG_SCHEMA', 3, 9],
      ['CONFIG_SCHEMA', 4, 8],
      ['CONFIG_SCHEMA', 5, 10],
    ]);
  });

  it('flags unknown keys at the key, with a did-you-mean', async () => {
    const r = await check(['device:', '  afterAply: none', 'sources:', '  - from: src', '    tpo: /', 'conflict: fail', ''].join('\n'));
    expect(where(r.diagnostics, 'error')).toEqual([
      ['CONFIG_SCHEMA', 2, 3],
      ['CONFIG_SCHEMA', 5, 5],
      ['CONFIG_SCHEMA', 6, 1],
    ]);
    expect(r.diagnostics.map((d) => d.suggestion)).toEqual(['afterApply', 'to', 'conflicts']);
  });

  it('gives no suggestion for a key nothing resembles', async () => {
    const r = await check('wibblewobble: 1\n');
    expect(r.diagnostics[0].code).toBe('CONFIG_SCHEMA');
    expect(r.diagnostics[0].suggestion).toBeUndefined();
  });

  it('suggests the nearest enum value', async () => {
    const r = await check('conflicts: prefer-locl\ndevice:\n  afterApply: softreset\n');
    expect(where(r.diagnostics, 'error')).toEqual([
      ['CONFIG_SCHEMA', 1, 12],
      ['CONFIG_SCHEMA', 3, 15],
    ]);
    expect(r.diagnostics.map((d) => d.suggestion)).toEqual(['prefer-local', 'soft-reset']);
  });

  it('reports a missing "from" on the source entry', async () => {
    const r = await check('sources:\n  - to: /lib\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 2, 5]]);
  });

  it('reports errors inside profiles at the profile line', async () => {
    const r = await check(['profiles:', '  dev:', '    device:', '      prot: emulator', '  "bad name": {}', ''].join('\n'));
    expect(where(r.diagnostics, 'error')).toEqual([
      ['CONFIG_SCHEMA', 4, 7],
      ['CONFIG_SCHEMA', 5, 3],
    ]);
  });

  it('does not let a profile declare profiles', async () => {
    const r = await check('profiles:\n  dev:\n    profiles: {}\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 3, 5]]);
  });

  it('reports a bad inline file entry and accepts the valid forms', async () => {
    const bad = await check('files:\n  /a: 5\n  /b: {content: x, secrett: true}\n');
    expect(where(bad.diagnostics, 'error')).toEqual([
      ['CONFIG_SCHEMA', 2, 7],
      ['CONFIG_SCHEMA', 3, 20],
    ]);
    const good = await check('files:\n  /a: text\n  /b: {content: x, secret: true}\n  /c: {json: [1, {k: v}]}\n');
    expect(good.ok).toBe(true);
  });

  it('requires exactly one of content and json', async () => {
    const r = await check('files:\n  /a: {content: x, json: 1}\n  /b: {secret: true}\n');
    expect(where(r.diagnostics, 'error')).toEqual([
      ['CONFIG_SCHEMA', 2, 3],
      ['CONFIG_SCHEMA', 3, 3],
    ]);
  });

  it('rejects null for a file outside profiles', async () => {
    const r = await check('files:\n  /a: null\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 2, 7]]);
  });
});

describe('the schema file', () => {
  const schema = JSON.parse(readFileSync(new URL('../../belay.config.schema.json', import.meta.url), 'utf8'));

  /** Every property a user can write, wherever it is declared. */
  function properties(node: unknown, path: string, out: Array<[string, Record<string, unknown>]>): void {
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Record<string, unknown>;
    for (const [name, value] of Object.entries((obj.properties as Record<string, unknown>) ?? {})) {
      out.push([`${path}.${name}`, value as Record<string, unknown>]);
      properties(value, `${path}.${name}`, out);
    }
  }

  it('gives every property a title, description, default and examples (or refers to a definition that does)', () => {
    const all: Array<[string, Record<string, unknown>]> = [];
    properties(schema, '', all);
    for (const [name, def] of Object.entries(schema.definitions as Record<string, unknown>)) properties(def, `#${name}`, all);
    expect(all.length).toBeGreaterThan(20);
    const resolve = (p: Record<string, unknown>) =>
      typeof p.$ref === 'string' ? (schema.definitions[(p.$ref as string).split('/').pop()!] as Record<string, unknown>) : p;
    const missing = all
      .map(([name, p]) => [name, resolve(p)] as const)
      .filter(([, p]) => !(typeof p.title === 'string' && typeof p.description === 'string' && 'default' in p && Array.isArray(p.examples) && p.examples.length > 0))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('validates its own examples of whole configs', async () => {
    const r = await validateConfig({ cwd: project({ 'belay.yaml': JSON.stringify({ profiles: schema.properties.profiles.examples[0] }), ...SRC }), env: {} });
    expect(r.ok).toBe(true);
  });
});
