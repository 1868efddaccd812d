/**
 * errno numbers -> names, in one place. Ports disagree: MicroPython's own
 * numbers and littlefs follow Linux, ESP32's newlib has its own high numbers,
 * and the webassembly port raises WASI numbers even though its errno module
 * says ENOENT is 2. Callers pass the board's sys.platform to pick the dialect.
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

/** WASI numbering, raised by the webassembly port (Emscripten's filesystem). */
const WASI: Record<number, string> = {
  1: 'E2BIG', 2: 'EACCES', 3: 'EADDRINUSE', 6: 'EAGAIN', 8: 'EBADF', 10: 'EBUSY', 18: 'EDOM',
  20: 'EEXIST', 22: 'EFBIG', 27: 'EINTR', 28: 'EINVAL', 29: 'EIO', 31: 'EISDIR', 33: 'EMFILE',
  37: 'ENAMETOOLONG', 41: 'ENFILE', 43: 'ENODEV', 44: 'ENOENT', 48: 'ENOMEM', 51: 'ENOSPC',
  52: 'ENOSYS', 54: 'ENOTDIR', 55: 'ENOTEMPTY', 58: 'ENOTSUP', 59: 'ENOTTY', 63: 'EPERM',
  69: 'EROFS', 70: 'ESPIPE', 73: 'ETIMEDOUT', 75: 'EXDEV',
};

export type ErrnoDialect = 'linux' | 'newlib' | 'wasi';

export function dialectFor(platform: string | undefined): ErrnoDialect {
  if (platform === 'webassembly') return 'wasi';
  if (platform === 'esp32') return 'newlib';
  return 'linux';
}

const TABLES: Record<ErrnoDialect, Record<number, string>> = { linux: LINUX, newlib: NEWLIB, wasi: WASI };

/** The symbolic name of an errno number for a board platform, or `E<number>` when unknown. */
export function errnoName(errno: number, platform?: string): string {
  const code = Math.abs(errno); // littlefs and some drivers raise negative numbers
  return TABLES[dialectFor(platform)][code] ?? `E${code}`;
}
