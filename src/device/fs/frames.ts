/**
 * The framing both binary transfers use (see fs_upload.py, fs_download.py):
 * a 2-byte header [0x80 | n >> 8, n & 255] before n payload bytes
 * (1 <= n <= 2047), [0x88, 0] for the end, [0x89, 0] to abort an upload. The high bit makes a header
 * distinguishable from stray bytes (a new host's "\r\x03" ends an orphaned
 * receiver instead of being taken as data), and the length lets any byte
 * value, 0x03 and 0x04 included, pass as payload.
 */

export const MAX_FRAME = 2047;
export const END_FRAME = Uint8Array.of(0x88, 0);
export const ABORT_FRAME = Uint8Array.of(0x89, 0);

export function frameHeader(length: number): Uint8Array {
  return Uint8Array.of(0x80 | (length >> 8), length & 0xff);
}

/** The payload length in a header, 0 for the end frame, -1 for anything else. */
export function parseHeader(hi: number, lo: number): number {
  if (hi === 0x88 && lo === 0) return 0;
  if ((hi & 0xf8) !== 0x80) return -1;
  const length = ((hi & 7) << 8) | lo;
  return length === 0 ? -1 : length;
}

/** Upload tags the receiver sends back. */
export const TAG = { look: 0x4c, same: 0x53, ready: 0x47, narrower: 0x67, ack: 0x41, failed: 0x58, corrupt: 0x5a, hash: 0x48, verdict: 0x56, done: 0x44, endOfOutput: 0x04 } as const;
