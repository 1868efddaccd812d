// put -r on littlefs stages a batch's small files in one pack under /.belay
// instead of a temp beside each target (upload-batch.ts, fs_batch.py), and
// its commit writes the targets from the pack (fs_pack.py). Against the
// emulated board (real MicroPython), real files on disk. The power-cut sweep
// over a packed batch is in batch-upload.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putTree } from '../../src/device/fs/tree-transfer.js';
import { PACK_PATH } from '../../src/device/fs/upload-batch.js';
import type { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { emulatedBoards, randomPayload } from './helpers.js';

const boards = emulatedBoards();
afterEach(boards.closeAll);
const { dir } = boards;
const open = (flash: string, options: Partial<EmulatorOptions> = {}) => boards.open(flash, options, 'never');
/** The calls of the batch receiver the host sends while `work` runs. */
async function receiverCalls(board: EmulatorTransport, work: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const write = board.write.bind(board);
  board.write = async (bytes: Uint8Array) => {
    const text = Buffer.from(bytes).toString('latin1');
    // (Not the helper's own definition, sent with the helpers.)
    for (const call of text.match(/(?<!def )_bputs\([^)]*\)/g) ?? []) calls.push(call);
    return write(bytes);
  };
  try {
    await work();
  } finally {
    board.write = write;
  }
  return calls;
}
function localTree(files: Record<string, Buffer>): string {
  const root = dir('local');
  for (const [name, data] of Object.entries(files)) writeFileSync(join(root, name), data);
  return root;
}

describe('a batch staged in a pack', () => {
  it.each<[string, boolean, Partial<EmulatorOptions>]>([
    ['littlefs', true, {}],
    ['FAT, where a target rewritten in place could tear', false, { filesystem: 'fat' }],
  ])('on %s (pack: %s): the files arrive exactly and nothing staged is left', async (_name, packs, options) => {
    const flash = dir('flash');
    writeFileSync(join(flash, 'a.py'), 'old a\n');
    const { board, device } = await open(flash, options);
    const files = { 'a.py': Buffer.from('new a\n'), 'b.py': randomPayload(3000), 'empty.py': Buffer.alloc(0), 'big.bin': randomPayload(40_000) };
    const local = localTree(files);
    const calls = await receiverCalls(board, () => putTree(device.fs, local, '/'));
    expect(calls).toHaveLength(1);
    expect(calls[0].includes(PACK_PATH)).toBe(packs);
    for (const [name, data] of Object.entries(files)) expect(readFileSync(join(flash, name)).equals(data), name).toBe(true);
    expect(readdirSync(flash).sort()).toEqual(['a.py', 'b.py', 'big.bin', 'empty.py']);
  });

  it('a flash without room for a second copy of the small files gets a temp per file instead, and the put still succeeds', async () => {
    // 30,000 bytes replaced on an 80 KiB flash: old copy + temp fit, old + pack + new copy do not.
    const seed = (flash: string) => writeFileSync(join(flash, 'mod.py'), randomPayload(30_000));
    const next = { 'mod.py': randomPayload(30_000) };
    const local = localTree(next);
    const outcomes: boolean[] = [];
    for (const flashSize of [80 * 1024, 160 * 1024]) {
      const flash = dir('flash');
      seed(flash);
      const { board, device } = await open(flash, { flashSize });
      const calls = await receiverCalls(board, () => putTree(device.fs, local, '/'));
      expect(readFileSync(join(flash, 'mod.py')).equals(next['mod.py'])).toBe(true);
      expect(readdirSync(flash)).toEqual(['mod.py']);
      outcomes.push(calls[0].includes(PACK_PATH));
    }
    expect(outcomes).toEqual([false, true]);
  });

  it('a cut after the journal is written: the next connection writes every target from the pack and says so', async () => {
    const files = { 'one.py': Buffer.from('one\n'), 'two.py': Buffer.from('two\n') };
    const local = localTree(files);
    // The flash writes of the whole put, then cuts from the last backwards until one leaves the commit to finish.
    const counting = dir('flash');
    const probe = await open(counting);
    await putTree(probe.device.fs, local, '/');
    const writes = probe.board.mutations;
    await probe.board.close();
    for (let step = writes; step > 0; step--) {
      const flash = dir('flash');
      const cut = await open(flash, { powerCutAtWrite: step });
      await putTree(cut.device.fs, local, '/').catch(() => undefined);
      await cut.board.close().catch(() => undefined);
      const after = await open(flash);
      const report = await after.device.fs.recover();
      if (report.action !== 'forward' || report.written.length === 0) continue;
      expect(report.written.sort()).toEqual(['/one.py', '/two.py']);
      expect(report.renamed).toEqual([]);
      for (const [name, data] of Object.entries(files)) expect(readFileSync(join(flash, name)).equals(data), name).toBe(true);
      expect(readdirSync(flash).sort()).toEqual(['one.py', 'two.py']);
      return;
    }
    throw new Error('no cut left a packed commit to finish');
  });
});
