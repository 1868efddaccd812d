/** Host filesystem failures as BelayErrors (LOCAL_IO), with the errno kept for programs. */
import { BelayError, isBelayError } from '../errors.js';

const PLAIN: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EISDIR: 'it is a folder',
  EEXIST: 'something is already there',
  EROFS: 'the disk is read-only',
};

/** `err` as a LOCAL_IO BelayError saying `what` failed (a BelayError passes through unchanged). */
export function localIoError(err: unknown, what: string, path: string): BelayError {
  if (isBelayError(err)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const why = (code && PLAIN[code]) ?? (err as Error).message;
  return new BelayError('LOCAL_IO', `${what}: ${why}`, { cause: err, data: { path, errno: code } });
}
