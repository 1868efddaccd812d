/**
 * The Python run at every start of the emulated board, after the interpreter
 * boots: it adds the `machine` module a board has, makes gc.collect()
 * collect at once on a fixed heap, and hides the features a test asked to hide. The source lives in firmware.py; only our own option
 * values are put in front of it, encoded as JSON literals.
 */
import { readFileSync } from 'node:fs';
import type { HideableFeature } from './options.js';

const source = readFileSync(new URL('./firmware.py', import.meta.url), 'utf8');

export function firmwarePatch(settings: { uniqueId: string; hide: HideableFeature[]; fixedHeap: boolean }): string {
  const values = [`_UNIQUE_ID = ${JSON.stringify(settings.uniqueId)}`, `_HIDE = ${JSON.stringify(settings.hide)}`, `_FIXED_HEAP = ${settings.fixedHeap ? 'True' : 'False'}`];
  return `${values.join('\n')}\n${source}`;
}
