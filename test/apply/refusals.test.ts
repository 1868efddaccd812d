/**
 * Apply refuses a plan that no longer holds, before any write, and names
 * what moved: a board file the plan changes, one it creates, one it leaves
 * alone; another apply in between (the manifest); a local source changed
 * (found by hashing afresh: a hash cache that still says the old hash is
 * not believed), added or removed, or changed while the apply runs; another
 * config, profile or board; unresolved conflicts.
 */
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../src/device/device.js';
import { pyLiteral } from '../../src/device/snippets.js';
import { isBelayError, type ErrorCode } from '../../src/errors.js';
import { applyPlan } from '../../src/sync/apply.js';
import { hashCacheFile } from '../../src/sync/hash-cache.js';
import { checkPlanSettings } from '../../src/sync/stale.js';
import type { Plan } from '../../src/sync/types.js';
import { snapshot, withBoard } from '../transaction/helpers.js';
import { configOf, makeProject } from './helpers.js';
import { applyIt, buildScenario, copyOf, type Scenario } from './scenario.js';

let scenario: Scenario;
beforeAll(async () => {
  scenario = await buildScenario({});
}, 180_000);

/** A file on the board written behind belay's back (belay's writers refuse /.belay; a program does not). */
function boardWrite(device: Device, path: string, text: string): Promise<unknown> {
  return device.exec(`f = open(${pyLiteral(path)}, 'w')\nf.write(${pyLiteral(text)})\nf.close()`);
}

/**
 * Runs `prepare` on a copy of the old board, then the apply: it must fail
 * with `code` before any write (the board is as `prepare` left it).
 */
async function refused(code: ErrorCode, prepare: (device: Device) => Promise<unknown> = async () => undefined, apply = (device: Device) => applyIt(device, scenario)): Promise<{ paths: string[] }> {
  const flash = copyOf(scenario.template);
  const { err, before } = await withBoard(flash, {}, async (device, board) => {
    await prepare(device);
    const before = { state: snapshot(flash), mutations: board.mutations };
    const err = await apply(device).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(board.mutations, 'writes after the refusal began').toBe(before.mutations);
    return { err, before };
  });
  expect(isBelayError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
  expect(snapshot(flash)).toEqual(before.state);
  return (err as { data: { paths: string[] } }).data;
}

describe('apply refuses a stale plan, before any write', () => {
  it('when the board changed a file the plan updates', async () => {
    const data = await refused('PLAN_STALE', (device) => boardWrite(device, '/lib/util.py', 'X = 99\n'));
    expect(data.paths).toEqual(['/lib/util.py']);
  });

  it('when a file appeared where the plan creates one', async () => {
    const data = await refused('PLAN_STALE', (device) => device.exec("import os\nos.mkdir('/app')\nos.mkdir('/app/views')\nf = open('/app/views/home.py', 'w')\nf.write('x')\nf.close()"));
    // The folders the plan makes are there now too.
    expect(data.paths).toEqual(['/app', '/app/views', '/app/views/home.py']);
  });

  it('when the board changed a managed file the plan leaves alone', async () => {
    const data = await refused('PLAN_STALE', (device) => boardWrite(device, '/lib/keep_me.py', 'EDITED = 1\n'));
    expect(data.paths).toEqual(['/lib/keep_me.py']);
  });

  it('when a file the plan deletes is gone already', async () => {
    const data = await refused('PLAN_STALE', (device) => device.exec("import os\nos.remove('/lib/old.py')"));
    expect(data.paths).toEqual(['/lib/old.py']);
  });

  it('when another apply changed the manifest since', async () => {
    const data = await refused('PLAN_STALE', async (device) => {
      const text = (await device.fs.read('/.belay/manifest.json')).data!.toString('utf8');
      await boardWrite(device, '/.belay/manifest.json', text.replace('"old-apply"', '"another-apply"'));
    });
    expect(data.paths).toEqual(['/.belay/manifest.json']);
  });

  it('when the board is another board', async () => {
    await refused('PLAN_OTHER_BOARD', (device) => boardWrite(device, '/.belay/board-id', '00000000-0000-4000-8000-000000000000\n'));
  });
});

describe('apply refuses a plan whose sources or settings moved, before any write', () => {
  /** The scenario's project changed by `change`, put back afterwards. */
  async function withChangedProject<T>(change: () => void, work: () => Promise<T>): Promise<T> {
    const files = ['src/lib/util.py', 'src/lib/new/a.py', 'src/extra.py', 'belay.yaml'].map((f) => join(scenario.root, f));
    const saved = files.map((f) => {
      try {
        return readFileSync(f);
      } catch {
        return null;
      }
    });
    change();
    try {
      return await work();
    } finally {
      for (const [i, f] of files.entries()) {
        if (saved[i]) writeFileSync(f, saved[i]!);
        else rmSync(f, { force: true });
      }
      scenario.config = await configOf(scenario.root);
    }
  }

  it('when a local source changed, though the hash cache still says the planned hash', async () => {
    const local = join(scenario.root, 'src/lib/util.py');
    const data = await withChangedProject(
      () => {
        writeFileSync(local, 'X = 3\n'); // same size as the planned "X = 2\n"
        const old = new Date(Date.now() - 3_600_000);
        utimesSync(local, old, old);
        const stat = statSync(local);
        const planned = scenario.plan.changes.find((c) => c.path === '/lib/util.py')!.after!.hash;
        mkdirSync(join(scenario.root, '.belay'), { recursive: true });
        const entry = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, hashes: { sha256: planned } };
        writeFileSync(hashCacheFile(scenario.root), JSON.stringify({ version: 1, entries: { 'src/lib/util.py': entry } }));
      },
      () => refused('PLAN_SOURCES_CHANGED'),
    );
    expect(data.paths).toEqual(['/lib/util.py']);
  });

  it('when a local file was added or removed', async () => {
    const added = await withChangedProject(() => writeFileSync(join(scenario.root, 'src/extra.py'), 'E = 1\n'), () => refused('PLAN_SOURCES_CHANGED'));
    expect(added.paths).toEqual(['/extra.py']);
    const removed = await withChangedProject(() => rmSync(join(scenario.root, 'src/lib/new/a.py')), () => refused('PLAN_SOURCES_CHANGED'));
    expect(removed.paths).toEqual(['/lib/new/a.py']);
  });

  it('when a local file changes while the apply runs (the staged hash is not the planned one)', async () => {
    const local = join(scenario.root, 'src/main.py');
    const saved = readFileSync(local);
    const flash = copyOf(scenario.template);
    try {
      const err = await withBoard(flash, {}, (device) =>
        applyIt(device, scenario, { hooks: { onStart: (phase) => phase === 'stage' && writeFileSync(local, 'print("edited during the apply")\n') } }).catch((e: unknown) => e),
      );
      expect(isBelayError(err, 'PLAN_SOURCES_CHANGED'), String(err)).toBe(true);
      expect((err as { data: { paths: string[] } }).data.paths).toEqual(['/main.py']);
      expect(snapshot(flash)).toEqual(scenario.OLD);
    } finally {
      writeFileSync(local, saved);
    }
  });

  it('when belay.yaml changed', async () => {
    await withChangedProject(
      () => writeFileSync(join(scenario.root, 'belay.yaml'), `${readFileSync(join(scenario.root, 'belay.yaml'), 'utf8')}ignore: ["*.bak"]\n`),
      async () => {
        scenario.config = await configOf(scenario.root);
        await refused('PLAN_CONFIG_CHANGED');
      },
    );
  });

  it('when it was made for another profile', async () => {
    const root = makeProject({ 'src/main.py': 'x\n' }, 'sources: [src]\nprofiles:\n  a: {}\n  b: {}\n');
    const a = await configOf(root, 'a');
    const b = await configOf(root, 'b');
    const plan = { ...scenario.plan, profile: 'a', configDigest: scenario.plan.configDigest };
    expect(() => checkPlanSettings(plan, b)).toThrow(expect.objectContaining({ code: 'PLAN_OTHER_PROFILE' }));
    await refused('PLAN_OTHER_PROFILE', undefined, (device) => applyPlan(device, { ...scenario.plan, profile: 'a' }, { ...scenario.config, profile: 'b' }));
    expect(a.profile).toBe('a');
  });

  it('when it has unresolved conflicts', async () => {
    const plan: Plan = {
      ...scenario.plan,
      conflicts: [{ path: '/main.py', kind: 'both-changed', resolution: 'unresolved' }],
      summary: { ...scenario.plan.summary, unresolved: 1 },
    };
    await refused('PLAN_CONFLICTS', undefined, (device) => applyPlan(device, plan, scenario.config));
  });
});
