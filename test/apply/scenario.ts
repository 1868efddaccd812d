// The apply the fault tests break: a board deployed by an earlier apply,
// and a plan that updates 4 files, creates 5 (in new nested folders, one
// of them binary and larger than a transfer frame), deletes 3 (emptying a
// folder, which goes too), leaves a managed file and an unmanaged file
// alone, and writes the new manifest. Built once per flash kind: the old
// flash folder (a template every case copies), the plan made against it,
// and the new state a clean apply leaves (with a fixed apply id and time, so
// "new" is one exact set of bytes, manifest included).
import { copyFileSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/types.js';
import type { Device } from '../../src/device/device.js';
import { applyPlan, type ApplyOptions } from '../../src/sync/apply.js';
import { parsePlan, serializePlan } from '../../src/sync/plan-file.js';
import type { Plan } from '../../src/sync/types.js';
import { tempDir } from '../helpers/boards.js';
import { snapshot, withBoard, type BoardMode } from '../transaction/helpers.js';
import { makeProject, planOn, writeFiles, type Files } from './helpers.js';

const OLD_SOURCES: Files = {
  'src/main.py': 'import app\napp.run()\n',
  'src/lib/util.py': 'X = 1\n',
  'src/lib/net/wifi.py': 'SSID = "old"\n',
  'src/lib/keep_me.py': 'UNCHANGED = True\n',
  'src/lib/old.py': 'print("removed from the config")\n',
  'src/lib/gone/x.py': 'X = "gone"\n',
  'src/lib/gone/y.py': 'Y = "gone"\n',
  'src/config.json': '{"debug": false}\n',
};

const NEW_SOURCES: Files = {
  'src/main.py': 'import app\napp.run(debug=False)\n',
  'src/lib/util.py': 'X = 2\n',
  'src/lib/net/wifi.py': 'SSID = "new"\n',
  'src/config.json': '{"debug": true}\n',
  'src/lib/old.py': null,
  'src/lib/gone/x.py': null,
  'src/lib/gone/y.py': null,
  'src/lib/new/a.py': 'A = 1\n',
  'src/lib/new/deep/b.py': 'B = 2\n',
  'src/lib/new/deep/c.txt': "a name's \"text\"\n",
  'src/app/views/home.py': 'def home():\n    return "hi"\n',
  'src/static/logo.bin': Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 31 + 7) & 0xff)),
};

export const FIXED: Pick<ApplyOptions, 'now' | 'applyId'> = { now: new Date('2025-02-03T04:05:06Z'), applyId: 'test-apply' };

export interface Scenario {
  mode: BoardMode;
  /** The old board: copy it for each case. */
  template: string;
  /** The project the plan is made from. */
  root: string;
  plan: Plan;
  config: LoadedConfig;
  OLD: Record<string, string>;
  NEW: Record<string, string>;
  /** Filesystem mutations of a clean apply of the plan (connect and check included: they make none). */
  mutations: number;
  /** Bytes the host sends during a clean apply, connection included. */
  bytesToBoard: number;
}

/** A copy of a board: its flash and its unique id (kept beside the flash), so the plan made for it still applies. */
export function copyOf(flash: string): string {
  const to = join(tempDir('belay-apply-case-'), 'flash');
  cpSync(flash, to, { recursive: true });
  if (existsSync(`${flash}.id`)) copyFileSync(`${flash}.id`, `${to}.id`);
  return to;
}

/** The apply every fault case runs (the same options as the clean one, so "new" is byte for byte the same). */
export function applyIt(device: Device, scenario: Pick<Scenario, 'plan' | 'config'>, options: ApplyOptions = {}) {
  return applyPlan(device, scenario.plan, scenario.config, { ...FIXED, afterApply: 'none', ...options });
}

export async function buildScenario(mode: BoardMode): Promise<Scenario> {
  // The old state: what an earlier apply of the old sources left, plus a file belay does not manage.
  const template = join(tempDir('belay-apply-template-'), 'flash');
  const root = makeProject(OLD_SOURCES);
  await withBoard(template, mode, async (device) => {
    await device.fs.write('/notes.txt', Buffer.from('the board owns this\n'));
    const old = await planOn(device, root);
    await applyPlan(device, old.plan, old.config, { ...FIXED, applyId: 'old-apply', afterApply: 'none' });
  });
  writeFiles(root, NEW_SOURCES);
  const OLD = snapshot(template);

  const done = copyOf(template);
  const made = await withBoard(done, mode, async (device, board) => {
    const made = await planOn(device, root);
    // Through the file, as `belay plan --out` and `belay apply FILE` see it.
    const plan = parsePlan(serializePlan(made.plan));
    const config = made.config;
    // Planning wrote nothing (the board id was stored by the old apply's plan): the copies are the old board.
    expect(snapshot(done)).toEqual(OLD);
    const before = board.mutations;
    const sentBefore = board.bytesToBoard;
    await applyIt(device, { plan, config });
    return { plan, config, mutations: board.mutations - before, bytesToBoard: board.bytesToBoard - sentBefore };
  });
  const NEW = snapshot(done);
  const summary = made.plan.summary;
  expect(summary.create + summary.update + summary.delete).toBeGreaterThanOrEqual(10);
  expect([summary.create, summary.update, summary.delete, summary.rmdir]).toEqual([5, 4, 3, 1]);
  expect(NEW['/notes.txt']).toBe(OLD['/notes.txt']);
  expect(NEW['/lib/keep_me.py']).toBe(OLD['/lib/keep_me.py']);
  expect(NEW['/lib/gone']).toBeUndefined();
  return { mode, template, root, ...made, OLD, NEW };
}

/** Board files (not belay's records, not temps) by path: "dir" or a content hash. */
function userFiles(state: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).filter(([path]) => !path.startsWith('/.belay') && !/\/\.belay-tmp-/.test(path)));
}

/**
 * Right after a cut, before any recovery: every file is entirely its old or
 * its new content (absent counts as content where a side has no file). On
 * FAT a file being replaced may be absent while a journal is on the board:
 * remove-then-rename was cut in the middle, and the journal names the
 * staged copy that recovery renames into place.
 */
export function eachFileOldOrNew(flash: string, scenario: Scenario, step: string): void {
  const now = snapshot(flash);
  const files = userFiles(now);
  const old = userFiles(scenario.OLD);
  const next = userFiles(scenario.NEW);
  const journal = now['/.belay/journal.json'] !== undefined;
  for (const path of new Set([...Object.keys(files), ...Object.keys(old), ...Object.keys(next)])) {
    const value = files[path];
    if (value === old[path] || value === next[path]) continue;
    const gapOnFat = scenario.mode.filesystem === 'fat' && journal && value === undefined && old[path] !== undefined && next[path] !== undefined;
    expect(gapOnFat, `${step}: ${path} is neither old nor new (${value}; old ${old[path]}, new ${next[path]})`).toBe(true);
  }
}

/**
 * A board state without the helpers' copies (/.belay/helpers): belay saves
 * them when a session first writes, a cut may leave some or none, and none
 * is part of what an apply decides (a torn copy is never run, see
 * test/fs/helper-cache.test.ts).
 */
function withoutHelperCopies(state: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).filter(([path]) => path !== '/.belay/helpers' && !path.startsWith('/.belay/helpers/')));
}

/** 'old', 'new', or the mix found (every path that differs from both). */
export function wholeState(flash: string, scenario: Scenario): string {
  const now = withoutHelperCopies(snapshot(flash));
  const OLD = withoutHelperCopies(scenario.OLD);
  const NEW = withoutHelperCopies(scenario.NEW);
  const same = (a: Record<string, string>) => JSON.stringify(a) === JSON.stringify(now);
  if (same(OLD)) return 'old';
  if (same(NEW)) return 'new';
  const paths = [...new Set([...Object.keys(now), ...Object.keys(OLD), ...Object.keys(NEW)])].sort();
  const differs = (state: Record<string, string>) => paths.filter((p) => now[p] !== state[p]).join(', ');
  return `mixed: not old at ${differs(OLD)}; not new at ${differs(NEW)}`;
}

/**
 * After a fault: each file is old or new right away; then belay connects
 * again (recovery runs) and the whole state is read: 'old', 'new' or the
 * mix found. `then` sees the recovered board too.
 */
export async function recoveredState(flash: string, scenario: Scenario, step: string, then?: (device: Device, state: string) => Promise<void>): Promise<string> {
  eachFileOldOrNew(flash, scenario, step);
  const state = await withBoard(flash, scenario.mode, async (device) => {
    await device.fs.recover();
    const state = wholeState(flash, scenario);
    await then?.(device, state);
    return state;
  });
  expect(state, `${step}, then recovery`).toMatch(/^(old|new)$/);
  return state;
}

/** The states of a sweep, fault by fault: old up to the journal, new from it on, never back. Returns where new begins. */
export function expectOldThenNew(states: string[]): number {
  const firstNew = states.indexOf('new');
  expect(firstNew, states.join(' ')).toBeGreaterThan(0);
  expect(states.slice(firstNew).every((s) => s === 'new'), states.join(' ')).toBe(true);
  return firstNew;
}

/** A fault sweep: the scenario built once for `mode`, and the one test of the whole-set promise, run by `sweep`. */
export function describeSweep(title: string, mode: BoardMode, sweep: (scenario: Scenario) => Promise<void>): void {
  describe(title, () => {
    let scenario: Scenario;
    beforeAll(async () => {
      scenario = await buildScenario(mode);
    }, 180_000);
    it('leaves each file old or new, and after recovery the whole old or the whole new state', () => sweep(scenario), 1_200_000);
  });
}
