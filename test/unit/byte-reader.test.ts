/**
 * ByteReader keeps what the link delivered until the protocol reads it: in
 * one buffer that grows, compacts and is let go, however the bytes arrive
 * (a byte at a time, in 64 KiB bursts, a backlog of hundreds of chunks
 * nobody reads yet) and however they are read (counts, markers, streamed,
 * taken whole, some put back). Every byte must come out once, in order.
 */
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/protocol/byte-reader.js';
import { Listeners, WireCount, type Transport } from '../../src/transport/types.js';
import type { BelayError } from '../../src/errors.js';

/** A link whose bytes the test hands over itself. */
class HandFed implements Transport {
  readonly description = 'hand-fed';
  readonly wire = new WireCount();
  readonly closed = false;
  private readonly data = new Listeners<Uint8Array>();
  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }
  onClose(listener: (error?: BelayError) => void): () => void {
    void listener;
    return () => undefined;
  }
  async write(): Promise<void> {}
  async close(): Promise<void> {}
  deliver(chunk: Uint8Array): void {
    this.data.emit(chunk);
  }
}

/** Deterministic pseudo-random numbers, so a failure repeats. */
function numbers(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % below;
  };
}

const WAIT = { timeoutMs: 1000, what: 'test bytes' };

describe('ByteReader', () => {
  it('hands out every byte once, in order, whatever the chunking, backlog and mix of reads', async () => {
    const random = numbers(7);
    const stream = Buffer.alloc(600 * 1024);
    for (let i = 0; i < stream.length; i++) stream[i] = random(256);
    const link = new HandFed();
    const reader = new ByteReader(link);
    const out: Buffer[] = [];
    let delivered = 0;
    const deliver = (size: number) => {
      size = Math.min(size, stream.length - delivered);
      // A copy the link then overwrites (a serial port reuses its read buffer).
      const chunk = Buffer.from(stream.subarray(delivered, delivered + size));
      link.deliver(chunk);
      chunk.fill(0);
      delivered += size;
    };
    // What take() handed out is the caller's: later bytes must not land in it.
    let taken: { bytes: Buffer; copy: Buffer } | undefined;
    let read = 0;
    for (let round = 0; read < stream.length; round++) {
      // Rounds alternate: a backlog (many chunks before any read), a trickle (a chunk now and then, reads of about its size).
      const backlog = round % 2 === 0;
      if (backlog) for (let i = 1 + random(40); i > 0; i--) deliver([1, 7, 513, 4096, 65536][random(5)]);
      for (let ops = 0; (backlog || ops < 300) && read < stream.length; ops++) {
        if (!backlog && random(2) === 0) deliver(1 + random(1500));
        if (taken) {
          expect(taken.bytes.equals(taken.copy)).toBe(true);
          taken = undefined;
        }
        const waiting = reader.buffered;
        if (waiting === 0) {
          if (backlog) break;
          continue;
        }
        const some = () => 1 + random(Math.min(waiting, backlog ? 3000 : 1500));
        switch (random(4)) {
          case 0: {
            const got = await reader.readExactly(some(), WAIT);
            out.push(got);
            read += got.length;
            break;
          }
          case 1: {
            // Read some, then put a part of it back.
            const got = await reader.readExactly(some(), WAIT);
            const back = random(got.length + 1);
            reader.unread(got.subarray(got.length - back));
            out.push(got.subarray(0, got.length - back));
            read += got.length - back;
            break;
          }
          case 2: {
            const all = reader.take();
            const back = random(2) === 0 ? 0 : random(all.length + 1);
            if (back > 0) reader.unread(all.subarray(all.length - back));
            const kept = all.subarray(0, all.length - back);
            out.push(Buffer.from(kept));
            taken = { bytes: kept, copy: Buffer.from(kept) };
            read += kept.length;
            break;
          }
          default: {
            // Everything up to the next byte of some value, streamed.
            const marker = stream[read + random(Math.min(waiting, 200))];
            const pieces: Buffer[] = [];
            await reader.streamUntil(marker, (piece) => pieces.push(piece), WAIT);
            const got = Buffer.concat([...pieces, Buffer.of(marker)]);
            out.push(got);
            read += got.length;
          }
        }
      }
    }
    expect(reader.buffered).toBe(0);
    expect(Buffer.concat(out).equals(stream)).toBe(true);
  });

  it('finds a marker split across chunks behind a backlog, and skips what comes before one', async () => {
    const link = new HandFed();
    const reader = new ByteReader(link);
    const filler = Buffer.alloc(100 * 1024, 0x2e);
    for (let at = 0; at < filler.length; at += 1000) link.deliver(filler.subarray(at, at + 1000));
    link.deliver(Buffer.from('raw REPL; CTR'));
    link.deliver(Buffer.from('L-B to exit\r\n>rest'));
    expect((await reader.readUntil('raw REPL; CTRL-B to exit\r\n>', WAIT)).equals(filler)).toBe(true);
    expect((await reader.readExactly(4, WAIT)).toString()).toBe('rest');
    const skipping = reader.skipUntil('OK', WAIT);
    for (let i = 0; i < 300; i++) link.deliver(Buffer.alloc(1000, 0x41));
    link.deliver(Buffer.from('AAO'));
    link.deliver(Buffer.from('Kafter'));
    await skipping;
    expect((await reader.readExactly(5, WAIT)).toString()).toBe('after');
    expect(reader.buffered).toBe(0);
  });
});
