/**
 * How put -r cuts the files it writes into batches (upload-batch.ts): each
 * batch is one board program and one transaction, so every temp of a batch
 * sits on the flash beside the old copies until the batch commits, and the
 * board holds a [temp, target] pair per file in its heap for the commit.
 * Pure: the caller brings the board's figures.
 */

/** Bytes of content in one batch at most (the host holds a batch in memory to compress it). */
export const BATCH_MAX_BYTES = 1024 * 1024;
/** Files in one batch at most. */
export const BATCH_MAX_FILES = 128;
/**
 * Files up to this size go into the batch's pack on littlefs
 * (upload-batch.ts). There every name in a folder slows each create and
 * rename in it (the folder's metadata is a log littlefs reads through): a
 * temp beside each of 54 files in one folder doubled the names and made the
 * commit's renames cost more than writing the files (measured on
 * MicroPython's littlefs: 54 files of 8 KB, temps and renames 1.0-1.1 s, a
 * pack and a write per target 0.16-0.36 s). Writing from the pack writes a
 * file's content twice, which the saving outweighs only while files are
 * small.
 */
export const PACK_MAX_FILE = 32 * 1024;

/** The board's heap for a batch's commit list when it did not say how much it has free. */
const UNKNOWN_HEAP_NAMES_BUDGET = 8 * 1024;

export interface BatchLimits {
  /** Free bytes on the filesystem (null: unknown, no space limit). */
  free: number | null;
  blockSize: number;
  /** The board's free heap (undefined: unknown). */
  freeHeap?: number;
  maxBytes?: number;
  maxFiles?: number;
  /**
   * Files up to this size are staged in the batch's pack (undefined: none
   * is); the commit writes each target from it while the pack still holds
   * its bytes, so such a file needs room for two copies.
   */
  packMaxFile?: number;
}

export interface BatchItem {
  path: string;
  size: number;
  /** Size of the file it replaces (0: none). */
  replaced: number;
}

/** No batch can hold this file: it does not fit the flash even alone. */
export interface SpaceShortfall {
  needed: number;
  free: number;
}

/**
 * Heap the board spends per file of a batch until its commit: the two path
 * strings, the pair holding them, and their share of the journal's text.
 * The temp path is the target's folder and a short name.
 */
export function batchHeapCost(path: string): number {
  const bytes = Buffer.byteLength(path, 'utf8');
  return 2 * (2 * bytes + 24) + 96;
}

/**
 * Consecutive batches of `files` (in their order) within the limits. A
 * batch's need on flash is the records' reserve, the directories made, and
 * every temp of the batch beside what the earlier batches left (a packed
 * file twice: its slice of the pack and its new copy); after a batch
 * commits the replaced copies are free again. Returns the shortfall
 * instead when a file does not fit even as a batch of its own.
 */
export function planBatches<T extends BatchItem>(files: T[], dirs: number, limits: BatchLimits): { batches: T[][] } | { shortfall: SpaceShortfall } {
  const maxBytes = limits.maxBytes ?? BATCH_MAX_BYTES;
  const maxFiles = limits.maxFiles ?? BATCH_MAX_FILES;
  const namesBudget = limits.freeHeap === undefined ? UNKNOWN_HEAP_NAMES_BUDGET : Math.max(1024, Math.floor(limits.freeHeap / 6));
  const block = limits.blockSize > 0 ? limits.blockSize : 1;
  const blocks = (bytes: number) => Math.ceil(bytes / block) * block;
  // The intent log and the journal grow with the batch's names: a record of each path in both.
  const records = (names: number) => blocks(2 * names);
  let grown = (dirs + 4) * block;
  const batches: T[][] = [];
  let current: T[] = [];
  let staged = 0;
  let bytes = 0;
  let heap = 0;
  let names = 0;
  const close = () => {
    if (current.length === 0) return;
    batches.push(current);
    for (const file of current) grown += blocks(file.size) - blocks(file.replaced);
    current = [];
    staged = bytes = heap = names = 0;
  };
  for (const file of files) {
    const nameBytes = 2 * Buffer.byteLength(file.path, 'utf8') + 24;
    const room = (limits.packMaxFile !== undefined && file.size <= limits.packMaxFile ? 2 : 1) * blocks(file.size);
    const need = (extraStaged: number, extraNames: number) => grown + staged + extraStaged + records(names + extraNames);
    const fits = limits.free === null || need(room, nameBytes) <= limits.free;
    const cost = batchHeapCost(file.path);
    if (current.length > 0 && (!fits || current.length >= maxFiles || bytes + file.size > maxBytes || heap + cost > namesBudget)) close();
    if (limits.free !== null) {
      const alone = need(room, nameBytes);
      if (alone > limits.free) return { shortfall: { needed: alone, free: limits.free } };
    }
    current.push(file);
    staged += room;
    bytes += file.size;
    heap += cost;
    names += nameBytes;
  }
  close();
  return { batches };
}
