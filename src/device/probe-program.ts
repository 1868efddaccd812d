/**
 * The programs that run the capability probe (snippets/probe.py; its answer
 * is read in capabilities.ts). Loaded only by a connection that probes, so
 * a plain `exec` never loads node:crypto.
 */
import { createHash } from 'node:crypto';
import { pyLiteral, snippet } from './snippets.js';

let probeName: string | undefined;

/**
 * The global name the probe stays under on a board with heap to spare: it
 * carries a fingerprint of the probe's code, so a copy another version of
 * belay left is never called.
 */
export function residentProbeName(): string {
  probeName ??= `_bp_${createHash('sha256').update(snippet('probe')).digest('hex').slice(0, 12)}`;
  return probeName;
}

/** Free heap (bytes) from which a board keeps the probe: its compiled code then costs it little. */
export const RESIDENT_PROBE_HEAP = 64 * 1024;

/**
 * The few bytes asked first: the resident probe's answer, or, when the board
 * holds no copy of this probe (a reset, a small heap, another version), its
 * free heap as a bare number (0 where the port cannot tell).
 */
export function residentProbeCall(): string {
  return `try:\n ${residentProbeName()}()\nexcept NameError:\n __import__('gc').collect()\n print(getattr(__import__('gc'), 'mem_free', int)())\n`;
}

/**
 * The whole probe: defines it and runs it. With `resident` (a board with
 * RESIDENT_PROBE_HEAP free) it then stays under residentProbeName(), noted
 * in `_belay_kept` (what `run` clears first, see board-code.ts), and copies of
 * other versions are removed; otherwise it is deleted at once.
 */
export function probeProgram(options: { resident: boolean }): string {
  const keep = options.resident
    ? `def _bkeep(f):\n g = globals()\n for k in [k for k in g if k.startswith('_bp_')]:\n  del g[k]\n g[${pyLiteral(residentProbeName())}] = f\n g['_belay_kept'] = g.get('_belay_kept', ()) + (${pyLiteral(residentProbeName())},)\n_bkeep(_bprobe)\ndel _bkeep\n`
    : '';
  return `${snippet('probe')}_bprobe()\n${keep}del _bprobe\n`;
}
