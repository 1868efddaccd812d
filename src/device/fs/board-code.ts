/**
 * The board-side half of the filesystem API: the fs_*.py helpers, installed
 * once per session, group by group as calls need them (comments, blank lines and most indent
 * stripped: a few KB on the wire, once), and the one-line calls that use them. Each
 * call's arguments are Python literals from pyLiteral, the single quoting
 * helper: a path can never become code.
 */
import { snippet, pyLiteral, type PyValue } from '../snippets.js';

/**
 * The helpers in groups, each installed the first time a call needs it, so
 * a board that is only read never compiles the write side (heap on small
 * boards, bytes on slow links): `base` lists, reads and small operations;
 * `write` stages, commits and recovers; `encoded` is the fallback transfer
 * for boards without sys.stdin.buffer (it needs `write`).
 */
export const HELPER_GROUPS = {
  base: ['fs_lib', 'fs_tree', 'fs_op', 'fs_download'],
  write: ['fs_tx', 'fs_upload'],
  encoded: ['fs_encoded'],
} as const;

export type HelperGroup = keyof typeof HELPER_GROUPS;

const programs = new Map<string, string>();

/**
 * Drops comment-only and blank lines and shrinks each 4-space indent level
 * to one space (the snippets hold no multi-line strings, so both are safe).
 */
export function stripComments(source: string): string {
  return source
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => line.replace(/^(?: {4})+/, (indent) => ' '.repeat(indent.length / 4)))
    .join('\n');
}

/** The program that installs the helpers of `groups` (in order); it prints nothing. */
export function installProgram(groups: readonly HelperGroup[] = ['base', 'write', 'encoded']): string {
  const key = groups.join(',');
  let program = programs.get(key);
  if (program === undefined) {
    program = `${groups.flatMap((group) => HELPER_GROUPS[group].map((name) => stripComments(snippet(name)))).join('\n')}\n`;
    programs.set(key, program);
  }
  return program;
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
