/**
 * `belay init` and `belay validate` as a user runs them: init notices a
 * top-level main.py and lib/ it leaves out when src/ is the board root, and
 * points the schema comment somewhere that resolves however belay was
 * installed; validate reports missing sources in the same run as schema
 * errors, so one run shows everything to fix.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { belay, tempProject } from '../helpers/cli.js';

const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('belay init', () => {
  it('with src/ as the root, names the top-level main.py and lib/ it does not deploy', async () => {
    const cwd = tempProject('belay-init-');
    mkdirSync(join(cwd, 'src'));
    mkdirSync(join(cwd, 'lib'));
    writeFileSync(join(cwd, 'src', 'app.py'), 'print(1)\n');
    writeFileSync(join(cwd, 'main.py'), 'print(2)\n');
    const run = await belay(['init', '--json'], { cwd });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).notDeployed).toEqual(['main.py', 'lib/']);
    const yaml = readFileSync(join(cwd, 'belay.yaml'), 'utf8');
    expect(yaml).toContain('#   to: /main.py');
    expect(yaml).toContain('#   to: /lib');
    const plain = await belay(['init', '--force'], { cwd });
    expect(plain.stderr).toContain('main.py and lib/');
  });

  it('points the schema comment at the published schema, or at the project\'s own installed copy', async () => {
    const bare = tempProject('belay-init-');
    expect((await belay(['init'], { cwd: bare })).code).toBe(0);
    expect(readFileSync(join(bare, 'belay.yaml'), 'utf8').split('\n')[0]).toBe(`# yaml-language-server: $schema=https://unpkg.com/belay@${version}/belay.config.schema.json`);
    const installed = tempProject('belay-init-');
    mkdirSync(join(installed, 'node_modules', 'belay'), { recursive: true });
    writeFileSync(join(installed, 'node_modules', 'belay', 'belay.config.schema.json'), '{}');
    expect((await belay(['init'], { cwd: installed })).code).toBe(0);
    expect(readFileSync(join(installed, 'belay.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/belay/belay.config.schema.json');
  });
});

describe('belay validate', () => {
  it('reports a missing source alongside schema errors', async () => {
    const cwd = tempProject('belay-validate-');
    writeFileSync(join(cwd, 'belay.yaml'), 'device:\n  baud: fast\nsources:\n  - from: nowhere\n    to: /\n');
    const run = await belay(['validate', '--json'], { cwd });
    expect(run.code).toBe(1);
    const errors = JSON.parse(run.stdout).errors as Array<{ code: string; message: string; line?: number }>;
    expect(errors.map((e) => e.code)).toContain('CONFIG_SCHEMA');
    const missing = errors.find((e) => e.code === 'CONFIG_INVALID' && e.message.includes('nowhere'));
    expect(missing).toBeDefined();
    expect(missing!.line).toBe(4);
  });
});
