/**
 * errno numbers inside the emulated board. Emscripten's filesystem (and so
 * every hook in flash.ts and fat.ts) speaks WASI numbers; MicroPython on a
 * board raises its own numbers, which follow Linux (ENOENT 2, EEXIST 17),
 * and its `errno` module names those. The board translates at the boundary
 * between the interpreter and the filesystem (see interpreter.ts), so code
 * on the board comparing `e.errno == errno.ENOENT` behaves as on hardware.
 */

/** The WASI numbers the emulator's own filesystem code throws. */
export const WASI = {
  EACCES: 2,
  EBUSY: 10,
  EEXIST: 20,
  EINVAL: 28,
  EIO: 29,
  EISDIR: 31,
  ENAMETOOLONG: 37,
  ENOENT: 44,
  ENOSPC: 51,
  ENOTDIR: 54,
  ENOTEMPTY: 55,
  EPERM: 63,
} as const;

/** WASI number -> Linux (MicroPython) number, for every WASI errno. */
const WASI_TO_LINUX: Record<number, number> = {
  1: 7, // E2BIG
  2: 13, // EACCES
  3: 98, // EADDRINUSE
  4: 99, // EADDRNOTAVAIL
  5: 97, // EAFNOSUPPORT
  6: 11, // EAGAIN
  7: 114, // EALREADY
  8: 9, // EBADF
  9: 74, // EBADMSG
  10: 16, // EBUSY
  11: 125, // ECANCELED
  12: 10, // ECHILD
  13: 103, // ECONNABORTED
  14: 111, // ECONNREFUSED
  15: 104, // ECONNRESET
  16: 35, // EDEADLK
  17: 89, // EDESTADDRREQ
  18: 33, // EDOM
  19: 122, // EDQUOT
  20: 17, // EEXIST
  21: 14, // EFAULT
  // 22 (EFBIG) is left out on purpose: its Linux number, 27, is WASI's EINTR,
  // which the interpreter's C code (compiled against WASI numbers) retries forever.
  23: 113, // EHOSTUNREACH
  24: 43, // EIDRM
  25: 84, // EILSEQ
  26: 115, // EINPROGRESS
  27: 4, // EINTR
  28: 22, // EINVAL
  29: 5, // EIO
  30: 106, // EISCONN
  31: 21, // EISDIR
  32: 40, // ELOOP
  33: 24, // EMFILE
  34: 31, // EMLINK
  35: 90, // EMSGSIZE
  36: 72, // EMULTIHOP
  37: 36, // ENAMETOOLONG
  38: 100, // ENETDOWN
  39: 102, // ENETRESET
  40: 101, // ENETUNREACH
  41: 23, // ENFILE
  42: 105, // ENOBUFS
  43: 19, // ENODEV
  44: 2, // ENOENT
  45: 8, // ENOEXEC
  46: 37, // ENOLCK
  47: 67, // ENOLINK
  48: 12, // ENOMEM
  49: 42, // ENOMSG
  50: 92, // ENOPROTOOPT
  51: 28, // ENOSPC
  52: 38, // ENOSYS
  53: 107, // ENOTCONN
  54: 20, // ENOTDIR
  55: 39, // ENOTEMPTY
  56: 131, // ENOTRECOVERABLE
  57: 88, // ENOTSOCK
  58: 95, // ENOTSUP (EOPNOTSUPP)
  59: 25, // ENOTTY
  60: 6, // ENXIO
  61: 75, // EOVERFLOW
  62: 130, // EOWNERDEAD
  63: 1, // EPERM
  64: 32, // EPIPE
  65: 71, // EPROTO
  66: 93, // EPROTONOSUPPORT
  67: 91, // EPROTOTYPE
  68: 34, // ERANGE
  69: 30, // EROFS
  70: 29, // ESPIPE
  71: 3, // ESRCH
  72: 116, // ESTALE
  73: 110, // ETIMEDOUT
  74: 26, // ETXTBSY
  75: 18, // EXDEV
};

/** The number MicroPython on a board would raise for a WASI errno (EIO when WASI has no such number). */
export function linuxErrno(wasi: number): number {
  return WASI_TO_LINUX[wasi] ?? 5;
}
