/**
 * Compression of uploads on slow links. The host deflates the whole file
 * (raw deflate, a small window so the board's deflate.DeflateIO needs little
 * heap) and sends the compressed stream through the same framed, credit-
 * controlled receiver (fs_upload.py with fs_unzip.py), which decompresses as
 * it receives. Verification does not change: the host hashes the original
 * bytes, the board hashes the staged file back from flash.
 *
 * Chosen per file, only where it can gain: the board has deflate.DeflateIO
 * and io.IOBase, the link is slow (a UART or unknown link at a modest baud
 * rate; never native USB, where the board's CPU, not the link, is the
 * limit), and the file shrinks by at least MIN_SAVING. Otherwise the file
 * goes as it is, so compression is never worse than none.
 *
 * Data that does not compress (media, archives, random bytes) is told from
 * a sample before the whole of it is read and deflated several times over:
 * that costs a large file's size in memory three times and most of the
 * time of a fast link. node:zlib itself loads only when something is
 * deflated (some 2 MB and 10 ms that every file command paid otherwise).
 */
import { open, readFile } from 'node:fs/promises';
import { BelayError } from '../../errors.js';
import type { LinkInfo } from '../../transport/link.js';
import type { UploadSource } from './source.js';

/**
 * When to compress uploads: `auto` decides per link and per file (see
 * above); `always` on any link, still only files that shrink; `never`.
 */
export type CompressionMode = 'auto' | 'always' | 'never';

/** Links at or below this baud rate gain from compression (a board decompresses faster than this). */
export const SLOW_LINK_BAUD = 460_800;
/** Files larger than this are sent as they are (the host would hold them whole). */
export const COMPRESS_MAX_BYTES = 16 * 1024 * 1024;
/** A file is compressed only if this share of its bytes is saved. */
const MIN_SAVING = 0.05;
/**
 * Data larger than SAMPLE_SLICES * SAMPLE_SLICE bytes is deflated whole
 * only if those slices, taken evenly across it, shrink by at least
 * SAMPLE_SAVING (less than MIN_SAVING: slices of one file compress a little
 * worse apart than in place, and the whole is still checked after).
 */
export const SAMPLE_SLICES = 4;
export const SAMPLE_SLICE = 16 * 1024;
const SAMPLE_SAVING = 0.02;
/**
 * The deflate window is 2**bits bytes and the board allocates as much to
 * decompress, so it is sized from the board's free heap: at most a
 * sixteenth of it (room stays for the frame buffer, the decompressor's
 * tables and fragmentation), from 512 bytes (the smallest raw deflate
 * window) to 32 KiB (deflate's largest). A wider window finds more repeats:
 * on real Python source, 2 KiB saves 3.05x, 8 KiB 3.27x, 32 KiB 3.28x.
 */
export const MIN_WINDOW_BITS = 9;
export const MAX_WINDOW_BITS = 15;
/** Data up to this size is also deflated with narrower windows (see deflateIfWorth). */
export const NARROWER_TRIES_MAX = 64 * 1024;
/** The window when the board did not say how much heap it has free (ESP8266-sized, safe on every board). */
export const UNKNOWN_HEAP_WINDOW_BITS = 11;

export interface CompressionChoice {
  /** The raw deflate stream to send. */
  compressed: Uint8Array;
  /** The original bytes (hashed by the host). */
  raw: Uint8Array;
  /** Window bits the board decompresses with. */
  windowBits: number;
}

/** Whether the link is worth compressing for at all (before any file is read). */
export function linkWantsCompression(mode: CompressionMode, link: LinkInfo | undefined, boardCan: boolean): boolean {
  if (!boardCan || mode === 'never') return false;
  if (mode === 'always') return true;
  if (!link || link.kind === 'usb') return false;
  return link.baud !== undefined && link.baud <= SLOW_LINK_BAUD;
}

/**
 * The compressed form of `source` if it is worth sending, else undefined
 * (too large, a stream of unknown size, or it does not shrink enough).
 */
export async function compressUpload(source: UploadSource, total: number | undefined, options: { mode: CompressionMode; freeHeap?: number }): Promise<CompressionChoice | undefined> {
  if (total === undefined || total === 0 || total > COMPRESS_MAX_BYTES) return undefined;
  let raw: Uint8Array;
  if (source instanceof Uint8Array) raw = source;
  else if ('file' in source) {
    try {
      const sample = await fileSample(source.file, total);
      if (sample && !(await sampleShrinks(sample, options.freeHeap, total))) return undefined;
      raw = await readFile(source.file);
    } catch (err) {
      throw new BelayError('LOCAL_IO', `cannot read ${source.file}: ${(err as Error).message}`, { cause: err });
    }
    // The file changed since it was measured: send it as it is, streamed and hashed as read.
    if (raw.length !== total) return undefined;
  } else return undefined;
  return deflateIfWorth(raw, options.freeHeap);
}

/**
 * `raw` as the smallest raw deflate stream of a few window widths that the
 * board's heap allows, or undefined when that saves less than MIN_SAVING
 * (then the bytes go as they are: compression is never worse than none).
 */
export async function deflateIfWorth(raw: Uint8Array, freeHeap: number | undefined): Promise<CompressionChoice | undefined> {
  const sample = sampleOf(raw);
  if (sample && !(await sampleShrinks(sample, freeHeap, raw.length))) return undefined;
  const widest = windowBitsFor(freeHeap, raw.length);
  let best: { compressed: Uint8Array; windowBits: number } | undefined;
  // zlib's choices differ by window: on text that repeats itself closely a
  // narrower window can come out smaller, so a few are tried; the narrowest
  // wins a tie (less heap on the board). Only on small data: each try costs
  // a full deflate (~60 ms more for a batch of 400 KB of source, on the
  // critical path of put -r), and on whole batches of real source the
  // narrower windows never came out smaller.
  const narrowest = raw.length <= NARROWER_TRIES_MAX ? Math.max(MIN_WINDOW_BITS, widest - 4) : widest;
  for (let windowBits = widest; windowBits >= narrowest; windowBits -= 2) {
    const compressed = await deflateRaw(raw, windowBits);
    if (!best || compressed.length <= best.compressed.length) best = { compressed, windowBits };
    // Data the widest window cannot shrink enough (random, already compressed) narrower ones will not either.
    if (compressed.length > raw.length * (1 - MIN_SAVING)) break;
  }
  if (best!.compressed.length > raw.length * (1 - MIN_SAVING)) return undefined;
  return { ...best!, raw };
}

/**
 * The board found no room for `choice`'s window, only for 2**bits bytes (0:
 * none, fs_frames.py _bwin): the same bytes deflated for that window, or
 * undefined to send them as they are.
 */
export async function narrowed(choice: CompressionChoice, bits: number): Promise<CompressionChoice | undefined> {
  if (bits === 0) return undefined;
  return { raw: choice.raw, windowBits: bits, compressed: await deflateRaw(choice.raw, bits) };
}

/** `data` as a raw deflate stream with a window of 2**windowBits bytes, deflate's best effort (node:zlib loads on first use). */
async function deflateRaw(data: Uint8Array, windowBits: number): Promise<Uint8Array> {
  const { deflateRawSync } = await import('node:zlib');
  return deflateRawSync(data, { windowBits, level: 9, memLevel: 9 });
}

/** Whether the sample of `size` bytes of data shrinks enough, deflated with the widest window the data would get. */
async function sampleShrinks(sample: Uint8Array, freeHeap: number | undefined, size: number): Promise<boolean> {
  const compressed = await deflateRaw(sample, windowBitsFor(freeHeap, size));
  return compressed.length <= sample.length * (1 - SAMPLE_SAVING);
}

/** Where the slices of a sample of `size` bytes start, or undefined when the data is small enough to try whole. */
export function sampleStarts(size: number): number[] | undefined {
  if (size <= SAMPLE_SLICES * SAMPLE_SLICE) return undefined;
  const step = Math.floor((size - SAMPLE_SLICE) / (SAMPLE_SLICES - 1));
  return Array.from({ length: SAMPLE_SLICES }, (_, i) => i * step);
}

/** Evenly spaced slices of `raw`, together, or undefined when it is small enough to try whole. */
function sampleOf(raw: Uint8Array): Uint8Array | undefined {
  const starts = sampleStarts(raw.length);
  return starts && Buffer.concat(starts.map((start) => raw.subarray(start, start + SAMPLE_SLICE)));
}

/** sampleOf for a local file of `size` bytes, read slice by slice. */
async function fileSample(file: string, size: number): Promise<Uint8Array | undefined> {
  const starts = sampleStarts(size);
  if (!starts) return undefined;
  const sample = Buffer.alloc(starts.length * SAMPLE_SLICE);
  let filled = 0;
  const handle = await open(file, 'r');
  try {
    for (const start of starts) filled += (await handle.read(sample, filled, SAMPLE_SLICE, start)).bytesRead;
  } finally {
    await handle.close();
  }
  return sample.subarray(0, filled);
}

/**
 * Window bits for a file of `size` bytes on a board with `freeHeap` free:
 * the largest window within a sixteenth of the heap, and never wider than
 * the file (a larger window finds nothing more and costs the board heap).
 */
export function windowBitsFor(freeHeap: number | undefined, size: number): number {
  let bits = freeHeap === undefined ? UNKNOWN_HEAP_WINDOW_BITS : Math.floor(Math.log2(Math.max(1, freeHeap / 16)));
  bits = Math.min(bits, Math.ceil(Math.log2(Math.max(1, size))));
  return Math.max(MIN_WINDOW_BITS, Math.min(MAX_WINDOW_BITS, bits));
}
