/**
 * The fs helpers' copy on the board's own flash (snippets/fs_cache*.py):
 * the first session that writes to a board saves each helper file it
 * installs under /.belay/helpers, and every later session runs the saved
 * files after checking their digest instead of receiving the source again.
 * Only for a board that keeps the helpers in its heap (RESIDENT_HELPERS_HEAP
 * in board-code.ts): its heap loses them at a reset or a `run`, and the next
 * command then sends the loader (~0.7 KB, once: it stays with the helpers)
 * and a ~0.2 KB call per load instead of ~13 KB of source (about a second
 * less at 115200 baud). A small board has no heap to hold a file's text
 * beside what compiling it takes, and is served over the link.
 *
 * A copy that does not match (torn by a power cut, another belay version's,
 * anybody else's) is saved anew, never run. Nothing is saved where it would
 * leave the user's flash with less than FREE_RESERVE free, on a board
 * without sha256 (no way to check a copy), where /.belay cannot be written,
 * or by a session that only reads: those get the source over the link.
 */
import { createHash } from 'node:crypto';
import type { OperationOptions } from './types.js';
import type { BoardSession } from '../session.js';
import { snippet, pyLiteral, type PyValue } from '../snippets.js';
import { bootDigest, bootText } from '../boot-copy.js';
import { HELPER_GROUPS, groupVersion, loaderProgram, stripped, trackedProgram, withinBudget, type HelperGroup } from './board-code.js';

/** Free bytes a save must leave on the board's filesystem: helpers never take the user's last space. */
export const FREE_RESERVE = 64 * 1024;

/**
 * What the connection learnt of the boot copy (boot-copy.ts): `present` (the
 * probe came from it), `missing` (the board had no sound one: the next save
 * writes it, even with nothing else to save), `unknown` (the board was not
 * asked: saved whenever helper copies are).
 */
export type BootCopyState = 'present' | 'missing' | 'unknown';

/** The boot copy's name among the helper copies (boot-DIGEST.py). */
const BOOT_NAME = 'boot';

/** What an install from the board's copies left to the link. */
export interface CacheOutcome {
  /** Helper files still to be sent as source (their copy did not fit in the heap to run, or their text changed on the way). */
  missing: string[];
  /** Helper files whose copy this install saved. */
  saved: string[];
  /** False when this board could not save a copy (no writable /.belay, too little free space): later installs skip the cache. */
  usable: boolean;
  /** The board now holds the loader (the `cache` group): it ran a program of the cache. */
  loader: boolean;
}

/** A helper file's bytes exactly as saved and run on the board. */
function savedText(name: string): string {
  return `${stripped(name)}\n`;
}

const digests = new Map<string, string>();

/** The first 32 hex digits of the sha256 of a helper file's saved text (what fs_cache.py compares). */
export function helperDigest(name: string): string {
  let digest = digests.get(name);
  if (digest === undefined) {
    digest = createHash('sha256').update(savedText(name), 'utf8').digest('hex').slice(0, 32);
    digests.set(name, digest);
  }
  return digest;
}

/** The helper files of `groups`, each once, in install order. */
export function helperFiles(groups: readonly HelperGroup[]): string[] {
  return [...new Set(groups.flatMap((group) => HELPER_GROUPS[group]))];
}

/** fs_cache_save.py around `body`, gone again afterwards whatever `body` did (a save is rare: the loader stays, the saver does not). */
function withSaver(body: string): string {
  return `${snippet('fs_cache_save')}try:\n ${body}\nfinally:\n del _bsv\n`;
}

/** The version marker lines' input for `groups`: [group, version, file...]. */
function marks(groups: readonly HelperGroup[]): PyValue {
  return groups.map((group) => [group, groupVersion(group), ...HELPER_GROUPS[group]]);
}

/** Runs the saved copies of `files` and marks those `groups` whose files all ran; prints [unsound, short] (fs_cache_load.py). */
export function loadProgram(files: readonly string[], groups: readonly HelperGroup[]): string {
  return `_bld(${pyLiteral(files.map((name) => [name, helperDigest(name)]))}, ${pyLiteral(marks(groups))})\n`;
}

/**
 * Programs that save `files` and run them, no more than `budget` bytes of
 * source each (one file at least), the last one marking `groups`; each
 * prints [unsaved, unrun] (fs_cache_save.py).
 */
export function savePrograms(files: readonly string[], groups: readonly HelperGroup[], budget: number, options: { boot?: boolean } = {}): string[] {
  const entries: PyValue[][] = files.map((name) => [name, helperDigest(name), savedText(name)]);
  // The boot copy is saved, not run (a fourth item): it runs at the next connection (boot-copy.ts).
  if (options.boot) entries.push([BOOT_NAME, bootDigest(), bootText(), 0]);
  const pieces = withinBudget(entries, (entry) => (entry[2] as string).length, budget);
  return pieces.map((piece, i) => withSaver(`_bsv(${pyLiteral(piece)}, ${pyLiteral(i === pieces.length - 1 ? marks(groups) : [])}, ${FREE_RESERVE})`));
}

/**
 * Installs `groups` from the board's copies. With `save` (a session that
 * writes to the board anyway: a command that only reads never writes the
 * copies) the missing or stale ones are saved, and run as they are, and so
 * are `resave`, files this session had to send as source while it was only
 * reading (they run again, which redefines the same code). The helpers and
 * the loader stay on the board, so what every program defines is noted for
 * `run` to clear (board-code.ts): only a board that keeps its helpers gets
 * the cache. `copies`: the probe saw /.belay/helpers (else there is nothing
 * to load). `loader`: the board holds this version of the loader already
 * (else the first program brings it).
 */
export async function installFromCache(
  device: BoardSession,
  groups: readonly HelperGroup[],
  settings: { budget: number; copies: boolean; save: boolean; resave: readonly string[]; loader: boolean; boot: BootCopyState },
  options: OperationOptions,
): Promise<CacheOutcome> {
  let loader = settings.loader;
  // A load notes what it defines itself (fs_cache_load.py); the loader's own definitions and a save need the tracking lines.
  const run = async (program: string, tracksItself: boolean): Promise<[string[], string[]]> => {
    const body = tracksItself ? program : trackedProgram(program);
    const answer = await device.execJson<[string[], string[]]>(loader ? body : `${trackedProgram(loaderProgram())}${body}`, options);
    loader = true;
    return answer;
  };
  let unsound = helperFiles(groups);
  let short: string[] = [];
  if (settings.copies) [unsound, short] = await run(loadProgram(unsound, groups), true);
  const toSave = [...new Set([...unsound, ...settings.resave])];
  const bootDue = settings.boot === 'missing';
  if (unsound.length === 0 && (!settings.save || (toSave.length === 0 && !bootDue))) return { missing: short, saved: [], usable: true, loader };
  if (!settings.save) return { missing: [...short, ...unsound], saved: [], usable: true, loader };
  // Markers only for groups whole after the save; the rest get theirs with the source sent after.
  const whole = groups.filter((group) => HELPER_GROUPS[group].every((name) => !short.includes(name)));
  const unsaved: string[] = [];
  const unrun: string[] = [];
  const boot = settings.boot !== 'present';
  for (const program of savePrograms(toSave, whole, settings.budget, { boot })) {
    const [notSaved, notRun] = await run(program, false);
    unsaved.push(...notSaved);
    unrun.push(...notRun.filter((name) => name !== BOOT_NAME));
  }
  return { missing: [...short, ...unrun], saved: [...toSave, ...(boot ? [BOOT_NAME] : [])].filter((name) => !unsaved.includes(name)), usable: unsaved.length === 0, loader };
}
