/**
 * The fallback transfers, for boards without sys.stdin.buffer (uploads) or
 * sys.stdout.buffer (downloads). Uploads go as many small programs through
 * the raw REPL (raw-paste when the board has it), each carrying one chunk as
 * base64 text (binascii) or, lacking binascii, as an escaped bytes literal;
 * the board appends and hashes (fs_encoded.py). Downloads are one program
 * printing base64 (or hex) lines that the host decodes as they stream in.
 * Both stay within a few KiB of board heap and verify by hash like the fast
 * path; they cost more bytes on the wire (base64: 4/3) and a round trip per chunk.
 */
import { BelayError, abortError } from '../../errors.js';
import { notAFile } from './board-errors.js';
import type { BoardSession } from '../session.js';
import { pyCall } from './board-code.js';
import { createHasher, sameHash } from '../../hashing/hashing.js';
import { framesOf, type UploadSource } from './source.js';
import type { ContentHash, HashAlgorithm, Progress } from './types.js';

/** Raw bytes per upload program: 2 KiB of base64 text. */
export const ENCODED_CHUNK = 1536;
/** On a board with little free heap (ESP8266-class), 512 bytes of base64 text per program. */
export const SMALL_ENCODED_CHUNK = 384;
/** Free heap below which the small chunks are used. */
const SMALL_HEAP = 64 * 1024;

/** Raw bytes per upload program for a board with `freeHeap` bytes free (undefined: unknown). */
export function encodedChunkFor(freeHeap: number | undefined): number {
  return freeHeap !== undefined && freeHeap < SMALL_HEAP ? SMALL_ENCODED_CHUNK : ENCODED_CHUNK;
}
const DOWNLOAD_LINE = 768;

export interface EncodedUploadRequest {
  tmp: string;
  target: string;
  /** Create the temp's missing parent directories (recorded first, see fs_tx.py). */
  parents: boolean;
  source: UploadSource;
  algorithm: HashAlgorithm;
  base64: boolean;
  total?: number;
  /** Raw bytes per program (default ENCODED_CHUNK; see encodedChunkFor). */
  chunk?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** A Python bytes literal: printable ASCII as is, everything else \xNN. */
export function pyBytes(bytes: Uint8Array): string {
  let out = "b'";
  for (const byte of bytes) {
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

/**
 * Stages `source` in `tmp` and compares the board's hash of the file as read
 * back from flash with the host's; VERIFY_FAILED when they differ. The caller
 * removes tmp on failure.
 */
export async function uploadEncoded(device: BoardSession, request: EncodedUploadRequest): Promise<{ bytes: number; wireBytes: number; hash: ContentHash; boardHash: ContentHash }> {
  const { signal } = request;
  const hasher = createHasher(request.algorithm);
  const wireAtStart = device.transport.wire.total;
  let done = 0;
  const run = async (code: string) => (await device.exec(code, { signal })).stdout;
  await run(pyCall('_bwopen', request.tmp, request.target, request.parents));
  for await (const chunk of framesOf(request.source, request.chunk ?? ENCODED_CHUNK)) {
    if (signal?.aborted) throw abortError(signal);
    hasher.update(chunk);
    await run(request.base64 ? `_bb(b'${Buffer.from(chunk).toString('base64')}')` : `_bw(${pyBytes(chunk)})`);
    done += chunk.length;
    request.onProgress?.({ done, total: request.total });
  }
  const summary = JSON.parse((await run('_bwclose()')).trim()) as { size: number; digest: string; algorithm: HashAlgorithm };
  const ours = hasher.digest();
  const boardHash = { algorithm: summary.algorithm, digest: summary.digest };
  if (summary.size !== done || !sameHash(ours, boardHash)) {
    throw new BelayError('VERIFY_FAILED', `the board's flash holds different bytes than were sent for ${request.target} (the upload was discarded)`, {
      data: { path: request.target, sent: { size: done, ...ours }, received: summary },
      hint: 'the link corrupts bytes: try a lower baud rate or another cable',
    });
  }
  return { bytes: done, wireBytes: device.transport.wire.total - wireAtStart, hash: ours, boardHash };
}

export interface EncodedDownloadRequest {
  path: string;
  algorithm: HashAlgorithm;
  /** The board has binascii.b2a_base64 (fs_lib's "base64" feature); else it sends hex. */
  base64: boolean;
  sink: (chunk: Buffer) => void | Promise<void>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** Streams `path` as text lines and decodes them as they come; verifies the hash at the end. */
export async function downloadEncoded(device: BoardSession, request: EncodedDownloadRequest): Promise<{ bytes: number; wireBytes: number; hash: ContentHash; method: 'base64' | 'hex' }> {
  const hasher = createHasher(request.algorithm);
  let partial = '';
  let total: number | undefined;
  let done = 0;
  const wireAtStart = device.transport.wire.total;
  let trailer: { digest: string; algorithm: HashAlgorithm; encoding: 'base64' | 'hex' } | undefined;
  // Lines are decoded as they arrive; sink writes are chained so order holds.
  let writes: Promise<void> = Promise.resolve();
  const pendingLines: string[] = [];
  let missing: BelayError | undefined;
  const onLine = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    if (total === undefined) {
      // Not a file: the board says so in place of the size, and ends.
      if (line === '-' || line === 'd') missing = notAFile(request.path, line === 'd');
      total = Number(line);
      request.onProgress?.({ done: 0, total });
      return;
    }
    if (line.startsWith('{')) {
      trailer = JSON.parse(line) as typeof trailer;
      return;
    }
    pendingLines.push(line);
  };
  const flush = () => {
    const lines = pendingLines.splice(0);
    for (const line of lines) {
      const bytes = Buffer.from(line, encoding);
      hasher.update(bytes);
      done += bytes.length;
      const sink = request.sink;
      writes = writes.then(() => sink(bytes));
      request.onProgress?.({ done, total });
    }
  };
  const encoding: 'base64' | 'hex' = request.base64 ? 'base64' : 'hex';
  await device.exec(pyCall('_bread', request.path, DOWNLOAD_LINE), {
    signal: request.signal,
    discardStdout: true,
    onStdout: (chunk) => {
      const text = partial + chunk.toString('latin1');
      const lines = text.split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
      flush();
    },
  });
  if (partial) onLine(partial);
  if (missing) throw missing;
  flush();
  await writes;
  const ours = hasher.digest();
  if (!trailer || !sameHash(ours, trailer)) {
    throw new BelayError('VERIFY_FAILED', `the bytes received for ${request.path} do not match the board's hash`, { data: { path: request.path, received: ours, board: trailer ?? null } });
  }
  return { bytes: done, wireBytes: device.transport.wire.total - wireAtStart, hash: ours, method: encoding };
}
