/**
 * The board's actual state: its whole tree with every file's size and hash,
 * in one round trip (device.fs.list of "/"). Hashes come in the board's
 * best algorithm (sha256, or crc32/adler32 on builds without hashlib); the
 * local side hashes the same way to compare.
 */
import type { Device } from '../device/device.js';
import { BelayError } from '../errors.js';
import type { ActualEntry, ActualState } from './types.js';

export async function readActual(device: Device, options: { signal?: AbortSignal } = {}): Promise<ActualState> {
  const features = await device.fs.probe({ signal: options.signal });
  const listing = await device.fs.list('/', { signal: options.signal, recursive: true, hash: true });
  const entries: ActualEntry[] = listing.map((entry) => {
    if (entry.kind === 'dir') return { path: entry.path, kind: 'dir' };
    if (!entry.hash || entry.hash.algorithm !== features.hash) {
      throw new BelayError('PROTOCOL', `the board listed ${entry.path} without a ${features.hash} hash`);
    }
    return { path: entry.path, kind: 'file', size: entry.size, hash: entry.hash.digest };
  });
  return { hashAlgorithm: features.hash, entries };
}
