/**
 * Plans against the emulated board: plan a project, apply it by hand with
 * the filesystem API, plan again and find nothing to do; then a recorded
 * manifest (as apply would write it) for deletes, drift and conflicts;
 * review diffs with secrets redacted; the board id stored once; a board
 * without hashlib; a broken manifest.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { Device } from '../../src/device/device.js';
import { makePlan } from '../../src/sync/make-plan.js';
import { readManifest } from '../../src/sync/manifest.js';
import { reviewChanges } from '../../src/sync/review.js';
import { Secrets } from '../../src/config/secrets.js';
import { hashBytes } from '../../src/hashing/hashing.js';
import { reservedPath } from '../../src/paths/reserved.js';
import { BOARD_ID_NAME, BOARD_ID_PATH, MANIFEST_NAME, MANIFEST_PATH } from '../../src/sync/records.js';
import type { Manifest, Plan } from '../../src/sync/types.js';
import { openBoard, type Board } from '../fs/helpers.js';
import { tempDir } from '../helpers/boards.js';

const FIXED = new Date('2025-01-01T00:00:00Z');

function project(): string {
  const root = tempDir('belay-plan-');
  mkdirSync(join(root, 'src', 'lib', 'deep'), { recursive: true });
  writeFileSync(join(root, 'src', 'main.py'), "import lib.util\nprint('hello')\n");
  writeFileSync(join(root, 'src', 'lib', 'util.py'), 'def run():\n    return 1\n');
  writeFileSync(join(root, 'src', 'lib', 'deep', 'x.py'), 'X = 1\n');
  writeFileSync(join(root, 'src', 'logo.bin'), Buffer.from([0, 1, 2, 3, 255]));
  writeFileSync(join(root, 'src', `it's "odd" ü.txt`), 'odd\n');
  writeFileSync(
    join(root, 'belay.yaml'),
    ['sources:', '  - from: src', '    to: /', 'files:', '  /config.json:', '    json: {password: "${secret:PASS}", debug: false}', 'keep: [/data]', ''].join('\n'),
  );
  return root;
}

const ENV = { PASS: 'hunter2-very-secret' };

async function plan(device: Device, root: string, options: { env?: Record<string, string>; diffLimit?: number } = {}): Promise<Plan> {
  const config = await loadConfig({ cwd: root, env: options.env ?? ENV });
  return (await makePlan(device, config, { now: FIXED, diffLimit: options.diffLimit })).plan;
}

/** Writes one of belay's records on the board, as the engine does. */
async function writeRecord(device: Device, name: string, text: string): Promise<void> {
  await device.fs.mkdir(reservedPath(), { parents: true });
  await device.fs.write(reservedPath(name), Buffer.from(text));
}

/** Does what apply will do, with the plain filesystem API: folders, files, deletes, then the manifest. */
async function applyByHand(device: Device, root: string, planned: Plan, env = ENV): Promise<void> {
  const config = await loadConfig({ cwd: root, env });
  for (const change of planned.changes.filter((c) => c.action === 'mkdir')) await device.fs.mkdir(change.path);
  for (const change of planned.changes) {
    if (change.action === 'create' || change.action === 'update') {
      const source = change.source!;
      if (source.kind === 'local') await device.fs.write(change.path, { file: join(root, source.path) });
      else await device.fs.write(change.path, Buffer.from(config.files.find((f) => f.path === change.path)!.content));
    }
  }
  for (const change of planned.changes.filter((c) => c.action === 'delete')) await device.fs.remove(change.path);
  for (const change of planned.changes.filter((c) => c.action === 'rmdir').reverse()) await device.fs.remove(change.path);
  const manifest: Manifest = {
    formatVersion: 1,
    board: planned.board.id,
    applyId: `by-hand-${Date.now()}`,
    appliedAt: FIXED.toISOString(),
    belayVersion: planned.belayVersion,
    profile: planned.profile,
    hashAlgorithm: planned.hashAlgorithm,
    ...planned.manifest,
  };
  await writeRecord(device, MANIFEST_NAME, JSON.stringify(manifest));
}

describe('plan against the emulated board', () => {
  let board: Board;
  beforeAll(async () => {
    // An all-zero hardware id identifies nothing: belay stores its own id.
    board = await openBoard({ uniqueId: '0000000000000000' });
  });
  afterAll(async () => {
    await board?.close();
  });

  it('plan, apply by hand, plan again: no changes', async () => {
    const root = project();
    const first = await plan(board.device, root);
    expect(first.changes.map((c) => `${c.action} ${c.path}`)).toEqual([
      'create /config.json',
      `create /it's "odd" ü.txt`,
      'mkdir /lib',
      'mkdir /lib/deep',
      'create /lib/deep/x.py',
      'create /lib/util.py',
      'create /logo.bin',
      'create /main.py',
    ]);
    expect(first.hashAlgorithm).toBe('sha256');
    expect(first.baseManifest).toBeNull();
    expect(first.board.source).toBe('stored');
    await applyByHand(board.device, root, first);
    const second = await plan(board.device, root);
    expect(second.changes).toEqual([]);
    expect(second.conflicts).toEqual([]);
    expect(second.board.id).toBe(first.board.id);
    expect(second.baseManifest).not.toBeNull();
    // The secret never reaches the plan.
    expect(JSON.stringify(second)).not.toContain(ENV.PASS);
  });

  it('after a recorded apply: deletes what left the config, restores drift, stops at conflicts', async () => {
    const root = project();
    await applyByHand(board.device, root, await plan(board.device, root));
    rmSync(join(root, 'src', 'lib', 'deep'), { recursive: true });
    writeFileSync(join(root, 'src', 'lib', 'util.py'), 'def run():\n    return 2\n');
    await board.device.fs.write('/lib/util.py', Buffer.from('def run():\n    return 3\n'));
    await board.device.fs.write('/main.py', Buffer.from("import lib.util\nprint('edited on the board')\n"));
    await board.device.fs.write('/unrecorded.txt', Buffer.from('mine'));
    await board.device.fs.mkdir('/data');
    await board.device.fs.write('/data/log.csv', Buffer.from('1,2\n'));
    const next = await plan(board.device, root);
    expect(next.changes.map((c) => `${c.action} ${c.path} ${c.reason}${c.drift ? ' drift' : ''}`)).toEqual([
      'rmdir /lib/deep folder-unneeded',
      'delete /lib/deep/x.py removed-from-config',
      'update /main.py restore-drift drift',
    ]);
    expect(next.conflicts.map((c) => `${c.path} ${c.kind} ${c.resolution}`)).toEqual(['/lib/util.py both-changed unresolved']);
    expect(next.summary.unresolved).toBe(1);
    expect(next.notManaged.unrecorded).toEqual(['/unrecorded.txt']);
    expect(next.notManaged.kept).toEqual([{ pattern: '/data', files: 1 }]);
    const main = next.changes.find((c) => c.path === '/main.py')!;
    expect(main.review).toEqual({
      kind: 'diff',
      diff: ['--- /main.py (board)', '+++ /main.py (local)', '@@ -1,2 +1,2 @@', ' import lib.util', "-print('edited on the board')", "+print('hello')", ''].join('\n'),
    });
  });

  it('reviews: secrets redacted on both sides, whole-secret files hidden, binary and large files without diff', async () => {
    const root = project();
    await applyByHand(board.device, root, await plan(board.device, root));
    writeFileSync(join(root, 'src', 'logo.bin'), Buffer.from([9, 0, 9]));
    writeFileSync(join(root, 'src', 'main.py'), `print('${'x'.repeat(300)}')\n`);
    // Someone pasted the current secret into a board file: the diff shows its label, not the value.
    await board.device.fs.write('/lib/util.py', Buffer.from("TOKEN = 'another-secret-value'\n"));
    const changed = await plan(board.device, root, { env: { PASS: 'another-secret-value' }, diffLimit: 200 });
    const reviews = Object.fromEntries(changed.changes.map((c) => [c.path, c.review]));
    expect(reviews['/logo.bin']).toEqual({ kind: 'binary' });
    expect(reviews['/main.py']).toEqual({ kind: 'too-large', limit: 200 });
    const config = reviews['/config.json'];
    // The file carries a secret, and the board's copy holds the old one: no content shown at all.
    expect(config).toEqual({ kind: 'secret' });
    expect(reviews['/lib/util.py']).toMatchObject({ kind: 'diff' });
    expect((reviews['/lib/util.py'] as { diff: string }).diff).toContain("-TOKEN = '<secret:PASS>'");
    expect(JSON.stringify(changed)).not.toContain('another-secret-value');
    expect(JSON.stringify(changed)).not.toContain(ENV.PASS);
  });

  it('what changed between listing and reading is not trusted: no diff, and a manifest read refused', async () => {
    await board.device.fs.write('/moving.py', Buffer.from('now\n'));
    const root = project();
    writeFileSync(join(root, 'src', 'moving.py'), 'local\n');
    const stale = { size: 7, hash: 'f'.repeat(64) };
    const local = { size: 6, hash: hashBytes('sha256', Buffer.from('local\n')).digest };
    const reviews = await reviewChanges(
      board.device,
      [{ action: 'update', path: '/moving.py', reason: 'changed', before: stale, after: local, source: { kind: 'local', path: 'src/moving.py' } }],
      { rootDir: root, inline: new Map(), secrets: new Secrets(), algorithm: 'sha256' },
    );
    expect(reviews.get('/moving.py')).toEqual({ kind: 'unavailable' });
    const valid = JSON.stringify({ formatVersion: 1, board: 'belay:x', applyId: 'a', appliedAt: 't', belayVersion: '0', profile: null, hashAlgorithm: 'sha256', files: {}, dirs: [] });
    await writeRecord(board.device, MANIFEST_NAME, valid);
    const listed = { hashAlgorithm: 'sha256' as const, entries: [{ path: MANIFEST_PATH, kind: 'file' as const, size: valid.length, hash: 'e'.repeat(64) }] };
    await expect(readManifest(board.device, listed)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await board.device.fs.remove(reservedPath(MANIFEST_NAME));
    await board.device.fs.remove('/moving.py');
  });

  it('the board id is stored once, in /.belay, and never planned', async () => {
    const root = project();
    const config = await loadConfig({ cwd: root, env: ENV });
    await board.device.fs.remove(reservedPath(BOARD_ID_NAME)).catch(() => undefined);
    const made = await makePlan(board.device, config, { now: FIXED });
    expect(made.storedBoardId).toBe(true);
    const again = await makePlan(board.device, config, { now: FIXED });
    expect(again.storedBoardId).toBe(false);
    expect(again.plan.board.id).toBe(made.plan.board.id);
    expect(made.plan.board.id).toMatch(/^belay:[0-9a-f-]{36}$/);
    expect(again.plan.changes.some((c) => c.path.startsWith('/.belay'))).toBe(false);
    // Garbage in the id file is not an id: a new one replaces it.
    await writeRecord(board.device, BOARD_ID_NAME, "'); import os #");
    const replaced = await makePlan(board.device, config, { now: FIXED });
    expect(replaced.storedBoardId).toBe(true);
    expect(replaced.plan.board.id).not.toBe(made.plan.board.id);
  });

  it('a board with a hardware id is known by it, and nothing is stored; an all-zero id is no id', async () => {
    const root = project();
    const config = await loadConfig({ cwd: root, env: ENV });
    // This session's `machine` answers with the id given, as a board's would.
    const fakeMachine = (hex: string) =>
      board.device.exec(`import sys\nclass _M:\n    def unique_id(self):\n        return bytes.fromhex(${JSON.stringify(hex)})\nsys.modules['machine'] = _M()`);
    try {
      await board.device.fs.remove(reservedPath(BOARD_ID_NAME)).catch(() => undefined);
      await fakeMachine('e6614c311b7e5f2a');
      const made = await makePlan(board.device, config, { now: FIXED });
      expect(made.plan.board).toMatchObject({ id: 'uid:e6614c311b7e5f2a', source: 'machine' });
      expect(made.storedBoardId).toBe(false);
      expect(await board.device.fs.exists(BOARD_ID_PATH)).toBe(false);
      await fakeMachine('0000000000000000');
      const zero = await makePlan(board.device, config, { now: FIXED });
      expect(zero.plan.board.source).toBe('stored');
      expect(zero.storedBoardId).toBe(true);
    } finally {
      await board.device.exec("import sys\nsys.modules.pop('machine', None)");
    }
  });

  it('a manifest that is not one refuses the plan with MANIFEST_INVALID', async () => {
    const root = project();
    for (const text of ['{oops', JSON.stringify({ formatVersion: 1, files: 'no' }), JSON.stringify({ formatVersion: 7 })]) {
      await writeRecord(board.device, MANIFEST_NAME, text);
      await expect(plan(board.device, root)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    }
    await board.device.fs.remove(reservedPath(MANIFEST_NAME));
  });
});

describe('plan against a board without hashlib', () => {
  it('hashes both sides with crc32 and settles after one apply', async () => {
    const board = await openBoard({ hide: ['hashlib'] });
    try {
      const root = project();
      const first = await plan(board.device, root);
      expect(first.hashAlgorithm).toBe('crc32');
      expect(first.changes.find((c) => c.path === '/main.py')!.after!.hash).toMatch(/^[0-9a-f]{8}$/);
      await applyByHand(board.device, root, first);
      expect((await plan(board.device, root)).changes).toEqual([]);
    } finally {
      await board.close();
    }
  });
});
