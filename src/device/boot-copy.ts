/**
 * The boot copy: the capability probe and the loader of the helpers' copies
 * (fs/helper-cache.ts) in one file on the board's flash,
 * /.belay/helpers/boot-DIGEST.py. A board with heap to spare keeps both in
 * its heap between commands, but loses them at a reset, a power cycle or a
 * `belay run`; the next connection then asks the board to run its boot copy
 * (a ~0.4 KB program) instead of sending the ~1.3 KB probe and, with the
 * first helpers, the ~0.7 KB loader: about 0.15 s less at 115200 baud on
 * every command of an edit-put-run loop.
 *
 * The copy runs only when the sha256 of its bytes is the digest this belay
 * expects (the same check as every helper copy): a copy a power cut left
 * short, another version's or anybody else's is never run, and the probe
 * goes over the link as before. It is saved with the helpers' copies, by a
 * session that writes to the board anyway, and again by one that found it
 * missing or unsound.
 */
import { createHash } from 'node:crypto';
import { loaderProgram, trackedProgram } from './fs/board-code.js';
import { probeProgram } from './probe-program.js';
import { pyLiteral } from './snippets.js';

/** What the bootstrap prints when the board has no sound boot copy (the probe is sent instead). */
export const NO_BOOT_COPY = '-';

let text: string | undefined;
let digest: string | undefined;

/**
 * The boot copy's text: the loader (noted in `_belay_kept` like any helper,
 * so `run` clears it) and then the whole probe, which stays resident and
 * prints its answer.
 */
export function bootText(): string {
  text ??= `${trackedProgram(loaderProgram())}${probeProgram({ resident: true })}`;
  return text;
}

/** The first 32 hex digits of the sha256 of bootText() (the form fs_cache.py compares). */
export function bootDigest(): string {
  digest ??= createHash('sha256').update(bootText(), 'utf8').digest('hex').slice(0, 32);
  return digest;
}

/** Where the copy lives: named like the helper copies (fs_cache.py's _bhd), so saving it replaces every other version's. */
export function bootPath(): string {
  return `/.belay/helpers/boot-${bootDigest().slice(0, 16)}.py`;
}

/**
 * The program that runs the boot copy when its bytes are the expected ones
 * (then the probe's answer is what it prints), else prints NO_BOOT_COPY.
 * Nothing of it stays in the board's globals.
 */
export function bootProgram(): string {
  return [
    'def _bboot():',
    ' try:',
    '  import hashlib, binascii',
    `  with open(${pyLiteral(bootPath())}, 'rb') as f:`,
    '   d = f.read()',
    ' except Exception:',
    '  return',
    ` if binascii.hexlify(hashlib.sha256(d).digest())[:32] == ${pyLiteral(bootDigest())}.encode():`,
    '  return d',
    '_bd = _bboot()',
    'del _bboot',
    'try:',
    ' if _bd:',
    '  exec(_bd)',
    ' else:',
    `  print(${pyLiteral(NO_BOOT_COPY)})`,
    'finally:',
    ' del _bd',
    '',
  ].join('\n');
}
