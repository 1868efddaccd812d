// Board paths are canonical POSIX; local paths follow the host OS. Windows
// rules are tested with path.win32 on every host.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { boardJoin, boardRelative, tempPathFor, isTempName } from '../../src/paths/board.js';
import { localPathFor, localNameProblem, boardRelativeFor, caseCollisions, assertNoCaseCollisions } from '../../src/paths/local.js';
import { pyLiteral } from '../../src/device/snippets.js';
import { pyCall } from '../../src/device/fs/board-code.js';
import { pyBytes } from '../../src/device/fs/encoded.js';

describe('board paths (the rule itself: board-paths.test.ts)', () => {
  it('joins, relativises and names temp files beside their target', () => {
    expect(boardJoin('/lib', 'a/b.py')).toBe('/lib/a/b.py');
    expect(boardRelative('/lib', '/lib/a/b.py')).toBe('a/b.py');
    expect(boardRelative('/lib', '/library/x')).toBeUndefined();
    expect(boardRelative('/', '/x')).toBe('x');
    expect(tempPathFor('/lib/a.py')).toMatch(/^\/lib\/\.belay-tmp-[0-9a-f]{8}$/);
    expect(tempPathFor('/lib/a.py')).toBe(tempPathFor('/lib/a.py'));
    expect(tempPathFor('/lib/a.py', 1)).not.toBe(tempPathFor('/lib/a.py'));
    expect(isTempName('/lib/.belay-tmp-a.py')).toBe(true);
    expect(isTempName('/lib/a.py')).toBe(false);
    expect(() => tempPathFor('/')).toThrow(expect.objectContaining({ code: 'PATH_INVALID' }));
  });

  it('reaches the board only as literals, whatever the name', () => {
    const hostile = ["a'); os.remove('main.py') #", 'new\nline', 'back\\slash\\', '\u2028sep', 'q"\''];
    for (const name of hostile) {
      const literal = pyLiteral(name);
      expect(literal).not.toMatch(/[\n\r]/);
      // A literal starts and ends with a quote and every inner quote is escaped.
      expect(literal.slice(1, -1).replace(/\\./g, '')).not.toContain("'");
    }
    expect(() => pyCall('os.remove', 'x')).toThrow();
    expect(pyBytes(Uint8Array.of(0x03, 0x27, 0x5c, 0x41))).toBe("b'\\x03\\x27\\x5cA'");
  });
});

describe('local paths', () => {
  it('maps board-relative paths with the host separator', () => {
    expect(localPathFor('/proj', 'lib/x.py', path.posix)).toBe('/proj/lib/x.py');
    expect(localPathFor('C:\\proj', 'lib/x.py', path.win32)).toBe('C:\\proj\\lib\\x.py');
    expect(boardRelativeFor('C:\\proj', 'C:\\proj\\lib\\x.py', path.win32)).toBe('lib/x.py');
    expect(boardRelativeFor('/proj', '/proj/lib/x.py', path.posix)).toBe('lib/x.py');
    expect(() => boardRelativeFor('/proj', '/other/x', path.posix)).toThrow(expect.objectContaining({ code: 'PATH_INVALID' }));
  });

  it('refuses board names Windows cannot store, and allows them on POSIX', () => {
    for (const name of ['a:b', 'back\\slash', 'q?', 'CON', 'nul.txt', 'trailing.', 'trailing ', 'new\nline']) {
      expect(localNameProblem(name, path.win32)).toBeDefined();
      expect(() => localPathFor('C:\\p', `dir/${name}`, path.win32)).toThrow(expect.objectContaining({ code: 'PATH_INVALID' }));
    }
    for (const name of ['a:b', 'back\\slash', 'CON', 'new\nline', 'ünï 名前.py']) expect(localNameProblem(name, path.posix)).toBeUndefined();
    expect(localNameProblem('..', path.posix)).toBeDefined();
  });

  it('finds names that collide when case is folded', () => {
    expect(caseCollisions(['Main.py', 'main.py', 'lib/a.py', 'LIB/A.py', 'b.py'])).toEqual([
      ['Main.py', 'main.py'],
      ['lib/a.py', 'LIB/A.py'],
    ]);
    // NFC and NFD spellings of one name are one file on macOS.
    expect(caseCollisions(['caf\u00e9', 'cafe\u0301'])).toHaveLength(1);
    expect(() => assertNoCaseCollisions(['Main.py', 'main.py'], 'win32')).toThrow(expect.objectContaining({ code: 'PATH_INVALID' }));
    expect(() => assertNoCaseCollisions(['Main.py', 'main.py'], 'darwin')).toThrow(expect.objectContaining({ code: 'PATH_INVALID' }));
    expect(() => assertNoCaseCollisions(['Main.py', 'main.py'], 'linux')).not.toThrow();
  });
});
