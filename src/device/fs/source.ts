/**
 * What an upload reads from: bytes in memory, a local file (streamed), or
 * any async iterable of chunks. `framesOf` re-cuts it into pieces of at most
 * `size` bytes for the wire, holding at most one input chunk in memory.
 *
 * A frame is valid until the next one is asked for: a local file is read
 * into one buffer, reused for every read, since a new 64 KiB buffer per
 * read outlived the young generation while its frames went out, so each
 * waited for a full collection and a 1 MiB upload held a megabyte of them.
 */
import { open, stat } from 'node:fs/promises';
import { BelayError } from '../../errors.js';

export type UploadSource = Uint8Array | AsyncIterable<Uint8Array> | { file: string };

/** About how many bytes of a local file are read at a time. */
const FILE_READ = 64 * 1024;

export async function* framesOf(source: UploadSource, size: number): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let offset = 0; offset < source.length; offset += size) yield source.subarray(offset, offset + size);
    return;
  }
  if ('file' in source) {
    yield* fileFrames(source.file, size);
    return;
  }
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of source) {
      pending = pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([pending, chunk]);
      while (pending.length >= size) {
        yield pending.subarray(0, size);
        pending = pending.subarray(size);
      }
    }
  } catch (err) {
    if (err instanceof BelayError) throw err;
    throw new BelayError('LOCAL_IO', `cannot read the upload source: ${(err as Error).message}`, { cause: err });
  }
  if (pending.length > 0) yield pending;
}

/** A local file's frames, read a whole number of frames at a time into one buffer. */
async function* fileFrames(file: string, size: number): AsyncGenerator<Uint8Array> {
  const failed = (err: unknown) => new BelayError('LOCAL_IO', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw failed(err);
  });
  try {
    const buffer = Buffer.allocUnsafe(Math.max(size, FILE_READ - (FILE_READ % size)));
    for (;;) {
      let filled = 0;
      for (;;) {
        let read: number;
        try {
          ({ bytesRead: read } = await handle.read(buffer, filled, buffer.length - filled, null));
        } catch (err) {
          throw failed(err);
        }
        filled += read;
        if (read === 0 || filled === buffer.length) break;
      }
      for (let at = 0; at < filled; at += size) yield buffer.subarray(at, Math.min(filled, at + size));
      if (filled < buffer.length) return;
    }
  } finally {
    await handle.close();
  }
}

/** The size of a source when it can be known without reading it. */
export async function sizeOf(source: UploadSource): Promise<number | undefined> {
  if (source instanceof Uint8Array) return source.length;
  if ('file' in source) {
    try {
      return (await stat(source.file)).size;
    } catch (err) {
      throw new BelayError('LOCAL_IO', `cannot read ${source.file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err });
    }
  }
  return undefined;
}
