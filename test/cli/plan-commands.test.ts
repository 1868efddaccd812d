/**
 * `belay plan` and `belay show` as a user runs them (the built binary, the
 * emulated board whose flash is a folder under the project): exit codes of
 * --detailed-exitcode, the saved plan read back by show, refusals of an
 * edited or newer plan, and "No changes" after applying by hand.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/sync/plan-file.js';
import { tempDir } from '../helpers/boards.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

function belay(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', BELAY_PORT: '', BELAY_PROFILE: '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function project(): string {
  const cwd = tempDir('belay-plan-cli-');
  mkdirSync(join(cwd, 'src', 'lib'), { recursive: true });
  writeFileSync(join(cwd, 'src', 'main.py'), "print('hi')\n");
  writeFileSync(join(cwd, 'src', 'lib', 'util.py'), 'X = 1\n');
  writeFileSync(join(cwd, 'belay.yaml'), 'device:\n  port: emulator\nsources:\n  - from: src\n    to: /\n');
  return cwd;
}

/** The emulated board's flash folder (see docs/emulator.md). */
const flash = (cwd: string, ...parts: string[]) => join(cwd, '.belay', 'emulator', 'default', ...parts);

// Each case runs the binary several times, each starting an emulated board:
// seconds apiece on a busy machine, so the cases get room (no timing is asserted).
describe('belay plan', { timeout: 180_000 }, () => {
  it('exit 2 with changes, then "No changes" and exit 0 once applied by hand', async () => {
    const cwd = project();
    const first = await belay(cwd, 'plan', '--detailed-exitcode');
    expect(first.code).toBe(2);
    expect(first.stdout).toContain('+ /main.py');
    expect(first.stdout).toContain('Plan: 2 to create, 0 to update, 0 to delete. Folders: 1 to create, 0 to remove.');
    // Without the flag, changes are not an error.
    expect((await belay(cwd, 'plan')).code).toBe(0);
    expect((await belay(cwd, 'put', '-r', 'src', '/')).code).toBe(0);
    const second = await belay(cwd, 'plan', '--detailed-exitcode');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes.');
  });

  it('--out saves a plan that show renders the same way, in every format', async () => {
    const cwd = project();
    const planned = await belay(cwd, 'plan', '--out', 'plans/next.json');
    expect(planned.code).toBe(0);
    const text = readFileSync(join(cwd, 'plans', 'next.json'), 'utf8');
    const saved = parsePlan(text);
    expect(saved.summary.create).toBe(2);
    const shown = await belay(cwd, 'show', 'plans/next.json');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(planned.stdout);
    expect((await belay(cwd, 'show', 'plans/next.json', '--json')).stdout).toBe(text);
    const md = await belay(cwd, 'show', 'plans/next.json', '--format', 'markdown');
    expect(md.stdout).toMatch(/^### belay plan: 2 to create/);
    const json = await belay(cwd, 'plan', '--format', 'json');
    expect(parsePlan(json.stdout).changes).toEqual(saved.changes);
  });

  it('show refuses an edited plan, a newer format and a missing file, each with its code', async () => {
    const cwd = project();
    await belay(cwd, 'plan', '--out', 'plan.json');
    const plan = JSON.parse(readFileSync(join(cwd, 'plan.json'), 'utf8')) as Record<string, any>;
    plan.changes[0].path = '/boot.py';
    writeFileSync(join(cwd, 'edited.json'), JSON.stringify(plan));
    const edited = await belay(cwd, 'show', 'edited.json');
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('[PLAN_INTEGRITY]');
    writeFileSync(join(cwd, 'newer.json'), JSON.stringify({ ...plan, formatVersion: 2 }));
    expect((await belay(cwd, 'show', 'newer.json')).stderr).toContain('[PLAN_VERSION]');
    expect((await belay(cwd, 'show', 'missing.json')).stderr).toContain('[LOCAL_IO]');
  });

  it('unresolved conflicts: exit 3 with --detailed-exitcode, 1 without; a policy settles them', async () => {
    const cwd = project();
    await belay(cwd, 'put', '-r', 'src', '/');
    const board = parsePlan((await belay(cwd, 'plan', '--json')).stdout).board.id;
    // What an earlier apply recorded for /main.py; since then both sides changed it.
    const manifest = {
      formatVersion: 1,
      board,
      applyId: 'earlier',
      appliedAt: '2025-01-01T00:00:00.000Z',
      belayVersion: '0.1.0',
      profile: null,
      hashAlgorithm: 'sha256',
      files: { '/main.py': { size: 3, hash: 'a'.repeat(64) } },
      dirs: [],
    };
    mkdirSync(flash(cwd, '.belay'), { recursive: true });
    writeFileSync(flash(cwd, '.belay', 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(flash(cwd, 'main.py'), "print('board edit')\n");
    const blocked = await belay(cwd, 'plan', '--detailed-exitcode');
    expect(blocked.code).toBe(3);
    expect(blocked.stdout).toContain('! /main.py');
    expect((await belay(cwd, 'plan')).code).toBe(1);
    writeFileSync(join(cwd, 'belay.yaml'), `${readFileSync(join(cwd, 'belay.yaml'), 'utf8')}conflicts: keep-both\n`);
    const settled = await belay(cwd, 'plan', '--detailed-exitcode');
    expect(settled.code).toBe(2);
    expect(settled.stdout).toMatch(/~ \/main\.py .*kept as \/main\.board-[0-9a-f]{8}\.py/);
  });

  it('a usage error under --detailed-exitcode exits 1, never 2 ("changes")', async () => {
    const cwd = project();
    expect((await belay(cwd, 'plan', '--detailed-exitcode', '--format', 'yaml')).code).toBe(1);
    expect((await belay(cwd, 'plan', '--format', 'yaml')).code).toBe(2);
  });

  it('a config error is exit 1 with its code', async () => {
    const cwd = project();
    writeFileSync(join(cwd, 'belay.yaml'), 'sources: [{from: nowhere}]\n');
    const result = await belay(cwd, '--port', 'emulator', 'plan', '--detailed-exitcode');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[CONFIG_/);
  });
});
