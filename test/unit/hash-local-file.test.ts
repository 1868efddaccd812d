/**
 * Hashing a local file (hashing/hashing.ts): small regular files are read
 * whole, larger ones streamed, with the same digest as hashing the bytes
 * for every algorithm at every size around the limit; a FIFO in a tree is
 * streamed, never opened in a way that stops the event loop until a writer
 * comes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { READ_WHOLE_BYTES, hashBytes, hashLocalFile, type HashAlgorithm } from '../../src/hashing/hashing.js';
import { isBelayError } from '../../src/errors.js';
import { tempDir } from '../helpers/boards.js';

const ALGORITHMS: HashAlgorithm[] = ['sha256', 'crc32', 'adler32'];

describe('hashLocalFile', () => {
  it('gives the digest of the bytes, read whole or streamed', async () => {
    const dir = tempDir('belay-hash-');
    for (const size of [0, 1, 4095, READ_WHOLE_BYTES, READ_WHOLE_BYTES + 1, 3 * 65536 + READ_WHOLE_BYTES + 17]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 131 + (i >> 9)) & 0xff;
      const file = join(dir, `f${size}`);
      writeFileSync(file, bytes);
      for (const algorithm of ALGORITHMS) expect(await hashLocalFile(algorithm, file), `${algorithm} ${size}`).toEqual(hashBytes(algorithm, bytes));
    }
  });

  it('an aborted signal rejects before reading; a missing file rejects with ENOENT', async () => {
    const dir = tempDir('belay-hash-');
    writeFileSync(join(dir, 'a'), 'a');
    const aborted = AbortSignal.abort();
    await expect(hashLocalFile('sha256', join(dir, 'a'), aborted)).rejects.toSatisfy((err) => isBelayError(err, 'ABORTED'));
    await expect(hashLocalFile('sha256', join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.skipIf(process.platform === 'win32')('a FIFO is read as it is written, and the event loop runs while it waits for a writer', async () => {
    const fifo = join(tempDir('belay-hash-'), 'fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer comes a while later, from another process.
    const writer = spawn('sh', ['-c', `sleep 1.5; printf 'through the pipe' > '${fifo}'`], { stdio: 'ignore' });
    let last = Date.now();
    let longestPause = 0;
    const ticker = setInterval(() => {
      const now = Date.now();
      longestPause = Math.max(longestPause, now - last);
      last = now;
    }, 10);
    try {
      expect(await hashLocalFile('sha256', fifo)).toEqual(hashBytes('sha256', Buffer.from('through the pipe')));
    } finally {
      clearInterval(ticker);
      writer.kill();
    }
    expect(longestPause).toBeLessThan(1000);
  });
});
