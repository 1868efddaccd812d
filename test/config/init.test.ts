import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { initProject, validateConfig } from '../../src/config/index.js';
import { isBelayError } from '../../src/errors.js';
import { project } from './helpers.js';

describe('belay init', () => {
  it('in an empty folder: scaffolds src/main.py, writes a config that validates, ignores .belay/', async () => {
    const dir = project();
    const result = await initProject({ dir });
    expect(result.configFile).toBe(join(dir, 'belay.yaml'));
    expect(result.created).toEqual([join(dir, 'src', 'main.py')]);
    expect(result.gitignore).toBe('created');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.belay/\n');
    const text = readFileSync(result.configFile, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/belay/belay.config.schema.json');
    const r = await validateConfig({ cwd: dir, env: {} });
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.sources.map((s) => s.to)).toEqual(['/']);
  });

  it('with src/main.py: maps src to / and creates nothing else', async () => {
    const dir = project({ 'src/main.py': 'print(1)\n', '.gitignore': 'node_modules/' });
    const result = await initProject({ dir });
    expect(result.created).toEqual([]);
    expect(result.gitignore).toBe('updated');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n.belay/\n');
    const r = await validateConfig({ cwd: dir, env: {} });
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });

  it('with main.py, boot.py and lib/ at the top: maps each explicitly', async () => {
    const dir = project({ 'main.py': '', 'boot.py': '', 'lib/util.py': '', 'README.md': '' });
    await initProject({ dir });
    const raw = parseDocument(readFileSync(join(dir, 'belay.yaml'), 'utf8')).toJS();
    expect(raw.sources).toEqual([
      { from: 'boot.py', to: '/boot.py' },
      { from: 'main.py', to: '/main.py' },
      { from: 'lib', to: '/lib' },
    ]);
    const r = await validateConfig({ cwd: dir, env: {} });
    expect(r.ok).toBe(true);
  });

  it('never overwrites a config without force, and leaves .gitignore alone when .belay is already there', async () => {
    const dir = project({ 'src/main.py': '', '.gitignore': '/.belay\n' });
    const first = await initProject({ dir });
    expect(first.gitignore).toBe('unchanged');
    writeFileSync(first.configFile, 'prune: true\n');
    const err = await initProject({ dir }).catch((e: unknown) => e);
    expect(isBelayError(err, 'CONFIG_EXISTS')).toBe(true);
    expect(readFileSync(first.configFile, 'utf8')).toBe('prune: true\n');
    await initProject({ dir, force: true });
    expect(readFileSync(first.configFile, 'utf8')).toContain('sources:');
  });

  it('refuses when another config file form exists', async () => {
    const dir = project({ '.belayrc.json': '{}' });
    const err = await initProject({ dir }).catch((e: unknown) => e);
    expect(isBelayError(err, 'CONFIG_EXISTS')).toBe(true);
    expect(existsSync(join(dir, 'belay.yaml'))).toBe(false);
  });

  it('writes a given port, quoted when YAML needs it', async () => {
    const dir = project({ 'src/main.py': '' });
    await initProject({ dir, port: 'COM3' });
    const c = await validateConfig({ cwd: dir, env: {} });
    expect(c.config?.device.port).toBe('COM3');
    await initProject({ dir, port: 'yes', force: true });
    expect((await validateConfig({ cwd: dir, env: {} })).config?.device.port).toBe('yes');
  });
});
