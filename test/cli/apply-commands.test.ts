/**
 * `belay apply` as a user runs it (the built binary, the emulated board in
 * the project's .belay/emulator/default): plan-show-apply with --yes, a
 * saved plan applied without asking, `plan --detailed-exitcode` exiting 0
 * afterwards, refusals with their codes and the board untouched, --json
 * events one per line, signed plans end to end, the after-apply soft reset
 * running main.py, and recovery of an interrupted commit by whichever
 * command connects next.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/device/device.js';
import { withBoard } from '../transaction/helpers.js';
import { isBelayError } from '../../src/errors.js';
import { applyPlan } from '../../src/sync/apply.js';
import { parsePlan } from '../../src/sync/plan-file.js';
import { runBelay } from '../helpers/cli.js';
import { makeProject, planOn } from '../apply/helpers.js';

const CONFIG = 'device:\n  port: emulator\nsources:\n  - from: src\n    to: /\n';

function project(config = CONFIG): string {
  return makeProject({ 'src/main.py': "print('hi')\n", 'src/lib/util.py': 'X = 1\n' }, config);
}

/** The emulated board's flash folder (docs/emulator.md). */
const flash = (cwd: string, ...parts: string[]) => join(cwd, '.belay', 'emulator', 'default', ...parts);

describe('belay apply', { timeout: 240_000 }, () => {
  it('plans, shows and applies with --yes; a saved plan is applied without asking; plan then exits 0', async () => {
    const cwd = project();
    const applied = await runBelay(cwd, ['apply', '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('+ /lib/util.py');
    expect(applied.stderr).toContain('Apply complete: 2 created, 0 updated, 0 deleted');
    expect(readFileSync(flash(cwd, 'lib', 'util.py'), 'utf8')).toBe('X = 1\n');
    expect((await runBelay(cwd, ['plan', '--detailed-exitcode'])).code).toBe(0);

    writeFileSync(join(cwd, 'src', 'main.py'), "print('v2')\n");
    expect((await runBelay(cwd, ['plan', '--out', 'plan.json', '--detailed-exitcode'])).code).toBe(2);
    // No terminal here: a plan file needs no --yes (it was reviewed).
    const saved = await runBelay(cwd, ['apply', 'plan.json']);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toContain('Apply complete: 0 created, 1 updated, 0 deleted');
    expect(readFileSync(flash(cwd, 'main.py'), 'utf8')).toBe("print('v2')\n");
    const after = await runBelay(cwd, ['plan', '--detailed-exitcode']);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('No changes.');
    // The same plan again: the board moved on, so it is stale.
    const again = await runBelay(cwd, ['apply', 'plan.json']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[PLAN_STALE]');
  });

  it('without a plan file and without a terminal, --yes is required; nothing is written', async () => {
    const cwd = project();
    const run = await runBelay(cwd, ['apply']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('[USAGE]');
    expect(existsSync(flash(cwd, 'main.py'))).toBe(false);
  });

  it('refuses an edited plan, a file that is no plan, a stale plan and changed sources, each before any write', async () => {
    const cwd = project();
    expect((await runBelay(cwd, ['plan', '--out', 'plan.json'])).code).toBe(0);
    const plan = JSON.parse(readFileSync(join(cwd, 'plan.json'), 'utf8')) as { changes: Array<{ path: string }> };
    plan.changes[0].path = '/boot.py';
    writeFileSync(join(cwd, 'edited.json'), JSON.stringify(plan));
    writeFileSync(join(cwd, 'junk.json'), '{"formatVersion": 1}');
    for (const [file, code] of [
      ['edited.json', 'PLAN_INTEGRITY'],
      ['junk.json', 'PLAN_INVALID'],
      ['missing.json', 'LOCAL_IO'],
    ]) {
      const run = await runBelay(cwd, ['apply', file]);
      expect(run.code, file).toBe(1);
      expect(run.stderr).toContain(`[${code}]`);
    }
    // The board changed behind the plan's back.
    writeFileSync(join(cwd, 'other.py'), 'other\n');
    expect((await runBelay(cwd, ['put', 'other.py', '/main.py'])).code).toBe(0);
    const stale = await runBelay(cwd, ['apply', 'plan.json']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('[PLAN_STALE]');
    expect(stale.stderr).toContain('"/main.py"');
    expect(stale.stderr).toContain('belay plan --out FILE');
    expect(existsSync(flash(cwd, 'lib'))).toBe(false);
    // The sources changed.
    expect((await runBelay(cwd, ['plan', '--out', 'plan.json'])).code).toBe(0);
    writeFileSync(join(cwd, 'src', 'lib', 'util.py'), 'X = 2\n');
    const sources = await runBelay(cwd, ['apply', 'plan.json']);
    expect(sources.code).toBe(1);
    expect(sources.stderr).toContain('[PLAN_SOURCES_CHANGED]');
    expect(sources.stderr).toContain('"/lib/util.py"');
    expect(existsSync(flash(cwd, 'lib'))).toBe(false);
  });

  it('--json: one JSON event per line, from the plan to the result', async () => {
    const cwd = project();
    const run = await runBelay(cwd, ['apply', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; phase?: string });
    expect(events[0].event).toBe('plan');
    const phases = events.filter((e) => e.event === 'start').map((e) => e.phase);
    expect(phases).toEqual(['check', 'stage', 'commit', 'cleanup']);
    expect(events.filter((e) => e.event === 'done').map((e) => e.phase)).toEqual(phases);
    const progress = events.filter((e) => e.event === 'progress') as unknown as Array<{ path: string; fileDone: number; fileTotal: number; done: number; total: number }>;
    expect(progress.map((p) => p.path)).toContain('/lib/util.py');
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    const result = events.at(-1) as unknown as { event: string; created: string[] };
    expect(result.event).toBe('result');
    expect(result.created).toEqual(['/lib/util.py', '/main.py']);
  });

  it('signed plans: keygen, plan --sign, apply --require-signature or device.requireSignature; unsigned and other keys refused', async () => {
    const cwd = project();
    const keygen = await runBelay(cwd, ['keygen', 'reviewer']);
    expect(keygen.code, keygen.stderr).toBe(0);
    expect((await runBelay(cwd, ['keygen', 'reviewer'])).stderr).toContain('[LOCAL_IO]');
    expect((await runBelay(cwd, ['keygen', 'stranger'])).code).toBe(0);

    expect((await runBelay(cwd, ['plan', '--out', 'unsigned.json'])).code).toBe(0);
    expect((await runBelay(cwd, ['plan', '--out', 'other.json', '--sign', 'stranger.key'])).code).toBe(0);
    const signed = await runBelay(cwd, ['plan', '--out', 'signed.json', '--sign', 'reviewer.key']);
    expect(signed.code, signed.stderr).toBe(0);
    expect(parsePlan(readFileSync(join(cwd, 'signed.json'), 'utf8')).signature?.algorithm).toBe('ed25519');
    expect((await runBelay(cwd, ['plan', '--sign', 'reviewer.key'])).stderr).toContain('[USAGE]');

    for (const file of ['unsigned.json', 'other.json']) {
      const run = await runBelay(cwd, ['apply', file, '--require-signature', 'reviewer.pub']);
      expect(run.code, file).toBe(1);
      expect(run.stderr).toContain('[PLAN_SIGNATURE]');
    }
    expect(existsSync(flash(cwd, 'main.py'))).toBe(false);

    // The same requirement from belay.yaml: a plan file must be signed, and apply without one is refused.
    writeFileSync(join(cwd, 'belay.yaml'), `${CONFIG}`.replace('  port: emulator\n', '  port: emulator\n  requireSignature: reviewer.pub\n'));
    expect((await runBelay(cwd, ['apply', '--yes'])).stderr).toContain('[PLAN_SIGNATURE]');
    expect((await runBelay(cwd, ['apply', 'unsigned.json'])).stderr).toContain('[PLAN_SIGNATURE]');
    const ok = await runBelay(cwd, ['apply', 'signed.json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(flash(cwd, 'main.py'))).toBe(true);
  });

  it('after apply, says which reset it ran (afterApply in belay.yaml)', async () => {
    const cwd = project(CONFIG.replace('  port: emulator\n', '  port: emulator\n  afterApply: soft-reset\n'));
    const run = await runBelay(cwd, ['apply', '-y']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('After apply: soft-reset');
  });

  it('an interrupted commit is finished by the next command that touches files, which says so (exec leaves it)', async () => {
    const cwd = project();
    const dir = flash(cwd);
    // The board as belay plan leaves it (its id stored), and a copy to count the apply's writes on.
    const counting = join(makeProject({}), 'flash');
    await withBoard(dir, {}, (device) => planOn(device, cwd));
    cpSync(dir, counting, { recursive: true });
    const applyOn = (device: Device) => planOn(device, cwd).then(({ plan, config }) => applyPlan(device, plan, config, { afterApply: 'none' }));
    const writes = await withBoard(counting, {}, async (device, board) => {
      await applyOn(device);
      return board.mutations;
    });
    // A power cut near the end of the commit: the journal is on the board, work is left.
    const err = await withBoard(dir, { powerCutAtWrite: writes - 2 }, (device) => applyOn(device).catch((e: unknown) => e));
    expect(isBelayError(err, 'LINK_LOST'), String(err)).toBe(true);
    expect(existsSync(join(dir, '.belay', 'journal.json'))).toBe(true);
    // exec only runs code: it neither probes nor recovers, and the journal waits.
    const exec = await runBelay(cwd, ['exec', 'print(6*7)']);
    expect(exec, exec.stderr).toMatchObject({ code: 0, stdout: '42\n' });
    expect(exec.stderr).not.toContain('recovered');
    expect(existsSync(join(dir, '.belay', 'journal.json'))).toBe(true);
    const ls = await runBelay(cwd, ['ls', '/']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stderr).toContain('recovered: finished an interrupted commit');
    expect(existsSync(join(dir, '.belay', 'journal.json'))).toBe(false);
    const plan = await runBelay(cwd, ['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stderr).not.toContain('recovered');
  });
});
