// Emulated boards for the filesystem tests: in-process, or served on a
// pseudo-terminal and opened through serialport like a USB board.
import { rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { Device } from '../../src/device/device.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { openBoard as openTestBoard, tempDir as makeTempDir, type Link } from '../helpers/boards.js';

export type BoardOptions = Omit<EmulatorOptions, 'dir'>;

/** The boards every transfer test runs against: the fast path and each fallback. */
export const BOARDS: Array<{ name: string; options: BoardOptions; method: string }> = [
  { name: 'full board', options: {}, method: 'binary' },
  { name: 'no hashlib', options: { hide: ['hashlib'] }, method: 'binary' },
  { name: 'no sys.stdin.buffer', options: { hide: ['stdin.buffer'] }, method: 'base64' },
  { name: 'no raw-paste', options: { rawPaste: 'refused' }, method: 'binary' },
  // An ESP8266 has about this much heap free.
  { name: 'a 32 KiB heap', options: { heapSize: 32 * 1024 }, method: 'binary' },
  { name: 'a 32 KiB heap without sys.stdin.buffer', options: { heapSize: 32 * 1024, hide: ['stdin.buffer'] }, method: 'base64' },
];

export function tempDir(prefix: string): string {
  return makeTempDir(`belay-${prefix}-`);
}

export interface Board {
  device: Device;
  /** The host folder that is the board's flash. */
  flash: string;
  close(): Promise<void>;
}

/** A Device on an emulated board reached over `link` (the shared test boards, plus a Device). */
async function deviceOn(link: Link, options: BoardOptions, flash: string): Promise<Board> {
  const board = await openTestBoard(link, { ...options, dir: flash });
  // Without the helpers' copies on flash (tested in helper-cache.test.ts):
  // these tests look at what an operation leaves on the flash, byte for byte.
  const device = await Device.over(board.transport, { fs: { helperCache: false } });
  return {
    device,
    flash,
    close: async () => {
      await device.close().catch(() => undefined);
      await board.close();
    },
  };
}

export function openBoard(options: BoardOptions = {}, flash = tempDir('flash')): Promise<Board> {
  return deviceOn('in-process', options, flash);
}

export function openBoardOverPty(options: BoardOptions = {}): Promise<Board> {
  return deviceOn('pty', options, tempDir('flash'));
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `size` random bytes that certainly contain all 256 byte values (0x03 and 0x04 included). */
export function randomPayload(size: number): Buffer {
  const data = randomBytes(size);
  for (let i = 0; i < 256; i++) data[i * 7] = i;
  return data;
}

export function cleanup(...dirs: string[]): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/**
 * In-process emulated boards on flash folders of a test file's own (the
 * put -r tests look at what a batch leaves, byte for byte, so the helpers'
 * copies stay off). Register `closeAll` with afterEach.
 */
export function emulatedBoards() {
  const opened: EmulatorTransport[] = [];
  const dirs: string[] = [];
  return {
    dir(prefix: string): string {
      const made = tempDir(prefix);
      dirs.push(made);
      return made;
    },
    async open(flash: string, options: Partial<EmulatorOptions> = {}, compress: 'always' | 'never' = 'always') {
      const board = await EmulatorTransport.open({ dir: flash, runMain: false, ...options });
      opened.push(board);
      return { board, device: await Device.over(board, { fs: { compress, helperCache: false } }) };
    },
    async closeAll(): Promise<void> {
      for (const board of opened.splice(0)) await board.close().catch(() => undefined);
      cleanup(...dirs.splice(0));
    },
  };
}

/**
 * A board program that leaves the board's decompressor out of heap: every
 * read of deflate.DeflateIO raises MemoryError, the fault a heap at its
 * limit gives, where it gives it (a stand-in module, found first by
 * `import deflate`; the real fault depends on the heap's layout).
 */
export const DEFLATE_OUT_OF_HEAP = "import sys, deflate\nclass _Full:\n    def __init__(self, *a):\n        pass\n    def readinto(self, b):\n        raise MemoryError('no heap left')\nsys.modules['deflate'] = type('m', (), {'DeflateIO': _Full, 'RAW': deflate.RAW})";

/** Names that must round-trip exactly and never act as code. */
export const ODD_NAMES = [
  "a'); import os; os.remove('main.py') #.py",
  'with space.txt',
  'ünïcødé-名前-🙂.py',
  'back\\slash.txt',
  'dq"uote.txt',
  "single'quote",
  '\\x41 literal.txt',
];

/**
 * Names with control characters: belay refuses to create them (FAT cuts a
 * name at one), but reads, lists and removes them when another tool did.
 */
export const CONTROL_NAMES = ['new\nline.txt', "tab\tand'quote"];

/** What the board sends as each program ends: stdout's end, stderr's end, the prompt. */
const PROGRAM_END = Buffer.from('\x04>', 'latin1');

/** Programs `work` runs on the board (each ends with PROGRAM_END; nothing here downloads data that could hold it). */
export async function programsRunBy(board: EmulatorTransport, work: () => Promise<unknown>): Promise<number> {
  let programs = 0;
  let tail = Buffer.alloc(0);
  const stop = board.onData((chunk) => {
    const seen = Buffer.concat([tail, Buffer.from(chunk)]);
    for (let at = seen.indexOf(PROGRAM_END); at >= 0; at = seen.indexOf(PROGRAM_END, at + 1)) if (at + PROGRAM_END.length > tail.length) programs += 1;
    tail = seen.subarray(seen.length - 1);
  });
  try {
    await work();
  } finally {
    stop();
  }
  return programs;
}
