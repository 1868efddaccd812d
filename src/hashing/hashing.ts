/**
 * Host-side twins of the board's hash algorithms (fs_lib.py), so the host can
 * hash what it sends or receives and compare with the board's digest:
 * sha256 (hashlib), crc32 (binascii.crc32: zlib's polynomial), adler32 (the
 * pure-Python fallback). All are streaming: memory does not grow with size
 * (a local file is read whole only up to READ_WHOLE_BYTES).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, createReadStream, fstatSync, openSync, readFileSync } from 'node:fs';
import { BelayError, throwIfAborted } from '../errors.js';

/** The algorithms a board can hash with, best first (see device/snippets/fs_lib.py). */
export type HashAlgorithm = 'sha256' | 'crc32' | 'adler32';

/** A digest always travels with its algorithm: two are comparable only when those match. */
export interface ContentHash {
  algorithm: HashAlgorithm;
  /** Lowercase hex. */
  digest: string;
}

export interface Hasher {
  update(bytes: Uint8Array): void;
  digest(): ContentHash;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function createHasher(algorithm: HashAlgorithm): Hasher {
  switch (algorithm) {
    case 'sha256': {
      const hash = createHash('sha256');
      return { update: (bytes) => hash.update(bytes), digest: () => ({ algorithm, digest: hash.digest('hex') }) };
    }
    case 'crc32': {
      let crc = 0xffffffff;
      return {
        update: (bytes) => {
          for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
        },
        digest: () => ({ algorithm, digest: ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0') }),
      };
    }
    case 'adler32': {
      let a = 1;
      let b = 0;
      return {
        update: (bytes) => {
          for (let i = 0; i < bytes.length; i++) {
            a = (a + bytes[i]) % 65521;
            b = (b + a) % 65521;
          }
        },
        digest: () => ({ algorithm, digest: (((b << 16) | a) >>> 0).toString(16).padStart(8, '0') }),
      };
    }
    default:
      throw new BelayError('PROTOCOL', `unknown hash algorithm ${String(algorithm)}`);
  }
}

export function hashBytes(algorithm: HashAlgorithm, bytes: Uint8Array): ContentHash {
  const hasher = createHasher(algorithm);
  hasher.update(bytes);
  return hasher.digest();
}

/**
 * Regular files up to this size are read whole, in one blocking call: a
 * source tree is mostly files of a few KB, and a stream for each costs
 * several trips through the thread pool, ~64 KB of buffer and the stream
 * machinery, while the read itself takes microseconds. Larger files are
 * streamed, so memory does not grow with size.
 */
export const READ_WHOLE_BYTES = 256 * 1024;

/** Opening never waits for a writer (a FIFO in a tree); on Windows there is no such flag, nor FIFOs to wait on. */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** Hashes a local file: read whole when it is a small regular file, else streamed. */
export async function hashLocalFile(algorithm: HashAlgorithm, file: string, signal?: AbortSignal): Promise<ContentHash> {
  throwIfAborted(signal);
  const hasher = createHasher(algorithm);
  const fd = openSync(file, OPEN_FLAGS);
  let small = false;
  try {
    const stats = fstatSync(fd);
    small = stats.isFile() && stats.size <= READ_WHOLE_BYTES;
    // Read to the end, whatever the size said (the file may be growing).
    if (small) hasher.update(readFileSync(fd));
  } finally {
    closeSync(fd);
  }
  if (!small) for await (const chunk of createReadStream(file, { signal })) hasher.update(chunk as Buffer);
  return hasher.digest();
}

export function sameHash(a: ContentHash | undefined, b: ContentHash | undefined): boolean {
  return a !== undefined && b !== undefined && a.algorithm === b.algorithm && a.digest === b.digest;
}
