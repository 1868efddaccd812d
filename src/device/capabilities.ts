/**
 * What a board offers, learnt once per connection by one small program
 * (snippets/probe.py): firmware features, the transfer paths they allow, the
 * hash algorithm both sides will use, and whether an interrupted belay
 * transaction waits for recovery. `belay info` and the filesystem both read
 * this one result instead of probing again.
 */
import type { HashAlgorithm } from '../hashing/hashing.js';

export interface Capabilities {
  /** sys.platform (rp2, esp32, esp8266, pyboard, linux, webassembly, ...). */
  platform: string;
  hashlib: boolean;
  /** binascii with a2b_base64 (encoded transfers as base64 rather than literals). */
  binascii: boolean;
  crc32: boolean;
  deflate: boolean;
  stdinBuffer: boolean;
  stdoutBuffer: boolean;
  /** The board's receive buffer in bytes, when its firmware says (undefined: unknown). */
  rxBuffer?: number;
  /** Content hash both sides compute: sha256, else crc32, else adler32 (see fs_lib.py). */
  hash: HashAlgorithm;
  /** Records of an interrupted transaction under /.belay ("journal.json", "intent.log", ...); empty when none. */
  pending: string[];
}

interface RawProbe {
  platform: string;
  hashlib: boolean;
  binascii: boolean;
  crc32: boolean;
  deflate: boolean;
  stdin_buffer: boolean;
  stdout_buffer: boolean;
  rx_buffer: number | null;
  pending: string[];
}

export function parseCapabilities(raw: RawProbe): Capabilities {
  return {
    platform: String(raw.platform),
    hashlib: raw.hashlib === true,
    binascii: raw.binascii === true,
    crc32: raw.crc32 === true,
    deflate: raw.deflate === true,
    stdinBuffer: raw.stdin_buffer === true,
    stdoutBuffer: raw.stdout_buffer === true,
    rxBuffer: typeof raw.rx_buffer === 'number' && raw.rx_buffer > 0 ? raw.rx_buffer : undefined,
    hash: raw.hashlib === true ? 'sha256' : raw.crc32 === true ? 'crc32' : 'adler32',
    pending: Array.isArray(raw.pending) ? raw.pending.map(String) : [],
  };
}

export type { RawProbe };
