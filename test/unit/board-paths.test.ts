// The one board-path rule (src/paths/board.ts), rule by rule, for every
// purpose: reading, removing, creating folders and files. The engine's way
// into /.belay (src/paths/reserved.ts) is the only way in.
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_BYTES,
  MAX_WRITABLE_NAME_BYTES,
  TEMP_PREFIX,
  ancestors,
  boardPath,
  boardTarget,
  checkBoardPath,
  isReserved,
  isWithin,
  readPath,
  tempPathFor,
  writePath,
} from '../../src/paths/board.js';
import { isReservedPath, reservedPath } from '../../src/paths/reserved.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('canonical form', () => {
  it.each([
    ['/', '/'],
    ['main.py', '/main.py'],
    ['/lib//x/./y.py', '/lib/x/y.py'],
    ['/lib/./a/../b.py', '/lib/b.py'],
    ['/lib/', '/lib'],
    ['back\\slash', '/back\\slash'],
    ['/données/ファイル 🙂.py', '/données/ファイル 🙂.py'],
    ["/a'); import os #", "/a'); import os #"],
  ])('%j is %j', (input, expected) => {
    expect(boardPath(input)).toBe(expected);
    expect(checkBoardPath(input)).toMatchObject({ ok: true, path: expected });
  });

  it('reads relative paths from "/" unless absolute paths are required, and then suggests the fix', () => {
    expect(boardPath('lib/x.py')).toBe('/lib/x.py');
    expect(code(() => boardPath('lib/x.py', { absolute: true }))).toBe('PATH_INVALID');
    expect(checkBoardPath('lib/x.py', { absolute: true })).toMatchObject({ ok: false, code: 'PATH_INVALID', suggestion: '/lib/x.py' });
  });
});

describe('refused for every purpose', () => {
  const tooLong = `/${'n'.repeat(MAX_NAME_BYTES + 1)}`;
  // A name of 128 two-byte characters is 256 bytes: the limit counts bytes, not characters.
  const tooLongInBytes = `/${'é'.repeat(128)}`;
  it.each([
    ['empty', ''],
    ['NUL', '/a\0b'],
    ['a lone surrogate', '/x\uD800y'],
    ['climbing above "/"', '/..'],
    ['climbing above "/" further down', '/lib/../../etc'],
    ['climbing above "/" from a relative path', '../x'],
    ['a name over the byte limit', tooLong],
    ['a name over the byte limit in UTF-8', tooLongInBytes],
  ])('%s', (_what, input) => {
    for (const purpose of ['read', 'remove', 'dir', 'file'] as const) expect(checkBoardPath(input, { purpose })).toMatchObject({ ok: false, code: 'PATH_INVALID' });
    expect(code(() => boardPath(input))).toBe('PATH_INVALID');
    expect(code(() => writePath(input, 'file'))).toBe('PATH_INVALID');
  });

  it('accepts a name of exactly the limit for reading', () => {
    expect(boardPath(`/${'n'.repeat(MAX_NAME_BYTES)}`)).toHaveLength(MAX_NAME_BYTES + 1);
  });
});

describe('what creates or changes something', () => {
  it('refuses control characters (FAT would cut the name there), which reading and removing accept', () => {
    for (const input of ['/main.py\tx', '/new\nline.py', '/bell\u0007', '/del\u007f']) {
      expect(code(() => writePath(input, 'file'))).toBe('PATH_INVALID');
      expect(code(() => writePath(input, 'dir'))).toBe('PATH_INVALID');
      expect(code(() => boardPath(input))).toBe('ok');
      expect(code(() => writePath(input, 'remove'))).toBe('ok');
    }
  });

  it('takes names of the full 255 bytes: the temp name beside them stays short', () => {
    const fits = `/${'n'.repeat(MAX_WRITABLE_NAME_BYTES)}`;
    const over = `/${'n'.repeat(MAX_WRITABLE_NAME_BYTES + 1)}`;
    expect(MAX_WRITABLE_NAME_BYTES).toBe(MAX_NAME_BYTES);
    expect(writePath(fits, 'file')).toBe(fits);
    expect(Buffer.byteLength(posix.basename(tempPathFor(fits)))).toBe(19);
    expect(code(() => writePath(over, 'file'))).toBe('PATH_INVALID');
  });

  it('refuses temp names, except to remove them', () => {
    const temp = `/lib/${TEMP_PREFIX}x.py`;
    expect(code(() => writePath(temp, 'file'))).toBe('PATH_RESERVED');
    expect(code(() => writePath(`/${TEMP_PREFIX}d/x.py`, 'file'))).toBe('PATH_RESERVED');
    expect(writePath(temp, 'remove')).toBe(temp);
  });

  it('a file cannot be "/" nor end with "/"', () => {
    expect(code(() => writePath('/', 'file'))).toBe('PATH_INVALID');
    expect(code(() => writePath('/sub/c.py/', 'file'))).toBe('PATH_INVALID');
    expect(writePath('/sub/', 'dir')).toBe('/sub');
    expect(writePath('/', 'dir')).toBe('/');
  });
});

describe('/.belay is the engine\'s', () => {
  const spellings = ['/.belay', '/.belay/', '/.belay/manifest.json', '.belay/journal.json', '//.belay//x', '/./.belay/x', '/a/../.belay/x', '/.BELAY/x', '/.Belay'];

  it.each(spellings)('%j is refused to every writer given a string', (input) => {
    for (const purpose of ['remove', 'dir', 'file'] as const) {
      expect(code(() => writePath(input, purpose))).toBe('PATH_RESERVED');
      expect(checkBoardPath(input, { purpose })).toMatchObject({ ok: false, code: 'PATH_RESERVED' });
    }
    // Reading it is fine: `belay ls /.belay` shows belay's records.
    expect(code(() => boardPath(input))).toBe('ok');
  });

  it('names that only look alike are ordinary', () => {
    for (const input of ['/.belayx', '/x/.belay/y', '/.belay-notes', '/belay']) expect(code(() => writePath(input, 'file'))).toBe('ok');
    expect(isReserved('/x/.belay')).toBe(false);
  });

  it('the engine writes there through a ReservedPath, which no string or look-alike is', () => {
    const journal = reservedPath('journal.json');
    expect(journal.path).toBe('/.belay/journal.json');
    expect(isReservedPath(journal)).toBe(true);
    expect(writePath(journal, 'file')).toBe('/.belay/journal.json');
    expect(writePath(reservedPath(), 'dir')).toBe('/.belay');
    expect(readPath(journal)).toBe('/.belay/journal.json');
    expect(tempPathFor(journal)).toMatch(new RegExp(`^/\\.belay/${TEMP_PREFIX}[0-9a-f]{8}$`));
    const forged = { path: '/.belay/journal.json' };
    expect(isReservedPath(forged)).toBe(false);
    expect(code(() => writePath(forged as never, 'file'))).toBe('PATH_INVALID');
    expect(Object.isFrozen(journal)).toBe(true);
  });

  it('a ReservedPath cannot point out of /.belay', () => {
    for (const bad of ['..', '.', '', 'a/b', 'x\ny']) expect(code(() => reservedPath(bad))).toBe('INTERNAL');
    expect(reservedPath('staged', 'a.py').path).toBe('/.belay/staged/a.py');
  });
});

describe('a trailing "/" means "a folder"', () => {
  it('is kept by boardTarget and dropped by boardPath', () => {
    expect(boardTarget('/sub/c.py/')).toEqual({ path: '/sub/c.py', folder: true });
    expect(boardTarget('/sub/c.py')).toEqual({ path: '/sub/c.py', folder: false });
    expect(boardTarget('/')).toEqual({ path: '/', folder: true });
    expect(boardPath('/sub/c.py/')).toBe('/sub/c.py');
  });
});

describe('helpers', () => {
  it('isWithin and ancestors work on canonical paths', () => {
    expect(isWithin('/lib/a.py', '/lib')).toBe(true);
    expect(isWithin('/library', '/lib')).toBe(false);
    expect(isWithin('/x', '/')).toBe(true);
    expect(ancestors('/a/b/c.py')).toEqual(['/a', '/a/b']);
  });
});
