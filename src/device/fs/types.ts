/**
 * The shapes the filesystem API takes and returns. Hashes always travel with
 * their algorithm: boards without hashlib hash with crc32 or adler32, and
 * two digests are only comparable when their algorithms match.
 */

import type { ContentHash, HashAlgorithm } from '../../hashing/hashing.js';

export type { ContentHash, HashAlgorithm };

export interface FsEntry {
  /** Absolute board path. */
  path: string;
  kind: 'file' | 'dir';
  /** Bytes, for files (0 for directories). */
  size: number;
  /** Present for files when hashes were asked for. */
  hash?: ContentHash;
}

export interface FsStat {
  path: string;
  kind: 'file' | 'dir';
  size: number;
}

export interface DiskUsage {
  size: number;
  /** Free bytes; null when the board's count cannot be right (shown as unknown). */
  free: number | null;
  used: number | null;
  blockSize: number;
}

/** What the board offers for transfers, probed once per session. */
export interface FsFeatures {
  hash: HashAlgorithm;
  base64: boolean;
  stdinBuffer: boolean;
  stdoutBuffer: boolean;
  /** The board's receive buffer in bytes, when its firmware says (undefined: unknown). */
  rxBuffer?: number;
}

export interface Progress {
  /** Payload bytes moved so far. */
  done: number;
  /** Payload bytes in all (undefined when a stream's size is unknown). */
  total?: number;
}

export interface TransferStats {
  /** Payload bytes. */
  bytes: number;
  /** Bytes on the wire both ways for this transfer, code included (from the board's framing). */
  wireBytes: number;
  /** Which path moved the bytes. */
  method: 'binary' | 'base64' | 'literal' | 'hex';
  hash: ContentHash;
  /** Peak heap the board's transfer code allocated (bytes), when it reports it. */
  boardHeap?: number;
  /** Payload bytes on the wire when the upload went compressed (else absent). */
  compressed?: number;
  /** True when the board already held identical content and nothing was sent. */
  skipped?: boolean;
  /** The board path written (or skipped), set by write(): where `into` led. */
  path?: string;
}

export interface OperationOptions {
  signal?: AbortSignal;
}

/** device.fs.list: one level unless `recursive`, no hashes unless `hash`. */
export interface ListOptions extends OperationOptions {
  /** The whole tree below the path, not only its entries (default false). */
  recursive?: boolean;
  /** Each file's content hash too: the board reads every file (default false). */
  hash?: boolean;
  /** Told about folders below the path that could not be listed (and were skipped). */
  onSkip?: (path: string, errnoName: string) => void;
}

export interface TransferOptions extends OperationOptions {
  onProgress?: (progress: Progress) => void;
}

export interface WriteOptions extends TransferOptions {
  /** Size in bytes, if `source` is a stream (for progress only). */
  size?: number;
  /**
   * Skip when the board already has the same content (needs bytes or a
   * local file, whose hash can be known first; the board hashes its file in
   * the write's own program, only when the sizes match). Default false.
   */
  skipUnchanged?: boolean;
  /**
   * Write into a folder, as cp does: when the board has a folder at `path`,
   * the file is `path/name` (else `path` itself). With `always`, `path` is
   * meant as a folder whatever the board holds: the file is `path/name`,
   * the folder and its parents are made if missing, and a file at `path` is
   * an error (FS_ERROR, ENOTDIR). The result's `path` says where it went.
   */
  into?: { name: string; always?: boolean };
  /** Told the board path the file goes to once it is settled, before its bytes go (not for a skipped file). */
  onStart?: (path: string) => void;
  /** Create missing parent directories first. Default false. */
  parents?: boolean;
  /**
   * Overwrite the target directly instead of staging a copy beside it: for
   * a board too full for two copies. Unsafe: a cut link or power loss
   * mid-write, or a failed check, leaves no file at the target. Default false.
   */
  inPlace?: boolean;
  /** The caller already checked names and free space (putTree does, for the whole tree at once). */
  prechecked?: boolean;
}
