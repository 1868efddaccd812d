/**
 * What an emulated board can be asked to be: its flash, its link, which
 * features its firmware lacks, and the faults it should suffer. Shared by the
 * host side and the worker (everything here is structured-clone friendly).
 */

import type { CorruptionFault } from './corruption.js';

/** How the firmware answers a raw-paste request (`\x05A\x01`). */
export type RawPasteSupport = 'supported' | 'refused' | 'unknown';

/** The filesystem the emulated flash behaves as. */
export type FilesystemKind = 'littlefs' | 'fat';

/**
 * How the board is attached: `uart` (a USB-UART bridge such as CP210x or
 * CH340: bytes past the receive buffer are lost) or `usb` (native USB-CDC:
 * the host waits while the buffer is full; nothing is lost).
 */
export type LinkKind = 'uart' | 'usb';

/**
 * What opening the board is: `power-on` (boot.py, then main.py, then the
 * banner), `safe-boot` (a power-on that skips boot.py and main.py, as boards
 * offer with a button held at reset) or `connect` (the board has been running
 * and sits idle at its prompt: nothing runs, nothing is printed).
 */
export type StartKind = 'power-on' | 'safe-boot' | 'connect';

/** Firmware features that can be hidden to exercise belay's fallbacks. */
export type HideableFeature = 'hashlib' | 'binascii' | 'deflate' | 'stdin.buffer';

export interface EmulatorOptions {
  /** Host folder holding the board's files (its flash). */
  dir: string;
  /** Flash size in bytes (default 2 MiB). */
  flashSize?: number;
  /** Allocation unit for space accounting: littlefs block or FAT cluster (default 512; FAT: a multiple of 512). */
  blockSize?: number;
  /**
   * What the flash behaves as (default `littlefs`): `fat` reads names as
   * MicroPython's FAT driver does (case-insensitive, cut at control
   * characters, `"*:<>?|\` refused) and replaces a file by rename in two
   * steps (remove, then rename). See docs/emulator.md.
   */
  filesystem?: FilesystemKind;
  /**
   * Size of the board's receive buffer in bytes (default 1024). On a `uart`
   * link, bytes arriving while a program runs and the buffer is full are lost.
   */
  rxBuffer?: number;
  /** `uart` (default: drops on overflow) or `usb` (flow-controlled, never drops). */
  link?: LinkKind;
  /**
   * Tell programs the receive buffer size (`_belay_emulator.rx_buffer`), so
   * hosts can use all of it (default true). Real firmware does not: false
   * makes the board as opaque as real hardware.
   */
  announceRxBuffer?: boolean;
  rawPaste?: RawPasteSupport;
  /** Raw-paste flow-control window increment announced to the host (default 128). */
  rawPasteWindow?: number;
  hide?: HideableFeature[];
  /** Pace the link as a UART at this baud rate (10 bits per byte); default unthrottled. */
  baud?: number;
  /** Drop the link (and the board's power) after the host has sent this many bytes. */
  dropAfterBytes?: number;
  /** Corrupt single bytes in transit (see corruption.ts; also `transport.corruptAfter`). */
  corrupt?: CorruptionFault[];
  /** Cut the power instead of performing the Nth filesystem mutation since power-on. */
  powerCutAtWrite?: number;
  /**
   * Store the data of the Nth filesystem mutation since power-on with its
   * first byte inverted, when that mutation is a write: flash that keeps
   * other bytes than the program wrote (worn or failing flash, a bad
   * block). The program's own bytes in RAM stay as they were.
   */
  corruptAtWrite?: number;
  /**
   * MicroPython heap in bytes, fixed as on a board: past it programs get
   * MemoryError (e.g. 32 * 1024 for an ESP8266). Default: the heap grows as
   * needed. See docs/emulator.md for how garbage is collected.
   */
  heapSize?: number;
  /** List Emscripten's /dev and /proc at the root, which cannot all be listed (default false). */
  listSystemEntries?: boolean;
  /** What opening the board is (default `power-on`); a hard reset is always a power-on. */
  start?: StartKind;
  /** Run /main.py at power-on, as boards do (default true). */
  runMain?: boolean;
  /** Hex string returned by machine.unique_id() (default: a random id made once per flash folder, kept in `<dir>.id`). */
  uniqueId?: string;
}

export const EMULATOR_DEFAULTS = {
  flashSize: 2 * 1024 * 1024,
  blockSize: 512,
  filesystem: 'littlefs' as FilesystemKind,
  rxBuffer: 1024,
  link: 'uart' as LinkKind,
  announceRxBuffer: true,
  rawPaste: 'supported' as RawPasteSupport,
  rawPasteWindow: 128,
  runMain: true,
  start: 'power-on' as StartKind,
};

/** What the worker, the board's CPU, is told at power-on. */
export interface BoardSettings {
  dir: string;
  flashSize: number;
  blockSize: number;
  filesystem: FilesystemKind;
  rxBuffer: number;
  announceRxBuffer: boolean;
  rawPaste: RawPasteSupport;
  rawPasteWindow: number;
  hide: HideableFeature[];
  runMain: boolean;
  start: StartKind;
  uniqueId: string;
  heapSize?: number;
  listSystemEntries: boolean;
  powerCutAtWrite?: number;
  corruptAtWrite?: number;
}

/** Messages from the worker to the host side. */
export type WorkerMessage =
  | {
      type: 'ready';
      memory: SharedArrayBuffer;
      interruptWords: Array<[index: number, value: number]>;
      interruptCharIndex: number;
      /** Where the interpreter counts calls from JavaScript (boards with a fixed heap only). */
      depthIndex?: number;
    }
  | { type: 'output'; bytes: Uint8Array }
  | { type: 'mutations'; count: number }
  | { type: 'power-cut' }
  | { type: 'hard-reset' }
  /** Start-up is over: boot.py and main.py have ended (or were skipped). */
  | { type: 'started' }
  | { type: 'fatal'; message: string };
