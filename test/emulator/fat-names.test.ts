// The FAT driver's reading of names (fat-names.ts), without a board.
import { describe, expect, it } from 'vitest';
import { FatNameError, fatFold, parseFatPath } from '../../src/emulator/fat-names.js';

const names = (path: string) => parseFatPath(path).names;
const refusal = (path: string) => {
  try {
    parseFatPath(path);
  } catch (err) {
    if (err instanceof FatNameError) return err.reason;
    throw err;
  }
  return 'accepted';
};

describe('FAT path reading', () => {
  it('ends the path at a control character', () => {
    expect(names('/main.py\tbackup')).toEqual(['main.py']);
    expect(names('/app/main.py\nold')).toEqual(['app', 'main.py']);
    expect(names('/a\x01/b/c')).toEqual(['a']);
  });

  it('takes backslash as a separator and repeated separators as one', () => {
    expect(names('/back\\slash.py')).toEqual(['back', 'slash.py']);
    expect(names('//a///b')).toEqual(['a', 'b']);
    expect(parseFatPath('\\a').absolute).toBe(true);
    expect(parseFatPath('a/b').absolute).toBe(false);
  });

  it.each(['q"uote.py', 'a*b', 'c:d', 'x<y', 'x>y', 'what?', 'pi|pe', 'del\x7f'])('refuses %j', (name) => {
    expect(refusal(`/${name}`)).toBe('refused-character');
  });

  it('drops trailing dots and spaces, and refuses a name left empty', () => {
    expect(names('/main.py. . ')).toEqual(['main.py']);
    expect(refusal('/...x/ ..')).toBe('empty');
    expect(names('/a/./../b')).toEqual(['a', '.', '..', 'b']);
  });

  it('holds 255 characters, counting bytes of UTF-8', () => {
    expect(names(`/${'a'.repeat(255)}`)[0]).toHaveLength(255);
    expect(refusal(`/${'a'.repeat(256)}`)).toBe('too-long');
    expect(refusal(`/${'é'.repeat(128)}`)).toBe('too-long'); // 256 bytes
  });

  it('folds case byte by byte through code page 437', () => {
    expect(fatFold('Main.py')).toBe(fatFold('main.PY'));
    expect(fatFold('main.py')).not.toBe(fatFold('main.pyc'));
    // UTF-8 ä (C3 A4) and å (C3 A5) read as cp437 ñ and Ñ: the same name on a board.
    expect(fatFold('ä')).toBe(fatFold('å'));
    expect(fatFold('ä')).not.toBe(fatFold('ö'));
  });
});
