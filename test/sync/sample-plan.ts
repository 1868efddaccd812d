/**
 * One plan with a bit of everything (each action, drift, a conflict resolved
 * by keep-both, an unresolved one, inline and local sources, review diffs,
 * not-managed paths, a warning), for the plan-file fixture and the golden
 * renderings. Built by the real planner from fixed inputs.
 */
import { planChanges } from '../../src/sync/planner.js';
import type { Plan } from '../../src/sync/types.js';
import { input } from './helpers.js';

export function samplePlan(): Plan {
  const spec = input({
    desired: { '/main.py': 'A', '/lib/new.py': 'B', '/lib/util.py': 'C', '/boot.py': 'D', '/config.json': 'E', '/assets/logo.bin': 'F', '/net.py': 'G' },
    board: {
      '/main.py': 'M',
      '/lib/util.py': 'U',
      '/boot.py': 'X',
      '/old.py': 'O',
      '/assets/logo.bin': 'Q',
      '/net.py': 'N',
      '/data/log.csv': 'L',
      '/lib/__pycache__/util.mpy': 'P',
      '/notes.txt': 'T',
      '/stale/gone.py': 'S',
      '/.belay/manifest.json': 'Z',
    },
    manifest: { '/main.py': 'M', '/lib/util.py': 'V', '/boot.py': 'D', '/old.py': 'O', '/assets/logo.bin': 'Q', '/net.py': 'R', '/stale/gone.py': 'S' },
    manifestDirs: ['/lib', '/assets', '/stale'],
    settings: { keep: ['/data'], conflicts: 'keep-both' },
  });
  // /config.json comes from belay.yaml, not from a file.
  const config = spec.desired.files.find((f) => f.path === '/config.json')!;
  config.source = { kind: 'inline', format: 'json', secret: false };
  const plan = planChanges(spec);
  for (const change of plan.changes) {
    if (change.path === '/main.py') {
      change.review = {
        kind: 'diff',
        diff: ['--- /main.py (board)', '+++ /main.py (local)', '@@ -1,3 +1,3 @@', ' import lib.util', "-print('hello')", "+print('hello, board')", ' lib.util.run()', ''].join('\n'),
      };
    }
    if (change.path === '/assets/logo.bin') change.review = { kind: 'binary' };
    if (change.path === '/lib/util.py') change.review = { kind: 'too-large', limit: 65536 };
    if (change.path === '/boot.py') change.review = { kind: 'diff', diff: ['--- /boot.py (board)', '+++ /boot.py (local)', '@@ -1 +1 @@', '-import webrepl; webrepl.start()', '+# boot: nothing to do', ''].join('\n') };
  }
  return plan;
}
