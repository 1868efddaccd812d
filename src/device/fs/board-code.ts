/**
 * The board-side half of the filesystem API: the fs_*.py helpers, installed
 * once per session as one program (comments, blank lines and most indent
 * stripped: a few KB on the wire, once), and the one-line calls that use them. Each
 * call's arguments are Python literals from pyLiteral, the single quoting
 * helper: a path can never become code.
 */
import { snippet, pyLiteral, type PyValue } from '../snippets.js';

const HELPERS = ['fs_lib', 'fs_tx', 'fs_tree', 'fs_op', 'fs_upload', 'fs_download', 'fs_encoded'];

let installer: string | undefined;

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

/** The program that installs every helper; it prints nothing. */
export function installProgram(): string {
  installer ??= `${HELPERS.map((name) => stripComments(snippet(name))).join('\n')}\n`;
  return installer;
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
