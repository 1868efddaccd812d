// put -r sends its files in batches: one board program and one stream per
// batch (compressed as a whole where the board has deflate), every file
// staged and verified from flash, then all committed together or none.
// Against the emulated board (real MicroPython), real files on disk.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { putTree } from '../../src/device/fs/tree-transfer.js';
import type { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { failure } from '../helpers/boards.js';
import { DEFLATE_OUT_OF_HEAP, ODD_NAMES, emulatedBoards, programsRunBy, randomPayload } from './helpers.js';

const boards = emulatedBoards();
afterEach(boards.closeAll);
const { dir, open } = boards;


/**
 * A board for a batch that must fail: /keep.py holds "old", and the helpers
 * are warm (/warm.txt written through them); expectUntouched then checks
 * that nothing of the batch was committed and no temp is left.
 */
async function boardWithOldFile(options: Partial<EmulatorOptions>, compress: 'always' | 'never') {
  const flash = dir('flash');
  writeFileSync(join(flash, 'keep.py'), 'old\n');
  const connection = await open(flash, options, compress);
  await connection.device.fs.write('/warm.txt', Buffer.from('helpers'));
  return { flash, ...connection };
}

function expectUntouched(flash: string): void {
  expect(readFileSync(join(flash, 'keep.py'), 'utf8')).toBe('old\n');
  expect(listing(flash)).toEqual(['keep.py', 'warm.txt']);
}

/** Python-like text that deflate shrinks, different per file but sharing words across files. */
function moduleText(i: number, size: number): Buffer {
  const lines: string[] = [`# module ${i}`];
  for (let n = 0; lines.join('\n').length < size; n++) lines.push(`def handler_${i}_${n}(event, value=${(n * 7919 + i) % 1000}):`, `    return process(event, value * ${n % 13}, name="h${i}.${n}")`);
  return Buffer.from(lines.join('\n').slice(0, size));
}

/** A local tree: hostile names at the top, modules in nested folders, an empty file and random bytes. */
function localTree(files: number): Map<string, Buffer> {
  const tree = new Map<string, Buffer>();
  ODD_NAMES.forEach((name, i) => tree.set(name, moduleText(i, 300 + i * 50)));
  for (let i = 0; i < files; i++) tree.set(`pkg/sub ${i % 3}/mod_${i}.py`, moduleText(100 + i, 700 + ((i * 137) % 1500)));
  tree.set('pkg/empty.py', Buffer.alloc(0));
  tree.set('pkg/blob.bin', randomPayload(3000));
  return tree;
}
function writeTree(tree: Map<string, Buffer>): string {
  const root = dir('local');
  for (const [relative, data] of tree) {
    mkdirSync(join(root, relative, '..'), { recursive: true });
    writeFileSync(join(root, relative), data);
  }
  return root;
}
/** Every path below `root` (folders with a trailing "/"), sorted. */
function listing(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(`${relative}/`, ...listing(root, relative));
    else out.push(relative);
  }
  return out.sort();
}
function expectHolds(flash: string, under: string, tree: Map<string, Buffer>) {
  for (const [relative, data] of tree) expect(readFileSync(join(flash, under, relative)).equals(data), relative).toBe(true);
}

describe('put -r in batches', () => {
  it.each<[string, Partial<EmulatorOptions>]>([
    ['deflate', {}],
    ['no deflate', { hide: ['deflate'] }],
  ])('round-trips a tree with hostile names exactly on a 32 KiB heap (%s), in a few programs', async (name, options) => {
    const flash = dir('flash');
    const { board, device } = await open(flash, { heapSize: 32 * 1024, ...options });
    const tree = localTree(40);
    const local = writeTree(tree);
    let result: Awaited<ReturnType<typeof putTree>> | undefined;
    const programs = await programsRunBy(board, async () => {
      result = await putTree(device.fs, local, '/app');
    });
    expectHolds(flash, 'app', tree);
    expect(readdirSync(flash)).toEqual(['app']);
    expect(listing(join(flash, 'app')).filter((path) => !path.endsWith('/')).sort()).toEqual([...tree.keys()].sort());
    const compressed = result!.files.filter((file) => file.stats?.compressed !== undefined).length;
    expect(compressed).toBe(name === 'deflate' ? tree.size : 0);
    // 49 files: helpers, probe, listing, names, space and a handful of batches, not a program per file.
    expect(programs).toBeLessThan(20);
    // And back, byte for byte, through the board.
    for (const [relative, data] of [...tree].slice(0, 3)) expect((await device.fs.read(`/app/${relative}`)).data!.equals(data)).toBe(true);
  });

  it('sends 50 modules in one program when the heap allows, and unchanged files not at all', async () => {
    const flash = dir('flash');
    const { board, device } = await open(flash);
    const tree = localTree(50);
    const local = writeTree(tree);
    await putTree(device.fs, local, '/warm'); // helpers in place
    const fresh = await programsRunBy(board, () => putTree(device.fs, local, '/app'));
    expectHolds(flash, 'app', tree);
    // Digests, listing, names, space, the one batch: a fixed few, whatever the file count.
    expect(fresh).toBeLessThanOrEqual(6);
    writeFileSync(join(local, 'pkg/sub 1/mod_1.py'), 'changed\n');
    tree.set('pkg/sub 1/mod_1.py', Buffer.from('changed\n'));
    const result = await putTree(device.fs, local, '/app');
    expect(result.files.filter((file) => file.action === 'upload').map((file) => file.path)).toEqual(['/app/pkg/sub 1/mod_1.py']);
    expectHolds(flash, 'app', tree);
  });

  it.each(['always', 'never'] as const)('commits nothing of a batch whose bytes came out differently (compress %s): VERIFY_FAILED, no temp left', async (compress) => {
    const { flash, board, device } = await boardWithOldFile({}, compress);
    const tree = new Map([
      ['keep.py', moduleText(1, 4000)],
      ['b/new.py', moduleText(2, 4000)],
      ['b/c/other.py', moduleText(3, 4000)],
    ]);
    const local = writeTree(tree);
    // A byte of the stream changes on its way to the board, 200 bytes into the batch.
    const disarm = armInStream(board, Buffer.from('_bputs('), 200);
    const err = await failure(putTree(device.fs, local, '/'));
    disarm();
    expect(err.code).toBe('VERIFY_FAILED');
    expectUntouched(flash);
    // The board is usable and the same put now succeeds.
    await putTree(device.fs, local, '/');
    expectHolds(flash, '', tree);
  });

  // On littlefs the small files go into the batch's pack (no temp name in the
  // header: the content follows the target's name); on FAT each has a temp.
  it.each<[string, Partial<EmulatorOptions>, string]>([
    ['staged in the pack', {}, '/two.pysecond'],
    ['staged in temps (FAT)', { filesystem: 'fat' }, '/two.py/.belay-tmp-'],
  ])('commits nothing when a name in the stream arrives changed (%s): the hash covers the header too', async (_name, options, marker) => {
    const flash = dir('flash');
    const { board, device } = await open(flash, options, 'never');
    await device.fs.write('/warm.txt', Buffer.from('helpers'));
    const local = writeTree(new Map([
      ['one.py', Buffer.from('first\n')],
      ['two.py', Buffer.from('second\n')],
    ]));
    // The second file's header in the stream: a letter of "two" arrives changed.
    const disarm = armInStream(board, Buffer.from(marker), -1, 2);
    const err = await failure(putTree(device.fs, local, '/'));
    disarm();
    expect(err.code).toBe('VERIFY_FAILED');
    expect(listing(flash)).toEqual(['warm.txt']);
  });
});

/**
 * Arms a corruption of one byte sent to the board: found by `marker` in a
 * write, `offset` bytes after the end of the write holding it (-1: at
 * `at` bytes into the marker itself). Returns a function that stops looking.
 */
function armInStream(board: EmulatorTransport, marker: Buffer, offset: number, at = 0): () => void {
  const write = board.write.bind(board);
  let armed = false;
  board.write = async (bytes: Uint8Array) => {
    const chunk = Buffer.from(bytes);
    const found = armed ? -1 : chunk.indexOf(marker);
    // The call itself starts a write (its helper's definition, sent earlier, does not match).
    if (offset >= 0 && found > 0) return write(bytes);
    if (found >= 0) {
      armed = true;
      board.corruptAfter('to-board', offset < 0 ? found + at : chunk.length + offset, { xor: 0x0e });
    }
    return write(bytes);
  };
  return () => {
    board.write = write;
  };
}

describe.each(['littlefs', 'fat'] as const)('a batch on %s', (filesystem) => {
  it('after a power cut at any flash write, the whole batch is old or new, and recovery leaves no temp or record', async () => {
    const old = Buffer.from('the old app\n');
    // A replacement and a new file in a new folder: each kind of step a batch takes.
    const tree = new Map([
      ['app.py', moduleText(1, 600)],
      ['lib/new.py', moduleText(2, 500)],
    ]);
    const local = writeTree(tree);
    const seed = (flash: string) => writeFileSync(join(flash, 'app.py'), old);
    // Count the flash writes of the put on a board without faults (installing helpers writes nothing).
    const counting = dir('flash');
    seed(counting);
    const probe = await open(counting, { filesystem });
    await putTree(probe.device.fs, local, '/');
    const writes = probe.board.mutations;
    expect(writes).toBeGreaterThan(8);
    await probe.board.close();

    const outcomes = new Set<string>();
    for (let step = 1; step <= writes; step++) {
      const flash = dir('flash');
      seed(flash);
      const cut = await open(flash, { filesystem, powerCutAtWrite: step });
      const result = await putTree(cut.device.fs, local, '/').then(
        () => 'done',
        (err: { code?: string }) => err.code ?? 'error',
      );
      await cut.board.close().catch(() => undefined);
      const after = await open(flash, { filesystem });
      await after.device.fs.recover();
      const files = listing(flash);
      const isOld = files.join() === 'app.py' && readFileSync(join(flash, 'app.py')).equals(old);
      const isNew = files.join() === ['app.py', 'lib/', 'lib/new.py'].join() && [...tree].every(([relative, data]) => readFileSync(join(flash, relative)).equals(data));
      expect(isOld || isNew, `power cut at write ${step} of ${writes} (${result}): ${files.join(', ')}`).toBe(true);
      outcomes.add(isOld ? 'old' : 'new');
      await after.board.close();
    }
    // The sweep reached both sides of the commit.
    expect([...outcomes].sort()).toEqual(['new', 'old']);
  });
});

describe('a batch that cannot finish', () => {
  it('a board that fills up mid-batch: NO_SPACE, nothing of the batch committed, no temp left', async () => {
    const { flash, device } = await boardWithOldFile({ flashSize: 64 * 1024 }, 'never');
    // The batch goes as one, without the space planning put -r does: the third file cannot fit.
    const files = [
      { path: '/keep.py', source: randomPayload(20_000) },
      { path: '/lib/a.bin', source: randomPayload(20_000) },
      { path: '/lib/b.bin', source: randomPayload(30_000) },
    ];
    const err = await failure(device.fs.writeBatch(files));
    expect(err.code).toBe('NO_SPACE');
    expect(err.data).toMatchObject({ path: '/lib/b.bin' });
    expectUntouched(flash);
    // The board is at its prompt and usable.
    await device.fs.writeBatch(files.slice(0, 1));
    expect(readFileSync(join(flash, 'keep.py')).equals(files[0].source)).toBe(true);
  });

  it('a heap too small for the decompressor: the board ran out of memory (not a changed stream), nothing committed, no temp left', async () => {
    const { flash, device } = await boardWithOldFile({}, 'always');
    await device.exec(DEFLATE_OUT_OF_HEAP);
    const err = await failure(device.fs.writeBatch([{ path: '/keep.py', source: moduleText(1, 8000) }, { path: '/lib/a.py', source: moduleText(2, 8000) }]));
    expect({ code: err.code, message: err.message }).toMatchObject({ code: 'BOARD_EXCEPTION', message: expect.stringContaining('ran out of memory') });
    expectUntouched(flash);
    expect((await device.exec('print(6 * 7)')).stdout.trim()).toBe('42');
  });

  it('put -r cuts batches so their temps fit beside the old copies, and refuses before sending anything a file that cannot fit alone', async () => {
    // Four 15 KB files, then each replaced: one batch on a roomy flash; on
    // 96 KiB the new copies do not all fit beside the old ones at once.
    const first = new Map([...Array(4).keys()].map((i) => [`f${i}.bin`, randomPayload(15_000)] as const));
    const second = new Map([...first.keys()].map((name) => [name, randomPayload(15_000)] as const));
    const local = writeTree(first);
    const replace = async (flash: string, flashSize?: number) => {
      for (const [name, data] of first) writeFileSync(join(local, name), data);
      const { board, device } = await open(flash, flashSize ? { flashSize } : {}, 'never');
      await putTree(device.fs, local, '/');
      for (const [name, data] of second) writeFileSync(join(local, name), data);
      const programs = await programsRunBy(board, () => putTree(device.fs, local, '/'));
      expectHolds(flash, '', second);
      return { programs, device };
    };
    const roomy = await replace(dir('flash'));
    const flash = dir('flash');
    const tight = await replace(flash, 96 * 1024);
    expect(tight.programs).toBeGreaterThan(roomy.programs);
    writeFileSync(join(local, 'huge.bin'), randomPayload(200_000));
    writeFileSync(join(local, 'f0.bin'), 'changed\n');
    const err = await failure(putTree(tight.device.fs, local, '/'));
    expect(err.code).toBe('NO_SPACE');
    expect(readdirSync(flash).sort()).toEqual(['f0.bin', 'f1.bin', 'f2.bin', 'f3.bin']);
    expectHolds(flash, '', second);
  });

  it('Ctrl-C mid-batch stops at a frame boundary: nothing of the batch committed, no temp, the board usable', async () => {
    const { flash, board, device } = await boardWithOldFile({ baud: 115200 }, 'never');
    const tree = new Map([
      ['keep.py', randomPayload(6000)],
      ['lib/a.bin', randomPayload(6000)],
    ]);
    const local = writeTree(tree);
    const controller = new AbortController();
    // Stop once the board has hashed the first file: the second is on its way.
    let seen = '';
    const stop = board.onData((chunk) => {
      seen = (seen + Buffer.from(chunk).toString('latin1')).slice(-64);
      if (seen.includes('H[')) controller.abort();
    });
    const err = await failure(putTree(device.fs, local, '/', { signal: controller.signal }));
    stop();
    expect(err.code).toBe('ABORTED');
    expectUntouched(flash);
    await putTree(device.fs, local, '/');
    expectHolds(flash, '', tree);
  });
});
