/**
 * The fast upload: fs_upload.py runs on the board as a receiver reading raw
 * bytes from sys.stdin.buffer, and this side streams length-framed chunks to
 * it under credit flow control. It stages: the bytes land in a temp file that
 * the board hashes back from flash; the host compares that with its own hash
 * and tells the board to keep the temp (for a later commit) or remove it.
 *
 * Credit counts bytes: the host never has more than `window` bytes in flight
 * (sent but not yet taken into the board's RAM), so a board whose receive
 * buffer holds `window` bytes cannot drop any. The board grants credit every
 * quarter window it takes in (before writing to flash), so the link stays
 * busy while the board writes and while a USB-UART bridge holds the grants
 * back for its latency timer; frames are cut wherever the credit ends.
 *
 * With `compression` the payload is a raw deflate stream that the board
 * decompresses as it arrives (compress.ts, fs_unzip.py); the host hashes the
 * original bytes, so verification is the same.
 *
 * Stopping (Ctrl-C, a local read error, the board's write failing) happens
 * in-band at a frame boundary: the receiver has Ctrl-C disabled, so it is
 * told with an abort frame, removes its temp file and returns to the prompt.
 *
 * `lookThenUpload` runs the receiver behind a look at the board (fs_put.py):
 * the board first reports what it has at the target, the host decides
 * (skip, refuse, or where the bytes go) and the upload follows in the same
 * program. Until the host's answer the program has Ctrl-C enabled, so an
 * abort there simply interrupts it.
 */
import { BelayError, abortError } from '../../errors.js';
import type { BoardSession } from '../session.js';
import type { InteractiveIo } from '../../protocol/raw-repl.js';
import { pyCall } from './board-code.js';
import { EndedEarly, readLine, runExchange } from './exchange.js';
import { ABORT_FRAME, END_FRAME, MAX_FRAME, TAG, frameHeader } from './frames.js';
import { CreditedLink, creditQuantum } from './credit.js';
import { MIN_WINDOW_BITS, narrowed, type CompressionChoice } from './compress.js';
import { SAFE_WINDOW, checkWindow } from '../link-window.js';
import { createHasher, sameHash } from '../../hashing/hashing.js';
import { framesOf, type UploadSource } from './source.js';
import type { ContentHash, HashAlgorithm, Progress } from './types.js';

/**
 * Reads a receiver's go-ahead (_bup, _bputs): b"G", or b"g" and the window
 * bits the board found room for (fs_frames.py _bwin), narrower than asked
 * (0: none).
 * Resolves with what to send: `compression` as chosen, the same bytes
 * deflated again for the narrower window, or undefined for the bytes as
 * they are. Anything else is not the receiver's: EndedEarly.
 */
export async function goAhead(io: InteractiveIo, compression: CompressionChoice | undefined): Promise<CompressionChoice | undefined> {
  const [ready] = await io.read(1, 'the board receiver to start');
  if (ready === TAG.ready) return compression;
  if (ready === TAG.narrower && compression) {
    const [bits] = await io.read(1, 'the window the board has room for');
    if (bits !== 0 && (bits < MIN_WINDOW_BITS || bits >= compression.windowBits)) throw new BelayError('PROTOCOL', `the board offered a ${2 ** bits}-byte window for a ${2 ** compression.windowBits}-byte one`);
    return narrowed(compression, bits);
  }
  io.unread(Uint8Array.of(ready));
  throw new EndedEarly();
}

/** The smallest frame buffer: what a board gets when its free heap is unknown and its window small. */
export const MIN_FRAME = 512;

/**
 * Payload bytes per frame, the size of the board's frame buffer. Frames
 * need not fit the window (credit counts bytes), so a small window still
 * gets large frames where the board's free heap allows (a sixteenth of it,
 * as for the deflate window): each frame costs a 2-byte header on the wire
 * and a pass of the receiver's loop on the board, so 2 KiB frames instead
 * of 512 save 0.3% of a slow link and three quarters of those passes.
 */
export function frameSizeFor(window: number, freeHeap?: number): number {
  const byHeap = freeHeap === undefined ? 0 : Math.floor(freeHeap / 16);
  return Math.min(MAX_FRAME, Math.max(MIN_FRAME, window, byHeap));
}

/** What every upload needs, wherever its target is decided. */
interface ReceiveRequest {
  /** Create the temp's missing parent directories (recorded first, see fs_tx.py). */
  parents: boolean;
  source: UploadSource;
  algorithm: HashAlgorithm;
  total?: number;
  window?: number;
  /** The board's free heap (probe), which sizes its frame buffer; undefined: unknown. */
  freeHeap?: number;
  /** Send this raw deflate stream of the source instead (see compress.ts). */
  compression?: CompressionChoice;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** Where the bytes go, and whether they are committed in the same program. */
export interface UploadTarget {
  tmp: string;
  target: string;
  /**
   * Commit the staged file onto the target in the same program once its
   * hash is accepted (a round trip less per file): `journaled` as
   * needsJournal decides for this lone rename. Absent: the temp stays staged.
   */
  commit?: { journaled: boolean };
}

export interface BinaryUploadRequest extends ReceiveRequest, UploadTarget {}

/**
 * A look at the board before a lone upload (fs_put.py `_bput`): the target
 * is `path`, or `path/name` when `path` is a folder (`mode` 1) or always
 * (`mode` 2); `tmps` the temp for each. The board reports, `decide` answers.
 */
export interface LookRequest extends ReceiveRequest {
  path: string;
  name: string;
  mode: 0 | 1 | 2;
  tmps: [string, string];
  /** The source's size and digest: a target that holds the same is skipped by the board itself (null: never skip). */
  same: [number, string] | null;
  /**
   * From the board's report (see fs_put.py): `unchanged`, the index of the
   * target that holds the same bytes (the program has ended: nothing is
   * sent); else `look`, its JSON list, and the answer says where the bytes
   * go, or undefined to end with nothing written. An error thrown here
   * ends the program cleanly, then is thrown.
   */
  decide: (report: { unchanged: number } | { look: unknown }) => UploadTarget | undefined | Promise<UploadTarget | undefined>;
}

export interface BinaryUploadResult {
  bytes: number;
  wireBytes: number;
  hash: ContentHash;
  boardHeap?: number;
  /** Bytes of payload that crossed the link (the compressed size when compressed). */
  sent: number;
  /** What the commit found (see `_bcommit`), when the request asked to commit. */
  committed?: { missing: string[]; names: unknown[] };
}

interface BoardSummary {
  size: number;
  digest: string;
  algorithm: HashAlgorithm;
  heap: number;
}

/** The receiver's settings for a request: credit window, quantum, frame size. */
function receiverFor(request: ReceiveRequest): { window: number; quantum: number; frameSize: number; windowBits: number } {
  const window = checkWindow(request.window ?? SAFE_WINDOW);
  return { window, quantum: creditQuantum(window), frameSize: frameSizeFor(window, request.freeHeap), windowBits: request.compression?.windowBits ?? 0 };
}

/** Stages (and with `commit`, commits) one upload into `tmp`, verified from flash. */
export async function uploadBinary(device: BoardSession, request: BinaryUploadRequest): Promise<BinaryUploadResult> {
  const { frameSize, quantum, windowBits } = receiverFor(request);
  const code = pyCall('_bup', request.tmp, request.target, frameSize, quantum, request.parents, windowBits);
  const result = await receive(device, code, request, async () => request);
  // Without a look there is always a target: undefined is only a look's skip.
  return result!;
}

/**
 * A lone upload behind a look at the board (see LookRequest), in one
 * program. Resolves undefined when `decide` skipped it (nothing sent).
 */
export async function lookThenUpload(device: BoardSession, request: LookRequest): Promise<(BinaryUploadResult & UploadTarget) | undefined> {
  const { frameSize, quantum, windowBits } = receiverFor(request);
  const code = pyCall('_bput', request.path, request.name, request.tmps, request.same, request.mode, frameSize, quantum, request.parents, windowBits);
  let chosen: UploadTarget | undefined;
  let refusal: unknown;
  const look = async (io: InteractiveIo): Promise<UploadTarget | undefined> => {
    const what = 'the board to look at the target';
    const [tag] = await io.read(1, what, request.signal);
    if (tag !== TAG.look && tag !== TAG.same) {
      io.unread(Uint8Array.of(tag));
      throw new EndedEarly();
    }
    const line = await readLine(io, what, request.signal);
    try {
      chosen = await request.decide(tag === TAG.same ? { unchanged: Number(line) } : { look: JSON.parse(line) as unknown });
    } catch (err) {
      refusal = err;
      chosen = undefined;
    }
    // After S the program has ended: it reads no answer.
    if (tag === TAG.look) await io.write(Buffer.from(chosen ? 'GO' : 'NO', 'latin1'));
    return chosen;
  };
  const result = await receive(device, code, request, look);
  if (refusal !== undefined) throw refusal;
  return result && chosen ? { ...result, ...chosen } : undefined;
}

/**
 * Runs `code` (a receiver, or a look that ends in one) and streams the
 * source to it once `where` has said where it goes (undefined: it ended
 * there, resolve undefined).
 */
async function receive(
  device: BoardSession,
  code: string,
  request: ReceiveRequest,
  where: (io: InteractiveIo) => Promise<UploadTarget | undefined>,
): Promise<BinaryUploadResult | undefined> {
  const { window, quantum, frameSize } = receiverFor(request);
  const { compression, signal, onProgress } = request;
  const hasher = createHasher(request.algorithm);
  const wireAtStart = device.transport.wire.total;
  const rawTotal = compression ? compression.raw.length : request.total;
  if (compression) hasher.update(compression.raw);
  let stopReason: unknown;
  let link: CreditedLink | undefined;
  let sent = 0;
  let committed: BinaryUploadResult['committed'];
  let to: UploadTarget | undefined;
  let stopped = false;

  const exchange = async (io: InteractiveIo): Promise<BoardSummary | undefined> => {
    to = await where(io);
    if (!to) {
      stopped = true;
      return undefined;
    }
    // What goes on the wire (the board may have room for a narrower window only), and how much of the original each wire byte stands for (progress).
    const sending = await goAhead(io, compression);
    const payload: UploadSource = sending ? sending.compressed : (compression?.raw ?? request.source);
    const frames = framesOf(payload, frameSize);
    link = new CreditedLink(io, window, quantum, (acked) => {
      const done = sending ? Math.min(rawTotal!, Math.floor((acked / sending.compressed.length) * rawTotal!)) : Math.min(acked, sent);
      onProgress?.({ done, total: rawTotal });
    });
    // The next framed piece of the stream: a data frame, or the end or abort frame.
    const nextFrame = async (): Promise<Uint8Array> => {
      for (;;) {
        if (stopReason === undefined && signal?.aborted) stopReason = abortError(signal);
        if (stopReason !== undefined || link!.failed) return ABORT_FRAME;
        let next: IteratorResult<Uint8Array>;
        try {
          next = await frames.next();
        } catch (err) {
          stopReason = err;
          continue;
        }
        if (next.done) return END_FRAME;
        if (!compression) hasher.update(next.value);
        sent += next.value.length;
        return Buffer.concat([frameHeader(next.value.length), next.value]);
      }
    };
    try {
      await link.send(nextFrame);
    } finally {
      await frames.return(undefined);
    }
    if (stopReason !== undefined || link.failed) return undefined;
    // Credit for the last bytes may still come before the hash; a failure too.
    let tag: number;
    for (;;) {
      tag = await link.readTag('the board to hash the upload');
      if (tag === TAG.hash || !CreditedLink.handled(tag)) break;
      if (link.failed) return undefined;
    }
    if (tag !== TAG.hash) {
      io.unread(Uint8Array.of(tag));
      throw new EndedEarly();
    }
    const [size, algorithm, digest, heap] = JSON.parse(await readLine(io, 'the upload hash')) as [number, HashAlgorithm, string, number];
    const summary: BoardSummary = { size, algorithm, digest, heap };
    const ours = hasher.digest();
    // The size of what was hashed: the bytes streamed, which a file changed since it was measured makes differ from `total`.
    const hashed = compression ? compression.raw.length : sent;
    const accept = summary.size === hashed && sameHash(ours, { algorithm: summary.algorithm, digest: summary.digest });
    const keep = to.commit ? (to.commit.journaled ? 'CJ' : 'CN') : 'CC';
    await io.write(Buffer.from(accept ? keep : 'RR', 'latin1'));
    if (!accept) {
      // Thrown after the program ends (the board removes the temp file itself).
      stopReason = verifyFailed(to.target, { size: hashed, ...ours }, summary);
      return undefined;
    }
    const [kept] = await io.read(1, 'the board to keep the staged upload');
    if (kept !== TAG.done) {
      io.unread(Uint8Array.of(kept));
      throw new EndedEarly();
    }
    // A commit that raises ends the program here: exec reports its traceback.
    if (to.commit) {
      const [missing, names] = JSON.parse(await readLine(io, 'the board to commit the upload')) as [string[], unknown[]];
      committed = { missing, names };
    }
    return summary;
  };

  const run = await runExchange(device, code, exchange, { signal });
  const summary = run.value;
  if (stopReason !== undefined) throw stopReason;
  // The look ended the program with nothing sent (a skip, or a refusal its caller throws).
  if (stopped) return undefined;
  if (link?.corrupt && to) throw verifyFailed(to.target, { size: compression ? compression.raw.length : sent, ...hasher.digest() }, 'the compressed stream did not decompress on the board');
  if (summary === undefined) throw new BelayError('PROTOCOL', 'the board receiver stopped before the upload finished', { detail: run.stdout.toString('latin1').slice(0, 300) });
  return { bytes: summary.size, sent, wireBytes: device.transport.wire.total - wireAtStart, hash: { algorithm: summary.algorithm, digest: summary.digest }, boardHeap: summary.heap, ...(to?.commit ? { committed } : {}) };
}

export function verifyFailed(target: string, sent: ContentHash & { size: number }, received: unknown): BelayError {
  return new BelayError('VERIFY_FAILED', `the board's flash holds different bytes than were sent for ${target} (the upload was discarded)`, {
    data: { path: target, sent, received },
    hint: 'the link corrupts or drops bytes: try a smaller --window, a lower baud rate or another cable',
  });
}
