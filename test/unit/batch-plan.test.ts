// How put -r cuts its files into batches (batch-plan.ts): the room each
// batch needs on the flash, with a temp per file and with the pack, whose
// files need room for a second copy at the commit.
import { describe, expect, it } from 'vitest';
import { PACK_MAX_FILE, planBatches, type BatchItem } from '../../src/device/fs/batch-plan.js';

const file = (path: string, size: number, replaced = 0): BatchItem => ({ path, size, replaced });
const sizes = (plan: ReturnType<typeof planBatches>) => ('batches' in plan ? plan.batches.map((batch) => batch.map((item) => item.path)) : plan);

describe('planBatches', () => {
  const four = [0, 1, 2, 3].map((i) => file(`/f${i}.py`, 10_000));

  it('puts files into one batch when the flash holds them all beside the records', () => {
    expect(sizes(planBatches(four, 0, { free: 100_000, blockSize: 1000 }))).toEqual([['/f0.py', '/f1.py', '/f2.py', '/f3.py']]);
  });

  it('counts a packed file twice (its slice of the pack and its new copy), so the same flash takes fewer per batch', () => {
    // 4,000 for the folders' and records' reserve, 1,000 for the names in the records.
    const limits = { free: 70_000, blockSize: 1000 };
    expect(sizes(planBatches(four, 0, limits))).toEqual([['/f0.py', '/f1.py', '/f2.py', '/f3.py']]);
    expect(sizes(planBatches(four, 0, { ...limits, packMaxFile: PACK_MAX_FILE }))).toEqual([['/f0.py', '/f1.py', '/f2.py'], ['/f3.py']]);
  });

  it('counts a file larger than packMaxFile once: it keeps a temp of its own', () => {
    const big = [file('/big.bin', 40_000)];
    expect('batches' in planBatches(big, 0, { free: 50_000, blockSize: 1000, packMaxFile: PACK_MAX_FILE })).toBe(true);
    expect(planBatches([file('/small.py', 30_000)], 0, { free: 50_000, blockSize: 1000, packMaxFile: PACK_MAX_FILE })).toEqual({ shortfall: { needed: 65_000, free: 50_000 } });
  });

  it('reports the shortfall of a file that does not fit even alone', () => {
    expect(planBatches([file('/huge.bin', 200_000)], 0, { free: 100_000, blockSize: 1000 })).toEqual({ shortfall: { needed: 205_000, free: 100_000 } });
  });
});
