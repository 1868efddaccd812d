/**
 * The fast upload: fs_upload.py runs on the board as a receiver reading raw
 * bytes from sys.stdin.buffer, and this side streams length-framed chunks to
 * it under credit flow control. It stages: the bytes land in a temp file that
 * the board hashes back from flash; the host compares that with its own hash
 * and tells the board to keep the temp (for a later commit) or remove it. The host never has more than `window` bytes
 * in flight (sent but not yet taken into the board's RAM), so a board whose
 * UART/USB buffer holds `window` bytes cannot drop any. The board acks each
 * frame as soon as it is in RAM (before writing it to flash), which keeps
 * two frames in flight and the link busy while the board writes.
 *
 * Stopping (Ctrl-C, a local read error, the board's write failing) happens
 * in-band at a frame boundary: the receiver has Ctrl-C disabled, so it is
 * told with an abort frame, removes its temp file and returns to the prompt.
 */
import { BelayError, abortError } from '../../errors.js';
import type { BoardSession } from '../session.js';
import type { InteractiveIo } from '../../protocol/raw-repl.js';
import { pyCall } from './board-code.js';
import { EndedEarly, readLine, runExchange } from './exchange.js';
import { ABORT_FRAME, END_FRAME, MAX_FRAME, TAG, frameHeader } from './frames.js';
import { createHasher, sameHash } from '../../hashing/hashing.js';
import { framesOf, type UploadSource } from './source.js';
import type { ContentHash, HashAlgorithm, Progress } from './types.js';

/** Default credit: the smallest receive buffer among common boards (ESP8266, STM32 USB). */
export const DEFAULT_WINDOW = 256;

export interface BinaryUploadRequest {
  tmp: string;
  target: string;
  /** Create the temp's missing parent directories (recorded first, see fs_tx.py). */
  parents: boolean;
  source: UploadSource;
  algorithm: HashAlgorithm;
  total?: number;
  window?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface BinaryUploadResult {
  bytes: number;
  wireBytes: number;
  hash: ContentHash;
  boardHeap?: number;
}

interface BoardSummary {
  size: number;
  digest: string;
  algorithm: HashAlgorithm;
  heap: number;
}

export async function uploadBinary(device: BoardSession, request: BinaryUploadRequest): Promise<BinaryUploadResult> {
  const window = request.window ?? DEFAULT_WINDOW;
  const frameSize = Math.min(MAX_FRAME, Math.floor(window / 2) - 2);
  if (frameSize < 16) throw new BelayError('USAGE', `a flow-control window of ${window} bytes is too small (minimum 36)`);
  const code = pyCall('_bup', request.tmp, request.target, frameSize, request.parents);
  const { signal, onProgress } = request;
  const hasher = createHasher(request.algorithm);
  const wireAtStart = device.transport.wire.total;
  let stopReason: unknown;
  let boardFailed = false;

  const exchange = async (io: InteractiveIo): Promise<BoardSummary | undefined> => {
    const [ready] = await io.read(1, 'the board receiver to start');
    if (ready !== TAG.ready) {
      io.unread(Uint8Array.of(ready));
      throw new EndedEarly();
    }
    const frames = framesOf(request.source, frameSize);
    let pending: Uint8Array | undefined;
    let sourceDone = false;
    let endSent = false;
    let outstanding = 0;
    const inFlight: number[] = [];
    let done = 0;
    try {
      for (;;) {
        const batch: Uint8Array[] = [];
        while (!endSent) {
          if (stopReason === undefined && signal?.aborted) stopReason = abortError(signal);
          if (stopReason !== undefined || boardFailed) {
            if (outstanding + 2 > window) break;
            batch.push(ABORT_FRAME);
            endSent = true;
            break;
          }
          if (pending === undefined && !sourceDone) {
            try {
              const next = await frames.next();
              if (next.done) sourceDone = true;
              else pending = next.value;
            } catch (err) {
              stopReason = err;
              continue;
            }
          }
          if (pending === undefined) {
            if (outstanding + 2 > window) break;
            batch.push(END_FRAME);
            endSent = true;
            break;
          }
          const cost = pending.length + 2;
          if (outstanding + cost > window) break;
          batch.push(frameHeader(pending.length), pending);
          hasher.update(pending);
          outstanding += cost;
          inFlight.push(cost);
          pending = undefined;
        }
        if (batch.length > 0) {
          await io.write(Buffer.concat(batch));
        }
        if (endSent && inFlight.length === 0) break;
        const [tag] = await io.read(1, 'the board to take a chunk');
        if (tag === TAG.ack) {
          const cost = inFlight.shift();
          if (cost === undefined) throw new BelayError('PROTOCOL', 'the board acknowledged a chunk that was not sent');
          outstanding -= cost;
          done += cost - 2;
          onProgress?.({ done, total: request.total });
        } else if (tag === TAG.failed) {
          boardFailed = true;
        } else if (tag === TAG.endOfOutput) {
          io.unread(Uint8Array.of(tag));
          throw new EndedEarly();
        } else {
          throw new BelayError('PROTOCOL', `unexpected byte 0x${tag.toString(16)} from the board receiver`);
        }
      }
    } finally {
      await frames.return(undefined);
    }
    if (stopReason !== undefined || boardFailed) return undefined;
    const [tag] = await io.read(1, 'the board to hash the upload');
    if (tag !== TAG.hash) {
      io.unread(Uint8Array.of(tag));
      throw new EndedEarly();
    }
    const line = await readLine(io, 'the upload hash');
    const summary = JSON.parse(line) as BoardSummary;
    const ours = hasher.digest();
    const accept = summary.size === done && sameHash(ours, { algorithm: summary.algorithm, digest: summary.digest });
    await io.write(Buffer.from(accept ? 'CC' : 'RR', 'latin1'));
    if (!accept) {
      // Thrown after the program ends (the board removes the temp file itself).
      stopReason = new BelayError('VERIFY_FAILED', `the board's flash holds different bytes than were sent for ${request.target} (the upload was discarded)`, {
        data: { path: request.target, sent: { size: done, ...ours }, received: summary },
        hint: 'the link corrupts or drops bytes: try a smaller --window, a lower baud rate or another cable',
      });
      return undefined;
    }
    const [kept] = await io.read(1, 'the board to keep the staged upload');
    if (kept !== TAG.done) {
      io.unread(Uint8Array.of(kept));
      throw new EndedEarly();
    }
    return summary;
  };

  const run = await runExchange(device, code, exchange, { signal });
  const summary = run.value;
  if (stopReason !== undefined) throw stopReason;
  if (summary === undefined) throw new BelayError('PROTOCOL', 'the board receiver stopped before the upload finished', { detail: run.stdout.toString('latin1').slice(0, 300) });
  return { bytes: summary.size, wireBytes: device.transport.wire.total - wireAtStart, hash: { algorithm: summary.algorithm, digest: summary.digest }, boardHeap: summary.heap };
}
