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
  /** Run /main.py at power-on, as boards do (default true). */
  runMain?: boolean;
  /** Hex string returned by machine.unique_id() (default derived from nothing: fixed). */
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
  uniqueId: 'e6614c311b7e5f2a',
};

/** Messages from the worker to the host side. */
export type WorkerMessage =
  | { type: 'ready'; memory: SharedArrayBuffer; interruptWords: Array<[index: number, value: number]>; interruptCharIndex: number }
  | { type: 'output'; bytes: Uint8Array }
  | { type: 'mutations'; count: number }
  | { type: 'power-cut' }
  | { type: 'hard-reset' }
  | { type: 'fatal'; message: string };
