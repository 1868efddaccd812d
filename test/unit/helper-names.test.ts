// The board helpers share one namespace: the raw REPL's globals. Every
// helper file defines its names at the top level, and a board that has
// several groups installed holds them all at once, so a name defined in two
// files silently replaces the other's (a call then fails, or worse, runs
// the wrong code). Each top-level name is defined in one file only.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { HELPER_GROUPS } from '../../src/device/fs/board-code.js';

const SNIPPETS = new URL('../../src/device/snippets/', import.meta.url);

/** The names a helper file binds at its top level: functions, classes and assignments. */
function topLevelNames(source: string): string[] {
  const names: string[] = [];
  for (const line of source.split('\n')) {
    const found = /^(?:def|class)\s+([A-Za-z_]\w*)/.exec(line) ?? /^([A-Za-z_]\w*)\s*=/.exec(line);
    if (found) names.push(found[1]);
  }
  return names;
}

describe('board helper names', () => {
  it('finds the definitions it looks for', () => {
    expect(topLevelNames('def _ba(x):\n    y = 1\nclass _BB:\n    pass\n_BC = 2\nif x:\n    _bd = 3\n')).toEqual(['_ba', '_BB', '_BC']);
  });

  it('no top-level name is defined in two helper files', () => {
    const files = [...new Set(Object.values(HELPER_GROUPS).flat())];
    // Every helper file on disk belongs to a group (a new file not listed would never be sent), but the cache's saver, sent by itself.
    const onDisk = readdirSync(SNIPPETS).filter((name) => name.startsWith('fs_') && name.endsWith('.py')).map((name) => name.slice(0, -3));
    expect(onDisk.filter((name) => !files.includes(name as never) && name !== 'fs_cache_save').sort()).toEqual([]);
    const where = new Map<string, string[]>();
    for (const file of [...files, 'fs_cache_save']) {
      for (const name of new Set(topLevelNames(readFileSync(new URL(`${file}.py`, SNIPPETS), 'utf8')))) where.set(name, [...(where.get(name) ?? []), file]);
    }
    expect(where.size).toBeGreaterThan(40);
    expect([...where].filter(([, defined]) => defined.length > 1)).toEqual([]);
  });
});
