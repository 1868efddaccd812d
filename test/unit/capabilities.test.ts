// Reading the capability probe's answer (capabilities.ts): the list
// probe.py prints, field by field, and a clear refusal of anything else.
import { describe, expect, it } from 'vitest';
import { parseCapabilities } from '../../src/device/capabilities.js';
import { BelayError } from '../../src/errors.js';

describe('parseCapabilities', () => {
  it('reads the fields in the order probe.py prints them', () => {
    const caps = parseCapabilities(['esp32', false, true, true, false, true, 41000, true, false, 256, ['intent.log'], { base: 'v1', odd: 3 }, true]);
    expect(caps).toEqual({
      platform: 'esp32',
      hashlib: false,
      binascii: true,
      crc32: true,
      deflate: false,
      ioBase: true,
      memFree: 41000,
      stdinBuffer: true,
      stdoutBuffer: false,
      rxBuffer: 256,
      hash: 'crc32',
      pending: ['intent.log'],
      helpers: { base: 'v1' },
      helperCopies: true,
    });
  });

  it('refuses an answer that is not the probe list (PROTOCOL)', () => {
    for (const answer of [{ platform: 'rp2' }, [], null, 'rp2']) {
      expect(() => parseCapabilities(answer as never)).toThrow(expect.objectContaining({ code: 'PROTOCOL' }) as BelayError);
    }
  });
});
