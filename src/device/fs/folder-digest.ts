/**
 * The digest of one folder's direct entries, computed alike by the board
 * (fs_tree.py `_bdig`) and the host: for each entry one line, `name\0d` for
 * a folder, `name\0f\0size\0digest` for a file, hashed with the session's
 * algorithm; the folder's digest is the XOR of those digests, in hex. XOR
 * needs no order, so the board neither sorts nor holds a
 * folder's names, however many there are. With the entry count beside it,
 * equal digests mean the board folder holds exactly these names, kinds,
 * sizes and contents (to the strength of the hash).
 */
import { hashBytes } from '../../hashing/hashing.js';
import type { HashAlgorithm } from './types.js';

export type DigestEntry = { name: string; kind: 'dir' } | { name: string; kind: 'file'; size: number; digest: string };

export interface FolderDigest {
  /** Board path of the folder. */
  path: string;
  digest: string;
  /** Entries directly in it. */
  count: number;
}

export function folderDigest(algorithm: HashAlgorithm, entries: readonly DigestEntry[]): { digest: string; count: number } {
  let acc: Buffer | undefined;
  for (const entry of entries) {
    const line = entry.kind === 'dir' ? `${entry.name}\0d` : `${entry.name}\0f\0${entry.size}\0${entry.digest}`;
    const hex = Buffer.from(hashBytes(algorithm, Buffer.from(line, 'utf8')).digest, 'hex');
    if (!acc) acc = Buffer.from(hex);
    else for (let i = 0; i < acc.length; i++) acc[i] ^= hex[i];
  }
  return { digest: acc ? acc.toString('hex') : '', count: entries.length };
}
