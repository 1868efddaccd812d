/**
 * What a board offers, learnt once per connection by one small program
 * (snippets/probe.py): firmware features, the transfer paths they allow, the
 * hash algorithm both sides will use, and whether an interrupted belay
 * transaction waits for recovery. `belay info` and the filesystem both read
 * this one result instead of probing again.
 */
import { BelayError } from '../errors.js';
import type { HashAlgorithm } from '../hashing/hashing.js';

export interface Capabilities {
  /** sys.platform (rp2, esp32, esp8266, pyboard, linux, webassembly, ...). */
  platform: string;
  hashlib: boolean;
  /** binascii with a2b_base64 (encoded transfers as base64 rather than literals). */
  binascii: boolean;
  crc32: boolean;
  deflate: boolean;
  /** io.IOBase (Python streams), which compressed uploads need beside deflate. */
  ioBase: boolean;
  /** Free heap after the probe ran, in bytes (undefined: the board could not say). */
  memFree?: number;
  stdinBuffer: boolean;
  stdoutBuffer: boolean;
  /** The board's receive buffer in bytes, when its firmware says (undefined: unknown). */
  rxBuffer?: number;
  /** Content hash both sides compute: sha256, else crc32, else adler32 (see fs_lib.py). */
  hash: HashAlgorithm;
  /** Records of an interrupted transaction under /.belay ("journal.json", "intent.log", ...); empty when none. */
  pending: string[];
  /** Version of each fs helper group already in the board's globals from an earlier session (see fs/board-code.ts). */
  helpers: Record<string, string>;
  /** Whether /.belay/helpers exists: copies of the helpers may be on the board's flash (fs/helper-cache.ts). */
  helperCopies: boolean;
  /**
   * Whether this answer came from the board's boot copy (boot-copy.ts):
   * true; false: the board was asked to run it and had no sound one (a
   * session that writes saves it); undefined: not asked (the probe was
   * still in the board's heap, or the board has no room to keep it).
   */
  bootCopy?: boolean;
}

/**
 * What probe.py prints: one JSON list (fewer bytes on a slow link than an
 * object), in this order.
 */
type RawProbe = [
  platform: unknown,
  hashlib: unknown,
  binascii: unknown,
  crc32: unknown,
  deflate: unknown,
  iobase: unknown,
  memFree: unknown,
  stdinBuffer: unknown,
  stdoutBuffer: unknown,
  rxBuffer: unknown,
  pending: unknown,
  helpers: unknown,
  helperCopies: unknown,
];

export function parseCapabilities(raw: RawProbe): Capabilities {
  if (!Array.isArray(raw) || typeof raw[0] !== 'string') throw new BelayError('PROTOCOL', 'the capability probe answered something belay does not understand', { detail: JSON.stringify(raw).slice(0, 500) });
  const [platform, hashlib, binascii, crc32, deflate, iobase, memFree, stdinBuffer, stdoutBuffer, rxBuffer, pending, helpers, helperCopies] = raw;
  return {
    platform,
    hashlib: hashlib === true,
    binascii: binascii === true,
    crc32: crc32 === true,
    deflate: deflate === true,
    ioBase: iobase === true,
    memFree: typeof memFree === 'number' && memFree >= 0 ? memFree : undefined,
    stdinBuffer: stdinBuffer === true,
    stdoutBuffer: stdoutBuffer === true,
    rxBuffer: typeof rxBuffer === 'number' && rxBuffer > 0 ? rxBuffer : undefined,
    hash: hashlib === true ? 'sha256' : crc32 === true ? 'crc32' : 'adler32',
    pending: Array.isArray(pending) ? pending.map(String) : [],
    helpers: Object.fromEntries(Object.entries(helpers && typeof helpers === 'object' ? helpers : {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
    helperCopies: helperCopies === true,
  };
}

export type { RawProbe };
