/**
 * The board-side half of the filesystem API: the fs_*.py helpers, installed
 * once per session, group by group as calls need them (comments, blank lines and most indent
 * stripped: a few KB on the wire, once), and the one-line calls that use them. Each
 * call's arguments are Python literals from pyLiteral, the single quoting
 * helper: a path can never become code.
 */
import { createHash } from 'node:crypto';
import { snippet, pyLiteral, type PyValue } from '../snippets.js';

/**
 * The helpers in groups, each installed the first time a call needs it, so
 * a board that is only read never compiles the write side (heap on small
 * boards, bytes on slow links): `base` lists, reads and small operations;
 * `write` stages, commits and recovers; `frames` reads the framed,
 * credit-controlled stream for `upload`, the binary receiver of one file
 * (put; with the look at the board before it that makes a lone write one
 * program), and `batch`, the receiver of a batch of files in one stream
 * (put -r); `encoded` is the fallback transfer for boards without
 * sys.stdin.buffer (each needs `write`; a board gets the binary or the
 * encoded side, and put -r does not need `upload`, so a small heap holds
 * only what it uses); `deflate` the decompressing half of `upload`, for
 * compressed single-file uploads only (a batch decompresses itself);
 * `cache` the loader of the helpers' copies on the board's flash, which
 * helper-cache.ts sends in front of its first load rather than on its own.
 */
export const HELPER_GROUPS = {
  base: ['fs_lib', 'fs_tree', 'fs_op', 'fs_download'],
  write: ['fs_tx', 'fs_names'],
  pack: ['fs_pack'],
  frames: ['fs_frames'],
  upload: ['fs_upload', 'fs_put'],
  batch: ['fs_batch'],
  encoded: ['fs_encoded'],
  deflate: ['fs_unzip'],
  cache: ['fs_cache', 'fs_cache_load'],
} as const;

export type HelperGroup = keyof typeof HELPER_GROUPS;

const programs = new Map<string, string>();

/**
 * The programs that install the helpers of `groups` (in order); they print
 * nothing. Each program is compiled on the board as a whole, which takes
 * several times its size in heap for a moment, so on a board with little
 * free heap the helpers go in pieces of at most `budget` bytes (one file
 * each at least); with room, in one program (one round trip).
 *
 * Each group ends by setting `_bv_<group>` to its version (groupVersion), so
 * the next session's probe can tell the board still holds this very code in
 * its raw REPL globals (until a reset) and need not be sent it again; a
 * group whose version differs is removed (removalProgram) and sent anew.
 * With `only`, just those helper files go (the rest of each group came from
 * the board's own copy, helper-cache.ts); the groups' markers still do.
 */
export function installPrograms(groups: readonly HelperGroup[] = ['base', 'write', 'frames', 'upload'], budget = Infinity, options: { tracked?: boolean; only?: ReadonlySet<string> } = {}): string[] {
  const { only } = options;
  const pieces = groups.flatMap((group) => [
    ...HELPER_GROUPS[group].filter((name) => only === undefined || only.has(name)).map((name) => stripped(name)),
    `_bv_${group} = ${pyLiteral(groupVersion(group))}`,
  ]);
  // Each piece is followed by its newline (the gap), which the budget counts once the next piece comes.
  const programs = withinBudget(pieces, (piece) => piece.length, budget, 1).map((run) => run.map((piece) => `${piece}\n`).join(''));
  return options.tracked ? programs.map(trackedProgram) : programs;
}

/**
 * The loader of the helpers' flash copies (the `cache` group: fs_cache.py,
 * fs_cache_load.py and its version marker) as one program. helper-cache.ts
 * sends it in front of the first cache program a board lacks it for, and
 * boot-copy.ts keeps it in the boot copy; either way it then stays in the
 * board's globals with the helpers, and every later load sends only its call.
 */
export function loaderProgram(): string {
  return installPrograms(['cache'])[0];
}

/**
 * `items` cut into consecutive runs, each compiled on the board as one
 * program: a run takes the next item while the sizes so far (each plus
 * `gap`) and the next item's stay within `budget`; an item over the budget
 * runs alone.
 */
export function withinBudget<T>(items: readonly T[], size: (item: T) => number, budget: number, gap = 0): T[][] {
  const runs: T[][] = [];
  let used = 0;
  for (const item of items) {
    if (runs.length === 0 || (used > 0 && used + size(item) > budget)) {
      runs.push([]);
      used = 0;
    }
    runs[runs.length - 1].push(item);
    used += size(item) + gap;
  }
  return runs;
}

/**
 * Around an install program of helpers that stay on the board: the globals
 * it defines are added to `_belay_kept`, so the run wrapper (run_named.py) can
 * clear them without a list from the host and without touching a name of
 * the user's. A set of the globals for a moment: only boards with heap to
 * spare keep helpers, so only they pay it.
 */
const TRACK_START = '_belay_seen = set(globals())\n';
const TRACK_END = "_belay_kept = globals().get('_belay_kept', ()) + tuple(k for k in globals() if k not in _belay_seen and k != '_belay_seen')\ndel _belay_seen\n";

/** `program` between the tracking lines: what it leaves in the globals is noted in `_belay_kept`. */
export function trackedProgram(program: string): string {
  return `${TRACK_START}${program}${TRACK_END}`;
}

/**
 * Free heap (bytes, before any helper is installed) from which a board keeps
 * the helpers between commands, the same bound as for the probe: the ~15 KB
 * they hold is then at most a fifth of its heap. (On an ESP32 free heap
 * includes the system memory the heap can still grow into: gc.mem_free
 * adds it on ports whose heap grows on demand.) A smaller board
 * (ESP8266-class, 30-40 KiB) has them removed at the end of each command
 * (DeviceFs.release), so the program it runs next has its whole heap; the
 * price is sending them again each command (12.7 KB for a put: about a
 * second at 115200 baud).
 */
export const RESIDENT_HELPERS_HEAP = 64 * 1024;

/** Compile budget for a board with `freeHeap` bytes free (undefined: unknown, assume plenty). */
export function compileBudget(freeHeap: number | undefined): number {
  return freeHeap === undefined || freeHeap >= 96 * 1024 ? Infinity : Math.max(1024, Math.floor(freeHeap / 6));
}

const versions = new Map<HelperGroup, string>();

/** A short fingerprint of the code a group installs: it changes whenever that code does. */
export function groupVersion(group: HelperGroup): string {
  let version = versions.get(group);
  if (version === undefined) {
    const hash = createHash('sha256');
    for (const name of HELPER_GROUPS[group]) hash.update(stripped(name)).update('\0');
    version = hash.digest('hex').slice(0, 16);
    versions.set(group, version);
  }
  return version;
}

/**
 * Works out every group's version ahead of need (it reads and strips the
 * helpers' source files, a few ms): a connection does it while the board
 * answers its probe, off the path between the answer and the first call.
 */
export function warmGroupVersions(): void {
  for (const group of Object.keys(HELPER_GROUPS) as HelperGroup[]) groupVersion(group);
}

/**
 * The global names a group defines (functions, classes, module-level values,
 * modules imported under a helper name, also inside a top-level try) and its
 * version marker: helper names start `_b` or `_B` (constants and classes).
 */
export function groupNames(group: HelperGroup): string[] {
  const names = new Set<string>([`_bv_${group}`]);
  for (const name of HELPER_GROUPS[group]) {
    for (const line of stripped(name).split('\n')) {
      const defined = /^(?:def|class) (_[bB]\w+)|^\s?(_[bB]\w+)\s*=|^\s*(?:import|from) .* as (_[bB]\w+)$/.exec(line);
      const found = defined?.[1] ?? defined?.[2] ?? defined?.[3];
      if (found) names.add(found);
    }
  }
  return [...names];
}

/** Removes the globals of `groups` (stale copies an earlier version left), freeing their heap before new ones compile. */
export function removalProgram(groups: readonly HelperGroup[]): string {
  return `for _bn in ${pyLiteral(groups.flatMap(groupNames))}:\n    globals().pop(_bn, None)\ndel _bn\nimport gc\ngc.collect()\n`;
}

/** A helper file's source as it runs on the board (comments and blank lines stripped). */
export function stripped(name: string): string {
  let text = programs.get(name);
  if (text === undefined) {
    text = snippet(name).trimEnd();
    programs.set(name, text);
  }
  return text;
}

/** `name(arg, ...)` with every argument as a Python literal. */
export function pyCall(name: string, ...args: PyValue[]): string {
  if (!/^_b[a-z]+$/.test(name)) throw new TypeError(`not a helper name: ${name}`);
  return `${name}(${args.map(pyLiteral).join(', ')})`;
}

/** A helper call whose returned value is printed as one JSON line. */
export function pyJsonCall(name: string, ...args: PyValue[]): string {
  return `print(json.dumps(${pyCall(name, ...args)}))`;
}
