/**
 * The fast download: fs_download.py writes the file to sys.stdout.buffer in
 * length-framed chunks (any byte value passes, 0x04 included, which would
 * otherwise end the raw REPL's output), followed by the board's digest. The
 * host hashes what it receives and compares. The board needs no credit from
 * the host here: hosts read far faster than boards send. Ctrl-C works as
 * usual (the program reads nothing from stdin), so an abort just interrupts.
 * A folder or nothing at the path is told in the first line (FS_ERROR with
 * EISDIR or ENOENT), so a get needs no look at the board before it.
 */
import { BelayError, abortError } from '../../errors.js';
import type { BoardSession } from '../session.js';
import type { InteractiveIo } from '../../protocol/raw-repl.js';
import { pyCall } from './board-code.js';
import { TAG, parseHeader } from './frames.js';
import { createHasher, sameHash } from '../../hashing/hashing.js';
import { EndedEarly, readLine, runExchange } from './exchange.js';
import { notAFile } from './board-errors.js';
import type { ContentHash, HashAlgorithm, Progress } from './types.js';

export const DOWNLOAD_FRAME = 1024;

export interface BinaryDownloadRequest {
  path: string;
  algorithm: HashAlgorithm;
  sink: (chunk: Buffer) => void | Promise<void>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface DownloadResult {
  bytes: number;
  wireBytes: number;
  hash: ContentHash;
  boardHeap?: number;
}

export async function downloadBinary(device: BoardSession, request: BinaryDownloadRequest): Promise<DownloadResult> {
  const code = pyCall('_bdl', request.path, DOWNLOAD_FRAME);
  const { signal } = request;
  const hasher = createHasher(request.algorithm);
  const wireAtStart = device.transport.wire.total;
  let done = 0;

  let missing: BelayError | undefined;

  const exchange = async (io: InteractiveIo): Promise<Omit<DownloadResult, 'wireBytes'> | undefined> => {
    const sizeLine = await readLine(io, 'the file size');
    // Not a file: the board says so instead of a traceback, and ends (thrown once it has).
    if (sizeLine === '-' || sizeLine === 'd') {
      missing = notAFile(request.path, sizeLine === 'd');
      return undefined;
    }
    const total = Number(sizeLine);
    request.onProgress?.({ done: 0, total });
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const header = await io.read(2, 'the next chunk of the file');
      if (header[0] === TAG.endOfOutput) {
        io.unread(header);
        throw new EndedEarly();
      }
      const length = parseHeader(header[0], header[1]);
      if (length < 0) throw new BelayError('PROTOCOL', `bad frame header 0x${header.toString('hex')} in a download`);
      if (length === 0) break;
      const payload = await io.read(length, 'the next chunk of the file');
      hasher.update(payload);
      await request.sink(payload);
      done += length;
      request.onProgress?.({ done, total });
    }
    const line = await readLine(io, 'the download hash');
    const board = JSON.parse(line) as { digest: string; algorithm: HashAlgorithm; heap: number };
    const ours = hasher.digest();
    if (!sameHash(ours, board)) {
      throw new BelayError('VERIFY_FAILED', `the bytes received for ${request.path} do not match the board's hash`, {
        data: { path: request.path, received: ours, board },
        hint: 'the link corrupts bytes: try a lower baud rate or another cable',
      });
    }
    return { bytes: done, hash: ours, boardHeap: board.heap };
  };

  const run = await runExchange(device, code, exchange);
  if (missing) throw missing;
  if (run.value === undefined) throw new BelayError('PROTOCOL', `the download of ${request.path} ended early`);
  return { ...run.value, wireBytes: device.transport.wire.total - wireAtStart };
}
