// Compressed uploads: text goes as a raw deflate stream that the board
// decompresses as it receives, on a board with a 32 KiB heap as an ESP8266
// has; the same text round-trips exactly on a board without deflate
// (uncompressed); incompressible data is never sent compressed; a corrupted
// compressed stream is refused like any corrupted upload.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { deflateRawSync } from 'node:zlib';
import { MAX_WINDOW_BITS, MIN_WINDOW_BITS, NARROWER_TRIES_MAX, SAMPLE_SLICE, deflateIfWorth, linkWantsCompression, sampleStarts, windowBitsFor } from '../../src/device/fs/compress.js';
import { DEFLATE_OUT_OF_HEAP, cleanup, randomPayload, tempDir } from './helpers.js';
import { putTree } from '../../src/device/fs/tree-transfer.js';

const SMALL_HEAP = 32 * 1024;

/** Python-like source, deterministic, that deflate shrinks about threefold. */
function sourceText(size: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < size; i++) {
    lines.push(`def handler_${i}(event, value=${(i * 7919) % 1000}):`, `    """Handles event ${i} (${(i * 104729) % 997})."""`, `    return process(event, value * ${i % 13}, name="h${i}")`);
  }
  return Buffer.from(lines.join('\n').slice(0, size));
}

const opened: Array<{ board: EmulatorTransport; flash: string }> = [];
async function open(options: Partial<EmulatorOptions> = {}) {
  const flash = tempDir('flash');
  const board = await EmulatorTransport.open({ dir: flash, runMain: false, heapSize: SMALL_HEAP, ...options });
  opened.push({ board, flash });
  const device = await Device.over(board, { fs: { compress: 'always' } });
  return { board, device, flash };
}
afterEach(async () => {
  for (const { board, flash } of opened.splice(0)) {
    await board.close();
    cleanup(flash);
  }
});

describe('compressed uploads on a 32 KiB heap', () => {
  it('round-trip text exactly, compressed on the wire, and read back the same', async () => {
    const { device, flash } = await open();
    const text = sourceText(48 * 1024);
    const stats = await device.fs.write('/app/main.py', text, { parents: true });
    expect(stats.compressed).toBeGreaterThan(0);
    expect(stats.compressed).toBeLessThan(text.length / 2);
    expect(stats.wireBytes).toBeLessThan(text.length / 2);
    expect(readFileSync(join(flash, 'app', 'main.py')).equals(text)).toBe(true);
    expect((await device.fs.read('/app/main.py')).data!.equals(text)).toBe(true);
  });

  it('round-trip the same text exactly on a board without deflate, uncompressed', async () => {
    const { device, flash } = await open({ hide: ['deflate'] });
    expect(device.capabilities.deflate).toBe(false);
    const text = sourceText(48 * 1024);
    const stats = await device.fs.write('/main.py', text);
    expect(stats.compressed).toBeUndefined();
    expect(stats.wireBytes).toBeGreaterThan(text.length);
    expect(readFileSync(join(flash, 'main.py')).equals(text)).toBe(true);
  });

  it('send incompressible data as it is', async () => {
    const { device, flash } = await open();
    const data = randomPayload(24 * 1024);
    const stats = await device.fs.write('/blob.bin', data);
    expect(stats.compressed).toBeUndefined();
    expect(readFileSync(join(flash, 'blob.bin')).equals(data)).toBe(true);
  });

  it('refuse a corrupted compressed stream: VERIFY_FAILED, the target untouched, nothing left', async () => {
    const { board, device, flash } = await open();
    const old = Buffer.from('old\n');
    writeFileSync(join(flash, 'main.py'), old);
    const text = sourceText(48 * 1024);
    await device.fs.write('/warm.py', text.subarray(0, 4096)); // helpers in place, so the count below is the upload's
    await device.fs.remove('/warm.py');
    board.corruptAfter('to-board', 3000, { xor: 0x55 });
    await expect(device.fs.write('/main.py', text)).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
    expect(readFileSync(join(flash, 'main.py')).equals(old)).toBe(true);
    expect(readdirSync(flash)).toEqual(['main.py']);
    await device.fs.write('/main.py', text);
    expect(readFileSync(join(flash, 'main.py')).equals(text)).toBe(true);
  });

  it('a heap too small for the decompressor is the board running out of memory, not a changed stream', async () => {
    const { device, flash } = await open();
    const old = Buffer.from('old\n');
    writeFileSync(join(flash, 'main.py'), old);
    await device.exec(DEFLATE_OUT_OF_HEAP);
    await expect(device.fs.write('/main.py', sourceText(16 * 1024))).rejects.toMatchObject({ code: 'BOARD_EXCEPTION', message: expect.stringContaining('ran out of memory') });
    expect(readFileSync(join(flash, 'main.py')).equals(old)).toBe(true);
    expect(readdirSync(flash)).toEqual(['main.py']);
    // The stream stayed in step: the board answers the next command.
    expect((await device.exec('print(6 * 7)')).stdout.trim()).toBe('42');
  });
});

describe('a sample decides first for large data', () => {
  it('a large local file: text goes compressed, random bytes as they are; both round-trip', async () => {
    const { device, flash } = await open();
    const local = tempDir('local');
    const text = sourceText(160 * 1024);
    const noise = randomPayload(160 * 1024);
    writeFileSync(join(local, 'text.py'), text);
    writeFileSync(join(local, 'noise.bin'), noise);
    const textStats = await device.fs.write('/text.py', { file: join(local, 'text.py') });
    expect(textStats.compressed).toBeLessThan(text.length / 2);
    const noiseStats = await device.fs.write('/noise.bin', { file: join(local, 'noise.bin') });
    expect(noiseStats.compressed).toBeUndefined();
    expect(readFileSync(join(flash, 'text.py')).equals(text)).toBe(true);
    expect(readFileSync(join(flash, 'noise.bin')).equals(noise)).toBe(true);
    cleanup(local);
  });

  /** `base` with the sampled slices replaced by `sample`, slice by slice. */
  const withSample = (base: Buffer, sample: Buffer) => {
    const out = Buffer.from(base);
    sampleStarts(out.length)!.forEach((start, i) => sample.copy(out, start, i * SAMPLE_SLICE, (i + 1) * SAMPLE_SLICE));
    return out;
  };
  const text = sourceText(64 * 1024);

  it('data whose sample does not shrink is not deflated whole, however well the rest would', async () => {
    const data = withSample(Buffer.concat([text, text, text, text]), randomPayload(64 * 1024));
    // Whole, it would save more than a third...
    expect(deflateRawSync(data, { windowBits: 15 }).length).toBeLessThan((data.length * 2) / 3);
    // ...but the sample says no.
    expect(await deflateIfWorth(data, undefined)).toBeUndefined();
  });

  it('a sample that shrinks leads to the whole being tried, which still decides', async () => {
    const data = withSample(randomPayload(4 * 1024 * 1024), text);
    expect(await deflateIfWorth(data, undefined)).toBeUndefined();
    expect((await deflateIfWorth(Buffer.concat([text, text, text, text]), undefined))?.compressed.length).toBeLessThan(text.length * 2);
  });
});

describe('the deflate window follows the free heap', () => {
  it('a narrower window where it comes out smaller (text that repeats itself closely), never larger than the widest', async () => {
    const flash = tempDir('flash');
    const board = await EmulatorTransport.open({ dir: flash, runMain: false });
    opened.push({ board, flash });
    const device = await Device.over(board, { fs: { compress: 'always' } });
    const text = sourceText(48 * 1024);
    const at = (windowBits: number) => deflateRawSync(text, { windowBits, level: 9, memLevel: 9 }).length;
    const stats = await device.fs.write('/main.py', text);
    expect(stats.compressed).toBe(Math.min(at(15), at(13), at(11)));
    expect(stats.compressed).toBeLessThan(at(MAX_WINDOW_BITS));
    expect(readFileSync(join(flash, 'main.py')).equals(text)).toBe(true);
  });

  it('large data is deflated once, with the widest window (narrower tries cost a deflate each)', async () => {
    const text = sourceText(NARROWER_TRIES_MAX + 32 * 1024);
    const at = (windowBits: number) => deflateRawSync(text, { windowBits, level: 9, memLevel: 9 }).length;
    // A narrower window would come out smaller here, as on the 48 KiB above...
    expect(Math.min(at(13), at(11))).toBeLessThan(at(MAX_WINDOW_BITS));
    // ...but the data is too large to try them.
    const choice = await deflateIfWorth(text, 1 << 30);
    expect(choice?.windowBits).toBe(MAX_WINDOW_BITS);
    expect(choice?.compressed.length).toBe(at(MAX_WINDOW_BITS));
  });

  it('a board with heap to spare gets the widest window, which saves more than a small one, and the text round-trips', async () => {
    const flash = tempDir('flash');
    const board = await EmulatorTransport.open({ dir: flash, runMain: false });
    opened.push({ board, flash });
    const device = await Device.over(board, { fs: { compress: 'always' } });
    // Repeats 6 KiB apart: only a window wider than that finds them.
    const block = Buffer.from(Array.from({ length: 800 }, (_, i) => `w${(i * 7919) % 10007}`).join(' ').slice(0, 6 * 1024));
    const text = Buffer.concat(Array.from({ length: 8 }, () => block));
    const stats = await device.fs.write('/main.py', text);
    const at = (windowBits: number) => deflateRawSync(text, { windowBits, level: 9, memLevel: 9 }).length;
    expect(stats.compressed).toBe(at(MAX_WINDOW_BITS));
    expect(at(MAX_WINDOW_BITS)).toBeLessThan(at(11) / 3);
    expect(readFileSync(join(flash, 'main.py')).equals(text)).toBe(true);
  });

  it('a sixteenth of the free heap at most, never wider than the file, 512 bytes to 32 KiB', () => {
    expect(windowBitsFor(20 * 1024, 1 << 20)).toBe(10); // an ESP8266 after the helpers
    expect(windowBitsFor(110 * 1024, 1 << 20)).toBe(12); // an ESP32
    expect(windowBitsFor(190 * 1024, 1 << 20)).toBe(13); // a Pico
    expect(windowBitsFor(64 * 1024 * 1024, 1 << 20)).toBe(MAX_WINDOW_BITS);
    expect(windowBitsFor(64 * 1024 * 1024, 3000)).toBe(12);
    expect(windowBitsFor(4 * 1024, 1 << 20)).toBe(MIN_WINDOW_BITS);
    expect(windowBitsFor(64 * 1024 * 1024, 10)).toBe(MIN_WINDOW_BITS);
    expect(windowBitsFor(undefined, 1 << 20)).toBe(11);
  });
});

describe('when compression is worth it', () => {
  it('slow UART or unknown links, never native USB or an unpaced link, only where the board can', () => {
    expect(linkWantsCompression('auto', { kind: 'uart', baud: 115200, source: '' }, true)).toBe(true);
    expect(linkWantsCompression('auto', { kind: 'unknown', baud: 115200, source: '' }, true)).toBe(true);
    expect(linkWantsCompression('auto', { kind: 'uart', baud: 921600, source: '' }, true)).toBe(false);
    expect(linkWantsCompression('auto', { kind: 'usb', baud: 115200, source: '' }, true)).toBe(false);
    expect(linkWantsCompression('auto', { kind: 'uart', source: '' }, true)).toBe(false);
    expect(linkWantsCompression('auto', { kind: 'uart', baud: 115200, source: '' }, false)).toBe(false);
    expect(linkWantsCompression('always', undefined, true)).toBe(true);
    expect(linkWantsCompression('never', { kind: 'uart', baud: 9600, source: '' }, true)).toBe(false);
  });
});

// A heap a long session fragmented can have far more free than the window
// the host chose from its free heap, and no free run that long: the board
// looks for room before the stream starts and takes a narrower window
// (the host deflates again for it), so the upload goes through instead of
// ending in a MemoryError. Fragmented here by a program of the user's that
// fills the heap with one block of 2200 bytes and then blocks of 1400, and
// lets every other one go: no run has room for the 2 KiB window with the
// margin the board's check keeps (its state, allocated first). The board
// must answer with a narrower window and the bytes must still round-trip.
// (On this emulated heap the 2 KiB window would still have fitted without
// the check; on the unix port, after a 64 KiB put, a put -r did fail
// without it: "allocating 8192 bytes" with 139 KB free.)
describe('compressed uploads on a fragmented heap', () => {
  const fragment = `import gc
gc.collect()
_blocks = [bytearray(2200)]
try:
    while True:
        _blocks.append(bytearray(1400))
except MemoryError:
    pass
for i in range(0, len(_blocks), 2):
    _blocks[i] = None
gc.collect()
`;

  /**
   * A board with room for a 2 KiB window when probed, whose heap is then cut
   * into holes, once `warm` has installed the helpers (compiling them takes
   * longer runs than the holes); and whether it answered b"g" and 1 KiB.
   */
  async function fragmented(warm: (device: Device) => Promise<unknown>) {
    const opened = await open({ heapSize: 64 * 1024 });
    await warm(opened.device);
    const output: number[] = [];
    opened.board.onData((chunk) => output.push(...chunk));
    await opened.device.exec(fragment);
    // Two bytes of the board's answer: b"g" and the window bits it had room for (narrower than the 2 KiB asked, not none).
    const narrowed = () => [9, 10].some((bits) => Buffer.from(output).includes(Buffer.from([0x67, bits])));
    return { ...opened, narrowed };
  }

  it('a single file: a narrower window than the host chose, and the text round-trips', async () => {
    const { device, flash, narrowed } = await fragmented((device) => device.fs.write('/warm.py', sourceText(4096)));
    const text = sourceText(24 * 1024);
    const stats = await device.fs.write('/main.py', text);
    expect(stats.compressed).toBeLessThan(text.length / 2);
    expect(narrowed()).toBe(true);
    expect(readFileSync(join(flash, 'main.py')).equals(text)).toBe(true);
  });

  it('a batch: the same, for every file of a tree', async () => {
    const warm = tempDir('warm');
    writeFileSync(join(warm, 'w.py'), sourceText(4096));
    const { device, flash, narrowed } = await fragmented((device) => putTree(device.fs, warm, '/warm'));
    const local = tempDir('tree');
    const texts = [0, 1, 2, 3].map((i) => sourceText(3000 + i * 500));
    texts.forEach((text, i) => writeFileSync(join(local, `m${i}.py`), text));
    const result = await putTree(device.fs, local, '/app');
    expect(result.files.filter((file) => file.action === 'upload')).toHaveLength(4);
    expect(narrowed()).toBe(true);
    texts.forEach((text, i) => expect(readFileSync(join(flash, 'app', `m${i}.py`)).equals(text)).toBe(true));
    cleanup(local, warm);
  });
});
