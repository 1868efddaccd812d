import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { formatDiagnostic, loadConfig, validateConfig } from '../../src/config/index.js';
import { isBelayError } from '../../src/errors.js';
import { project, SRC, where } from './helpers.js';

const check = (yaml: string, extra: Record<string, string> = SRC) => validateConfig({ cwd: project({ 'belay.yaml': yaml, ...extra }), env: {} });

describe('YAML syntax errors', () => {
  it('reports an unclosed flow sequence with its line and column', async () => {
    const r = await check('device:\n  port: auto\nsources: [src\n');
    expect(r.ok).toBe(false);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((d) => d.code === 'CONFIG_SYNTAX')).toBe(true);
    expect(errors[0].line).toBeGreaterThanOrEqual(3);
  });

  it('reports a duplicate key at the second occurrence', async () => {
    const r = await check('prune: true\nconflicts: fail\nprune: false\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SYNTAX', 3, 1]]);
  });

  it('reports bad indentation with a position inside the file', async () => {
    const r = await check('device:\n  port: auto\n baud: 9600\n');
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].code).toBe('CONFIG_SYNTAX');
    expect(errors[0].line).toBe(3);
  });

  it('reports several syntax errors at once', async () => {
    const r = await check('a: [1\nb: {2\n');
    expect(r.diagnostics.filter((d) => d.code === 'CONFIG_SYNTAX').length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a second YAML document', async () => {
    const r = await check('prune: true\n---\nprune: false\n');
    expect(r.diagnostics[0].code).toBe('CONFIG_SYNTAX');
    expect(r.diagnostics[0].line).toBe(2);
  });

  it('stops an alias bomb with an error, not a hang or a crash', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const r = await check(`${bomb.join('\n')}\n`);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0].code).toBe('CONFIG_SYNTAX');
  });

  it('formats as file:LINE:COL with the source line and a caret under the offending text', async () => {
    const dir = project({ 'belay.yaml': 'device:\n  baud: fast\n', ...SRC });
    const r = await validateConfig({ cwd: dir, env: {} });
    const text = formatDiagnostic(r.diagnostics[0], { cwd: dir });
    const [first, excerpt, caret] = text.split('\n');
    expect(first.startsWith('belay.yaml:2:9: error:')).toBe(true);
    expect(excerpt).toContain('  baud: fast');
    // The caret run sits exactly under "fast".
    const bar = excerpt.indexOf('|');
    expect(caret.indexOf('^') - caret.indexOf('|')).toBe(excerpt.indexOf('fast') - bar);
    expect(caret.match(/\^+/)![0]).toHaveLength(4);
  });

  it('accepts an empty file as all defaults', async () => {
    const r = await check('');
    expect(r.ok).toBe(true);
    expect(r.config?.device).toEqual({ port: 'auto', baud: 115200, afterApply: 'none' });
    expect(r.config?.conflicts).toBe('fail');
    expect(r.config?.prune).toBe(false);
  });

  it('reports a non-mapping document at line 1', async () => {
    const r = await check('- just\n- a list\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 1, 1]]);
  });

  it('loadConfig throws one BelayError carrying every diagnostic and the first position', async () => {
    const dir = project({ 'belay.yaml': 'device:\n  baud: fast\nconflicts: nope\n', ...SRC });
    const err = await loadConfig({ cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(isBelayError(err, 'CONFIG_SCHEMA')).toBe(true);
    if (!isBelayError(err)) return;
    expect(err.data).toMatchObject({ file: join(dir, 'belay.yaml'), line: 2, col: 9 });
    expect((err.data.diagnostics as unknown[]).length).toBe(2);
    expect(err.detail).toContain('belay.yaml:3:12');
  });

  it('handles unicode keys and values without crashing', async () => {
    const r = await check('dévice:\n  port: "ポート"\n');
    expect(where(r.diagnostics, 'error')).toEqual([['CONFIG_SCHEMA', 1, 1]]);
    expect(r.diagnostics[0].suggestion).toBe('device');
  });
});
