// The FAT name rules belay applies before sending anything to a FAT mount
// (src/device/fs/names.ts): each name FAT cannot hold exactly is refused
// with its reason, and paths that fold together (among themselves or with
// what the board has) are refused as one file.
import { describe, expect, it } from 'vitest';
import { fatNameProblem, fatRefusals } from '../../src/device/fs/names.js';

describe('FAT names', () => {
  it('refuses what FAT would cut, drop, refuse or split', () => {
    for (const name of ['main.py\tbackup', 'a\nb', 'q"uote.py', 'star*.py', 'c:d', 'lt<', 'gt>', 'what?.py', 'pi|pe', 'back\\slash.py', 'trailing.', 'trailing ', 'x'.repeat(256), 'é'.repeat(128)]) {
      expect(fatNameProblem(name), JSON.stringify(name)).toBeDefined();
    }
  });

  it('takes ordinary names, unicode within 255 bytes, and 255-byte names', () => {
    for (const name of ['main.py', 'With Space.txt', 'ünïcødé.py', '.hidden', 'x'.repeat(255), 'é'.repeat(127)]) {
      expect(fatNameProblem(name), name).toBeUndefined();
    }
  });

  it('refuses paths that fold together, within a tree and against the board, naming each', () => {
    const refusals = fatRefusals(['/app/Main.py', '/app/main.py', '/app/lib/x.py', '/app/LIB/y.py'], ['/app/Boot.py']);
    expect(refusals.map((r) => r.path)).toEqual(['/app/main.py', '/app/LIB/y.py']);
    const again = fatRefusals(['/app/boot.py'], ['/app/Boot.py']);
    expect(again).toEqual([{ path: '/app/boot.py', reason: expect.stringContaining('/app/Boot.py') }]);
    // The same path as one already on the board is a replacement, not a collision.
    expect(fatRefusals(['/app/Boot.py'], ['/app/Boot.py'])).toEqual([]);
  });

  it('reports every bad name at once, with the offending name', () => {
    const refusals = fatRefusals(['/ok.py', '/a?b.py', '/dir\tx/c.py']);
    expect(refusals.map((r) => r.path)).toEqual(['/a?b.py', '/dir\tx/c.py']);
    expect(refusals[1].reason).toContain('control character');
  });
});
