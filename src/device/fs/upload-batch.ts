/**
 * Uploads a batch of files as one board program and one stream, committed
 * together (board side: ../snippets/fs_batch.py). A batch costs the round
 * trips of one file: the call, the board's answers (which it sends without
 * waiting, so the host never stalls on them) and one decision at the end,
 * and when it is compressed it is one deflate stream, so what one file
 * teaches the compressor helps the next.
 *
 * The stream holds, per file, a header record (target and temp path,
 * size) and the content; the board stages each file in its temp (recorded
 * in the intent log first), hashes it back from flash and sends the hash
 * right away. A file with no temp of its own is staged in the batch's pack
 * instead (PACK_PATH), and written onto its target from there at the
 * commit. The host checks each as it arrives; after the last it says
 * commit (every temp onto its target, journaled as needsJournal decides) or
 * abort (a hash differed, Ctrl-C): then the board removes every temp of the
 * batch and nothing of it is committed. A board error (a full flash, a name
 * refused) stops the writing; the host aborts at the next frame.
 */
import { BelayError, abortError, isBelayError } from '../../errors.js';
import type { BoardSession } from '../session.js';
import { pyCall } from './board-code.js';
import { TEMP_PREFIX } from '../../paths/board.js';
import { reservedPath } from '../../paths/reserved.js';
import { fsError } from './board-errors.js';
import { deflateIfWorth, type CompressionChoice } from './compress.js';
import { CreditedLink, creditQuantum } from './credit.js';
import { EndedEarly, readLine, runExchange } from './exchange.js';
import { ABORT_FRAME, END_FRAME, TAG, frameHeader } from './frames.js';
import { SAFE_WINDOW, checkWindow } from '../link-window.js';
import { createHasher, hashBytes, sameHash } from '../../hashing/hashing.js';
import { framesOf } from './source.js';
import { frameSizeFor, goAhead, verifyFailed } from './upload-binary.js';
import type { ContentHash, HashAlgorithm } from './types.js';

/** One file of a batch: its bytes go to `temp`, renamed onto `target` at the commit ('' : to the batch's pack). */
export interface BatchFile {
  target: string;
  temp: string;
  bytes: Uint8Array;
}

/** Where a batch's small files are staged on littlefs (batch-plan.ts PACK_MAX_FILE): one file in belay's folder. */
export const PACK_PATH = reservedPath(`${TEMP_PREFIX}pack`).path;

/** A batch ready to send: its stream, and that stream deflated when that saves. */
export interface PreparedBatch {
  files: BatchFile[];
  stream: Buffer;
  /** Each file's header record, and where its content starts in the stream. */
  headers: Buffer[];
  starts: number[];
  compression?: CompressionChoice;
}

/**
 * The stream of a batch, deflated when `compress` (the window sized from
 * the board's free heap) and that saves enough; else as it is, so a batch
 * is never sent larger than uncompressed.
 */
export async function prepareBatch(files: BatchFile[], compress?: { freeHeap?: number }): Promise<PreparedBatch> {
  const { stream, headers, starts } = batchStream(files);
  return { files, stream, headers, starts, compression: compress ? await deflateIfWorth(stream, compress.freeHeap) : undefined };
}

export interface BatchUploadRequest {
  algorithm: HashAlgorithm;
  window?: number;
  /** The board's free heap (probe), which sizes its frame buffer; undefined: unknown. */
  freeHeap?: number;
  /** Commit under a journal (needsJournal; always with a pack). */
  journaled: boolean;
  /** The pack (PACK_PATH) when files of the batch have no temp of their own. */
  pack?: string;
  /** Nothing else is staged on the board: an abort may roll the whole intent log back (the folders made for the batch go too). */
  solo: boolean;
  signal?: AbortSignal;
  /** Removes what the batch staged, when the board could not (called before the error is thrown). */
  undo?: () => Promise<void>;
  /** Progress: the file whose bytes are on the way (index into `files`) and how many of them. */
  onProgress?: (index: number, done: number) => void;
}

export interface BatchUploadResult {
  /** Per file: its content hash (the host's, which the board's read-back matched) and the board's peak heap so far. */
  files: Array<{ hash: ContentHash; boardHeap: number }>;
  wireBytes: number;
  /** Payload bytes on the wire: the stream, compressed when `compressed`. */
  sent: number;
  /** Bytes of the stream before compression (headers and contents). */
  streamBytes: number;
  compressed: boolean;
  /** What the commit found (see `_bcommit`). */
  committed: { missing: string[]; names: unknown[] };
}

/** Per file in the stream: b"F", size (u32 LE), target and temp lengths (u16 LE), target, temp (UTF-8); b"E" after the last. */
function batchStream(files: BatchFile[]): { stream: Buffer; headers: Buffer[]; starts: number[] } {
  const parts: Buffer[] = [];
  const headers: Buffer[] = [];
  const starts: number[] = [];
  let at = 0;
  for (const file of files) {
    const target = Buffer.from(file.target, 'utf8');
    const temp = Buffer.from(file.temp, 'utf8');
    if (target.length > 0xffff || temp.length > 0xffff) throw new BelayError('PATH_INVALID', `board path too long: ${file.target}`);
    const fixed = Buffer.alloc(9);
    fixed[0] = 0x46;
    fixed.writeUInt32LE(file.bytes.length, 1);
    fixed.writeUInt16LE(target.length, 5);
    fixed.writeUInt16LE(temp.length, 7);
    const header = Buffer.concat([fixed, target, temp]);
    headers.push(header);
    parts.push(header, Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
    at += header.length;
    starts.push(at);
    at += file.bytes.length;
  }
  parts.push(Buffer.of(0x45));
  return { stream: Buffer.concat(parts), headers, starts };
}

export async function uploadBatch(device: BoardSession, batch: PreparedBatch, request: BatchUploadRequest): Promise<BatchUploadResult> {
  const { signal, algorithm } = request;
  const { files, stream, headers, starts, compression } = batch;
  if (request.pack === undefined && files.some((file) => file.temp === '')) throw new BelayError('INTERNAL', 'a batch file without a temp needs the batch pack');
  const window = checkWindow(request.window ?? SAFE_WINDOW);
  const quantum = creditQuantum(window);
  const frameSize = frameSizeFor(window, request.freeHeap);
  let payload: Uint8Array = stream;
  // What the board's hash line must say for each file: the header record, then the content.
  const expected = files.map((file, i) => {
    const hasher = createHasher(algorithm);
    hasher.update(headers[i]);
    hasher.update(file.bytes);
    return hasher.digest();
  });
  const contents = files.map((file) => hashBytes(algorithm, file.bytes));
  const code = pyCall('_bputs', frameSize, quantum, compression?.windowBits ?? 0, request.solo, request.pack ?? null);
  const wireAtStart = device.transport.wire.total;
  let stopReason: unknown;
  let link: CreditedLink | undefined;
  let received = 0;
  const heaps: number[] = [];
  let committed: BatchUploadResult['committed'] | undefined;

  const progress = (acked: number) => {
    if (!request.onProgress) return;
    const done = Math.min(stream.length, payload !== stream ? Math.floor((acked / payload.length) * stream.length) : acked);
    let index = 0;
    while (index + 1 < files.length && starts[index + 1] - headers[index + 1].length <= done) index += 1;
    request.onProgress(index, Math.max(0, Math.min(files[index].bytes.length, done - starts[index])));
  };

  const exchange = async (io: Parameters<Parameters<typeof runExchange>[2]>[0]): Promise<boolean> => {
    // The board may have room for a narrower window only, or none (goAhead).
    payload = (await goAhead(io, compression))?.compressed ?? stream;
    link = new CreditedLink(io, window, quantum, progress);
    const frames = framesOf(payload, frameSize);
    const nextFrame = async (): Promise<Uint8Array> => {
      if (stopReason === undefined && signal?.aborted) stopReason = abortError(signal);
      if (stopReason !== undefined || link!.failed) return ABORT_FRAME;
      const next = await frames.next();
      return next.done ? END_FRAME : Buffer.concat([frameHeader(next.value.length), next.value]);
    };
    const onHash = async () => {
      const [size, boardAlgorithm, digest, heap] = JSON.parse(await readLine(io, 'a hash of the batch')) as [number, HashAlgorithm, string, number];
      const i = received++;
      if (i >= files.length) throw new BelayError('PROTOCOL', 'the board hashed more files than the batch holds');
      heaps.push(heap);
      const ok = size === files[i].bytes.length && sameHash(expected[i], { algorithm: boardAlgorithm, digest });
      if (!ok && stopReason === undefined) stopReason = verifyFailed(files[i].target, { size: files[i].bytes.length, ...contents[i] }, { size, algorithm: boardAlgorithm, digest });
    };
    const onTag = async (tag: number) => {
      if (tag !== TAG.hash) return false;
      await onHash();
      return true;
    };
    try {
      await link.send(nextFrame, onTag);
    } finally {
      await frames.return(undefined);
    }
    if (stopReason !== undefined || link.failed) return false;
    // The last hashes, then V: the board waits for the decision.
    for (;;) {
      const tag = await link.readTag('the board to verify the batch');
      if (tag === TAG.verdict) break;
      if (!CreditedLink.handled(tag) && !(await onTag(tag))) {
        io.unread(Uint8Array.of(tag));
        throw new EndedEarly();
      }
      if (link.failed) return false;
    }
    if (received !== files.length) throw new BelayError('PROTOCOL', `the board hashed ${received} of the batch's ${files.length} files`);
    if (stopReason === undefined && signal?.aborted) stopReason = abortError(signal);
    const accept = stopReason === undefined;
    await io.write(Buffer.from(accept ? (request.journaled ? 'CJ' : 'CN') : 'RR', 'latin1'));
    if (!accept) return false;
    const [done] = await io.read(1, 'the board to commit the batch');
    if (done !== TAG.done) {
      io.unread(Uint8Array.of(done));
      throw new EndedEarly();
    }
    // A commit that raises ends the program here: exec reports its traceback.
    const [missing, names] = JSON.parse(await readLine(io, 'the board to commit the batch')) as [string[], unknown[]];
    committed = { missing, names };
    return true;
  };

  let run: Awaited<ReturnType<typeof runExchange<boolean>>>;
  try {
    run = await runExchange(device, code, exchange, { signal });
  } catch (err) {
    // The board removes the batch's temps itself before it raises a write
    // error (it said X first); after anything else (a timeout, a protocol
    // surprise, an error in the commit) they are undone here. With the link
    // gone nobody can: the intent log lets the next session.
    const cleaned = link?.failed === true && !link.corrupt && isBelayError(err, 'BOARD_EXCEPTION');
    if (!cleaned && !isBelayError(err, 'LINK_LOST')) await request.undo?.();
    // A board error names the file the board was writing.
    throw fsError(err, 'writing', files[Math.min(received, files.length - 1)].target);
  }
  // A clean stop (a hash differed, Ctrl-C, a bad stream): the board removed every temp of the batch.
  if (stopReason !== undefined) throw stopReason;
  if (link?.corrupt) {
    const at = Math.min(received, files.length - 1);
    throw verifyFailed(files[at].target, { size: files[at].bytes.length, ...contents[at] }, 'the batch stream did not decompress or parse on the board');
  }
  if (!run.value || !committed) {
    await request.undo?.();
    throw new BelayError('PROTOCOL', 'the board receiver stopped before the batch was committed', { detail: run.stdout.toString('latin1').slice(0, 300) });
  }
  return {
    files: contents.map((hash, i) => ({ hash, boardHeap: heaps[i] })),
    wireBytes: device.transport.wire.total - wireAtStart,
    sent: payload.length,
    streamBytes: stream.length,
    compressed: compression !== undefined,
    committed,
  };
}
