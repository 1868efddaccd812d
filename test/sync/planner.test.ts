/**
 * The pure planner, by tables: every combination of desired / board /
 * manifest for one path (absent, same, different), under each conflict
 * policy and with prune on and off; then folders, keep, ignore, /.belay,
 * temp files, kind mismatches and determinism.
 */
import { describe, expect, it } from 'vitest';
import { planChanges, preservedName } from '../../src/sync/planner.js';
import type { ConflictPolicy } from '../../src/config/types.js';
import type { Change } from '../../src/sync/types.js';
import { content, input } from './helpers.js';

const P = '/lib/x.py';

interface Expect {
  action?: Change['action'];
  reason?: Change['reason'];
  drift?: boolean;
  conflict?: string;
  /** letter recorded in the next manifest, or null for none */
  next: string | null;
  unrecorded?: boolean;
  preserved?: boolean;
}

type Row = [desired: string, board: string, base: string, outcome: Partial<Record<ConflictPolicy | 'prune', Expect>> & { fail: Expect }];

// "-" = absent. Letters are contents. Columns: desired, board, manifest.
// `fail` is the default policy (prune off); other keys override for that policy or for prune.
const ROWS: Row[] = [
  ['-', '-', '-', { fail: { next: null } }],
  ['-', '-', 'A', { fail: { next: null } }],
  ['-', 'A', '-', { fail: { next: null, unrecorded: true }, prune: { action: 'delete', reason: 'prune', next: null } }],
  ['-', 'A', 'A', { fail: { action: 'delete', reason: 'removed-from-config', next: null } }],
  [
    '-', 'A', 'B',
    {
      fail: { conflict: 'local-removed/unresolved', next: 'B' },
      'prefer-local': { action: 'delete', reason: 'conflict-prefer-local', conflict: 'local-removed/prefer-local', next: null },
      'prefer-board': { conflict: 'local-removed/prefer-board', next: 'B' },
      'keep-both': { conflict: 'local-removed/keep-both', next: 'B' },
    },
  ],
  ['A', '-', '-', { fail: { action: 'create', reason: 'new', next: 'A' } }],
  ['A', '-', 'A', { fail: { action: 'create', reason: 'restore-deleted', drift: true, next: 'A' } }],
  [
    'A', '-', 'B',
    {
      fail: { conflict: 'board-deleted/unresolved', next: 'B' },
      'prefer-local': { action: 'create', reason: 'conflict-prefer-local', conflict: 'board-deleted/prefer-local', next: 'A' },
      'prefer-board': { conflict: 'board-deleted/prefer-board', next: 'B' },
      'keep-both': { action: 'create', reason: 'conflict-prefer-local', conflict: 'board-deleted/keep-both', next: 'A' },
    },
  ],
  ['A', 'A', '-', { fail: { next: 'A' } }],
  ['A', 'A', 'A', { fail: { next: 'A' } }],
  ['A', 'A', 'B', { fail: { next: 'A' } }],
  ['A', 'B', '-', { fail: { action: 'update', reason: 'replace-unrecorded', next: 'A' } }],
  ['A', 'B', 'A', { fail: { action: 'update', reason: 'restore-drift', drift: true, next: 'A' } }],
  ['A', 'B', 'B', { fail: { action: 'update', reason: 'changed', next: 'A' } }],
  [
    'A', 'B', 'C',
    {
      fail: { conflict: 'both-changed/unresolved', next: 'C' },
      'prefer-local': { action: 'update', reason: 'conflict-prefer-local', conflict: 'both-changed/prefer-local', next: 'A' },
      'prefer-board': { conflict: 'both-changed/prefer-board', next: 'C' },
      'keep-both': { action: 'update', reason: 'conflict-keep-both', conflict: 'both-changed/keep-both', next: 'A', preserved: true },
    },
  ],
];

const POLICIES: ConflictPolicy[] = ['fail', 'prefer-local', 'prefer-board', 'keep-both'];

function spec(d: string, b: string, m: string) {
  const pick = (letter: string): Record<string, string> => (letter === '-' ? {} : { [P]: letter });
  return { desired: pick(d), board: pick(b), manifest: pick(m), manifestDirs: m === '-' ? [] : ['/lib'] };
}

describe('planner: one path, every combination', () => {
  for (const [d, b, m, outcome] of ROWS) {
    for (const policy of POLICIES) {
      for (const prune of [false, true]) {
        const expected = (prune && outcome.prune) || outcome[policy] || outcome.fail;
        it(`desired ${d} board ${b} manifest ${m}, conflicts ${policy}${prune ? ', prune' : ''}`, () => {
          const plan = planChanges(input({ ...spec(d, b, m), settings: { conflicts: policy, prune } }));
          const file = plan.changes.filter((c) => c.path === P);
          if (expected.action) {
            expect(file).toHaveLength(1);
            const [change] = file;
            expect(change.action).toBe(expected.action);
            expect(change.reason).toBe(expected.reason);
            expect(Boolean(change.drift)).toBe(Boolean(expected.drift));
            if (b !== '-') expect(change.before).toEqual(content(b));
            else expect(change.before).toBeUndefined();
            if (change.action === 'delete') expect(change.after).toBeUndefined();
            else {
              expect(change.after).toEqual(content(d));
              expect(change.source).toEqual({ kind: 'local', path: `src${P}` });
            }
            expect(Boolean(change.preserveAs)).toBe(Boolean(expected.preserved));
          } else {
            expect(file).toEqual([]);
          }
          const conflicts = plan.conflicts.map((c) => `${c.kind}/${c.resolution}`);
          expect(conflicts).toEqual(expected.conflict ? [expected.conflict] : []);
          expect(plan.summary.unresolved).toBe(expected.conflict?.endsWith('/unresolved') ? 1 : 0);
          expect(plan.manifest.files[P]).toEqual(expected.next === null ? undefined : content(expected.next));
          expect(plan.notManaged.unrecorded).toEqual(expected.unrecorded ? [P] : []);
          expect(plan.summary.drift).toBe(expected.drift ? 1 : 0);
        });
      }
    }
  }
});

describe('planner: folders', () => {
  it('creates each missing folder once, parents first, and records them', () => {
    const plan = planChanges(input({ desired: { '/a/b/c.py': 'A', '/a/d.py': 'B', '/top.py': 'C' } }));
    expect(plan.changes.map((c) => `${c.action} ${c.path}`)).toEqual(['mkdir /a', 'mkdir /a/b', 'create /a/b/c.py', 'create /a/d.py', 'create /top.py']);
    expect(plan.manifest.dirs).toEqual(['/a', '/a/b']);
    expect(plan.summary).toMatchObject({ create: 3, mkdir: 2, update: 0, delete: 0, rmdir: 0 });
  });

  it('removes folders belay made once the plan empties them, and only those', () => {
    const plan = planChanges(
      input({
        desired: { '/keep.py': 'A' },
        board: { '/keep.py': 'A', '/old/deep/x.py': 'B', '/old/y.py': 'C', '/mine/z.txt': 'D', '/empty': 'dir' },
        manifest: { '/keep.py': 'A', '/old/deep/x.py': 'B', '/old/y.py': 'C' },
        manifestDirs: ['/old', '/old/deep', '/mine', '/empty'],
      }),
    );
    expect(plan.changes.map((c) => `${c.action} ${c.path}`)).toEqual(['rmdir /empty', 'rmdir /old', 'rmdir /old/deep', 'delete /old/deep/x.py', 'delete /old/y.py']);
    // /mine still holds a file belay did not deploy: it stays, and stays belay's to clean later.
    expect(plan.manifest.dirs).toEqual(['/mine']);
    expect(plan.notManaged.unrecorded).toEqual(['/mine/z.txt']);
  });

  it('leaves folders it did not make unless prune is on', () => {
    const base = { board: { '/theirs': 'dir', '/theirs/sub': 'dir' } };
    expect(planChanges(input(base)).changes).toEqual([]);
    const pruned = planChanges(input({ ...base, settings: { prune: true } }));
    expect(pruned.changes.map((c) => `${c.action} ${c.path}`)).toEqual(['rmdir /theirs', 'rmdir /theirs/sub']);
  });

  it('never removes a folder that still holds a kept, ignored or temp file', () => {
    const plan = planChanges(
      input({
        board: { '/a/data.csv': 'A', '/b/__pycache__/m.mpy': 'B', '/c/.belay-tmp-x.py': 'C', '/d/x.py': 'D' },
        settings: { prune: true, keep: ['/a'] },
      }),
    );
    expect(plan.changes.map((c) => `${c.action} ${c.path}`)).toEqual(['rmdir /d', 'delete /d/x.py']);
    expect(plan.notManaged.kept).toEqual([{ pattern: '/a', files: 1 }]);
    expect(plan.notManaged.ignored).toEqual([{ pattern: '__pycache__', files: 1 }]);
    expect(plan.notManaged.temp).toEqual(['/c/.belay-tmp-x.py']);
  });

  it('a board folder where the config deploys a file, or a file where it needs a folder, is an unresolved conflict', () => {
    const plan = planChanges(input({ desired: { '/x.py': 'A', '/lib/y.py': 'B' }, board: { '/x.py': 'dir', '/lib': 'C' }, settings: { conflicts: 'prefer-local' } }));
    expect(plan.conflicts.map((c) => `${c.path} ${c.kind} ${c.resolution}`)).toEqual(['/lib kind-mismatch unresolved', '/x.py kind-mismatch unresolved']);
    expect(plan.summary.unresolved).toBe(2);
  });
});

describe('planner: what it never touches', () => {
  it('keep: never created, updated or deleted, even with prune and a manifest record', () => {
    const plan = planChanges(
      input({
        desired: { '/state.json': 'A' },
        board: { '/state.json': 'B', '/data/log.csv': 'C', '/data/old.csv': 'D' },
        manifest: { '/data/old.csv': 'D' },
        settings: { keep: ['/data', '/state.json'], prune: true },
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.notManaged.kept).toEqual([
      { pattern: '/data', files: 2 },
      { pattern: '/state.json', files: 1 },
    ]);
    expect(plan.warnings.some((w) => w.includes('/state.json'))).toBe(true);
    expect(plan.manifest.files).toEqual({});
  });

  it('ignore: board files are not deleted by prune nor compared', () => {
    const plan = planChanges(input({ board: { '/lib/__pycache__/a.mpy': 'A', '/notes.tmp': 'B' }, settings: { prune: true, ignore: ['__pycache__', '*.tmp', '/.belay'] } }));
    expect(plan.changes.map((c) => c.path)).toEqual([]);
    expect(plan.notManaged.ignored).toEqual([
      { pattern: '*.tmp', files: 1 },
      { pattern: '__pycache__', files: 1 },
    ]);
  });

  it('/.belay never appears, whatever the settings say', () => {
    const plan = planChanges(
      input({
        desired: { '/.belay/manifest.json': 'A' },
        board: { '/.belay/manifest.json': 'B', '/.belay/board-id': 'C' },
        manifest: { '/.belay/journal.json': 'D' },
        settings: { prune: true, ignore: [] },
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.notManaged).toEqual({ kept: [], ignored: [], unrecorded: [], temp: [] });
    expect(plan.baseManifest).toEqual(content('B'));
  });
});

describe('planner: records and determinism', () => {
  it('keep-both names the board copy beside the file, unused by anything else', () => {
    const taken = new Set(['/lib/x.board-42424242.py']);
    expect(preservedName('/lib/x.py', content('B'), taken)).toBe('/lib/x.board-42424242-2.py');
    expect(preservedName('/main.py', content('B'), new Set())).toBe('/main.board-42424242.py');
    expect(preservedName('/.env', content('B'), new Set())).toBe('/.env.board-42424242');
    expect(preservedName('/Makefile', content('B'), new Set())).toBe('/Makefile.board-42424242');
  });

  it('a manifest hashed with another algorithm: nothing taken as unchanged, a warning says why', () => {
    const spec = input({ desired: { '/a.py': 'A' }, board: { '/a.py': 'B', '/gone.py': 'C' }, manifest: { '/a.py': 'B', '/gone.py': 'C' } });
    spec.manifest!.hashAlgorithm = 'crc32';
    const plan = planChanges(spec);
    expect(plan.conflicts.map((c) => `${c.path} ${c.kind}`)).toEqual(['/a.py both-changed', '/gone.py local-removed']);
    expect(plan.changes).toEqual([]);
    expect(plan.warnings.join('\n')).toContain('crc32');
  });

  it('the same inputs in any order give the same plan', () => {
    const spec = input({
      desired: { '/b.py': 'A', '/a/z.py': 'B', '/a/c.py': 'C' },
      board: { '/old.py': 'D', '/b.py': 'E', '/x/y.py': 'F' },
      manifest: { '/old.py': 'D', '/b.py': 'E' },
      settings: { prune: true },
    });
    const first = planChanges(spec);
    const shuffled = { ...spec, desired: { ...spec.desired, files: [...spec.desired.files].reverse() }, actual: { ...spec.actual, entries: [...spec.actual.entries].reverse() } };
    expect(planChanges(shuffled)).toEqual(first);
    const paths = first.changes.map((c) => c.path);
    expect(paths).toEqual([...paths].sort());
    expect(Object.keys(first.manifest.files)).toEqual([...Object.keys(first.manifest.files)].sort());
  });

  it('refuses states hashed with different algorithms', () => {
    const spec = input({});
    spec.desired.hashAlgorithm = 'crc32';
    expect(() => planChanges(spec)).toThrow(TypeError);
  });
});
