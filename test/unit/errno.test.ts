import { describe, expect, it } from 'vitest';
import { errnoName } from '../../src/protocol/errno.js';
import { parseTraceback } from '../../src/protocol/board-exception.js';

describe('errno names across ports', () => {
  it.each([
    // [number, platform, name]
    [2, 'rp2', 'ENOENT'],
    [17, 'rp2', 'EEXIST'],
    [39, 'rp2', 'ENOTEMPTY'], // littlefs uses the Linux number
    [-39, 'rp2', 'ENOTEMPTY'], // some drivers raise it negated
    [90, 'esp32', 'ENOTEMPTY'], // newlib
    [2, 'esp32', 'ENOENT'],
    [2, 'webassembly', 'ENOENT'], // the emulated board raises a board's numbers
    [17, 'webassembly', 'EEXIST'],
    [39, 'webassembly', 'ENOTEMPTY'],
    [28, 'webassembly', 'ENOSPC'],
    [28, 'esp8266', 'ENOSPC'],
  ])('%i on %s is %s', (number, platform, name) => {
    expect(errnoName(number, platform)).toBe(name);
  });

  it('names unknown numbers without inventing a meaning', () => {
    expect(errnoName(9999, 'rp2')).toBe('E9999');
  });
});

describe('traceback parsing', () => {
  const tb = (last: string) => `Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\n${last}\r\n`;

  it('reads the exception type and message', () => {
    expect(parseTraceback(tb('ValueError: bad value'))).toMatchObject({ type: 'ValueError', message: 'bad value' });
    expect(parseTraceback(tb('KeyboardInterrupt: '))).toMatchObject({ type: 'KeyboardInterrupt', message: '' });
  });

  it('names a bare OSError number by the platform', () => {
    expect(parseTraceback(tb('OSError: 2'), 'webassembly')).toMatchObject({ errno: 2, errnoName: 'ENOENT' });
    expect(parseTraceback(tb('OSError: 28'), 'rp2')).toMatchObject({ errno: 28, errnoName: 'ENOSPC' });
  });

  it('prefers the name the board printed', () => {
    expect(parseTraceback(tb('OSError: [Errno 2] ENOENT'), 'rp2')).toMatchObject({ errno: 2, errnoName: 'ENOENT' });
    expect(parseTraceback(tb('OSError: [Errno 2] ENOENT'), 'webassembly')).toMatchObject({ errnoName: 'ENOENT' });
  });

  it('keeps the whole traceback', () => {
    expect(parseTraceback(tb('OSError: 5')).traceback).toContain('File "<stdin>", line 1');
  });
});
