/**
 * What an upload reads from: bytes in memory, a local file (streamed), or
 * any async iterable of chunks. `framesOf` re-cuts it into pieces of at most
 * `size` bytes for the wire, holding at most one input chunk in memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BelayError } from '../../errors.js';

export type UploadSource = Uint8Array | AsyncIterable<Uint8Array> | { file: string };

export async function* framesOf(source: UploadSource, size: number): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let offset = 0; offset < source.length; offset += size) yield source.subarray(offset, offset + size);
    return;
  }
  const iterable: AsyncIterable<Uint8Array> = 'file' in source ? createReadStream(source.file, { highWaterMark: 64 * 1024 }) : source;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of iterable) {
      pending = pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([pending, chunk]);
      while (pending.length >= size) {
        yield pending.subarray(0, size);
        pending = pending.subarray(size);
      }
    }
  } catch (err) {
    if (err instanceof BelayError) throw err;
    const name = 'file' in source ? source.file : 'the upload source';
    throw new BelayError('LOCAL_IO', `cannot read ${name}: ${(err as Error).message}`, { cause: err });
  }
  if (pending.length > 0) yield pending;
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
