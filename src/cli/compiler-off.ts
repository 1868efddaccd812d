/**
 * Commands that move file contents (put, get, cat, apply) switch V8's
 * optimising compiler (TurboFan) off for the rest of the process, when the
 * transfer begins.
 *
 * Why: a transfer runs the same few functions for every credit grant and
 * frame, so anything past some hundred KB makes them hot, and the first
 * optimisation costs the process about 8 MB of peak RSS it keeps to the
 * end: the compiler's own code paged in from the node binary (~4 MB) and
 * the malloc arenas of the threads that compile in the background (~4 MB).
 * That is most of what a 1 MiB put or get needed beyond `belay exec`. The
 * host spends a transfer in system calls and waiting on the link, where
 * V8's baseline code does as well: a 1 MiB put or get over an unthrottled
 * pty took no more CPU time or wall time without it (bench/cli.mjs).
 *
 * Only the CLI does this (a library leaves its host's compiler alone), and
 * only once a transfer starts: node:v8 takes ~5 ms to load, which short
 * commands never pay. V8's code cache records the flags it was made under,
 * so the launcher's cache is written first (see main.ts): one written after
 * the switch would be refused by every later run.
 */

let saveCodeCache: (() => void) | undefined;
let switched: Promise<void> | undefined;

/** The launcher's hook that writes V8's code cache for the bundle now (main.ts; absent when the CLI runs from source). */
export function setCodeCacheSaver(save: (() => void) | undefined): void {
  saveCodeCache = save;
}

/** Switches the optimising compiler off for this process, once; what is optimised already stays so. */
export function stopOptimisingForTransfer(): Promise<void> {
  switched ??= (async () => {
    saveCodeCache?.();
    const { setFlagsFromString } = await import('node:v8');
    setFlagsFromString('--no-turbofan');
  })();
  return switched;
}
