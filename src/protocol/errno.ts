/**
 * errno numbers -> names, in one place. Ports disagree: MicroPython's own
 * numbers and littlefs follow Linux, ESP32's newlib has its own high numbers.
 * (The emulated board, sys.platform "webassembly", raises Linux numbers as
 * boards do: it translates its WASI numbers itself.) Callers pass the board's
 * sys.platform to pick the dialect.
 */

const LINUX: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC',
  9: 'EBADF', 10: 'ECHILD', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY',
  17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 23: 'ENFILE',
  24: 'EMFILE', 25: 'ENOTTY', 27: 'EFBIG', 28: 'ENOSPC', 29: 'ESPIPE', 30: 'EROFS', 31: 'EMLINK',
  32: 'EPIPE', 33: 'EDOM', 34: 'ERANGE', 36: 'ENAMETOOLONG', 39: 'ENOTEMPTY', 61: 'ENODATA',
  84: 'EILSEQ', 95: 'EOPNOTSUPP', 98: 'EADDRINUSE', 103: 'ECONNABORTED', 104: 'ECONNRESET',
  105: 'ENOBUFS', 107: 'ENOTCONN', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH',
  114: 'EALREADY', 115: 'EINPROGRESS',
};

/** ESP32 (newlib) numbers that differ from Linux above 34. */
const NEWLIB: Record<number, string> = {
  ...LINUX,
  88: 'ENOSYS', 90: 'ENOTEMPTY', 91: 'ENAMETOOLONG', 95: 'EOPNOTSUPP', 109: 'ENOPROTOOPT',
  112: 'EADDRINUSE', 113: 'ECONNABORTED', 104: 'ECONNRESET', 116: 'ETIMEDOUT', 119: 'EINPROGRESS',
  120: 'EALREADY', 128: 'ENOTCONN', 134: 'ENOTSUP',
};

export type ErrnoDialect = 'linux' | 'newlib';

export function dialectFor(platform: string | undefined): ErrnoDialect {
  if (platform === 'esp32') return 'newlib';
  return 'linux';
}

const TABLES: Record<ErrnoDialect, Record<number, string>> = { linux: LINUX, newlib: NEWLIB };

/** Whether ports disagree on what this number means (so naming it needs the board's platform). */
export function errnoVaries(errno: number): boolean {
  const code = Math.abs(errno);
  return LINUX[code] !== NEWLIB[code];
}

/** The symbolic name of an errno number for a board platform, or `E<number>` when unknown. */
export function errnoName(errno: number, platform?: string): string {
  const code = Math.abs(errno); // littlefs and some drivers raise negative numbers
  return TABLES[dialectFor(platform)][code] ?? `E${code}`;
}
