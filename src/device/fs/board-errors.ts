/**
 * Turns a board exception from a filesystem call into the error a user
 * needs: NO_SPACE for ENOSPC, FS_ERROR (with the errno name in data and a
 * readable message) for the other OSErrors. Anything else passes unchanged.
 * Also the error for a download that finds a folder or nothing, which the
 * board reports as an answer rather than a traceback.
 */
import { BelayError, isBelayError } from '../../errors.js';

const WHAT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOTEMPTY: 'directory not empty',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  ENAMETOOLONG: 'name too long',
  EINVAL: 'invalid argument',
  EIO: 'input/output error',
  EBUSY: 'busy',
};

export function fsError(err: unknown, action: string, path: string): unknown {
  if (!isBelayError(err, 'BOARD_EXCEPTION')) return err;
  const name = err.data.errnoName as string | undefined;
  if (err.data.type !== 'OSError' || name === undefined) return err;
  const data = { ...err.data, path, errnoName: name };
  if (name === 'ENOSPC') {
    return new BelayError('NO_SPACE', `no space left on the board while ${action} ${path}`, {
      data,
      hint: 'free some space (belay df, belay rm) or upload less',
      cause: err,
    });
  }
  return new BelayError('FS_ERROR', `${action} ${path}: ${WHAT[name] ?? name} (${name})`, { data, cause: err });
}

/** Runs `work`, translating board OSErrors to FS_ERROR / NO_SPACE. */
export async function mapFsErrors<T>(action: string, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw fsError(err, action, path);
  }
}

/** What a download finds instead of a file, as the board says it (no traceback): a folder (EISDIR) or nothing (ENOENT). */
export function notAFile(path: string, folder: boolean): BelayError {
  const errnoName = folder ? 'EISDIR' : 'ENOENT';
  return new BelayError('FS_ERROR', `reading ${path}: ${WHAT[errnoName]} (${errnoName})`, { data: { path, errnoName } });
}
