/**
 * Emulated boards for integration tests, reached two ways: in-process
 * (EmulatorTransport directly) and through a pseudo-terminal with the real
 * serialport stack (the board served by socat, opened by SerialTransport).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { SerialTransport } from '../../src/transport/serial.js';
import { servePty } from '../../src/emulator/pty-bridge.js';
import type { Transport } from '../../src/transport/types.js';
import { BelayError } from '../../src/errors.js';
import { HAS_SOCAT } from './socat.js';

export type Link = 'in-process' | 'pty';
/** The links a board can be reached over here: the pty one only with socat (test/helpers/socat.ts). */
export const LINKS: Link[] = HAS_SOCAT ? ['in-process', 'pty'] : ['in-process'];

export function tempDir(prefix = 'belay-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestBoard {
  /** What the host talks to. */
  transport: Transport;
  /** The emulated board behind it (for fault counters). */
  board: EmulatorTransport;
  flash: string;
  close(): Promise<void>;
}

/**
 * BELAY_TEST_HEAP=32768 runs every test board with that fixed heap, as a
 * small board has (`BELAY_TEST_HEAP=32768 npx vitest run test/fs`).
 */
const TEST_HEAP = process.env.BELAY_TEST_HEAP ? Number(process.env.BELAY_TEST_HEAP) : undefined;

export async function openBoard(link: Link, options: Partial<EmulatorOptions> = {}): Promise<TestBoard> {
  const flash = options.dir ?? join(tempDir(), 'flash');
  const board = await EmulatorTransport.open({ runMain: false, heapSize: TEST_HEAP, ...options, dir: flash });
  if (link === 'in-process') {
    return { transport: board, board, flash, close: () => board.close() };
  }
  const bridge = await servePty(board, join(tempDir('belay-pty-'), 'board'));
  const serial = await SerialTransport.open(bridge.link);
  return {
    transport: serial,
    board,
    flash,
    async close() {
      await serial.close();
      await bridge.close();
      await board.close();
    },
  };
}

/**
 * Boards a test file opens, all closed after each test:
 * `const boards = boardPool(); afterEach(boards.closeAll);`
 */
export function boardPool() {
  const open: TestBoard[] = [];
  return {
    async open(link: Link, options: Partial<EmulatorOptions> = {}): Promise<TestBoard> {
      const b = await openBoard(link, options);
      open.push(b);
      return b;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((b) => b.close().catch(() => undefined)));
    },
  };
}

/** The BelayError a promise rejects with (fails the test if it resolves or throws something else). */
export async function failure(promise: Promise<unknown>): Promise<BelayError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof BelayError) return err;
    throw err;
  }
  throw new Error('expected a BelayError');
}
