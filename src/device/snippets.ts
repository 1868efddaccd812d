/**
 * Board-side MicroPython lives in real .py files beside this module, loaded
 * as text. Values reach them only through `pyLiteral`, which writes a Python
 * literal for any JSON-like value: a file named `a'); os.remove('main.py') #`
 * stays a string, never code.
 */
import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/** The program text of snippets/NAME.py as it goes to the board: compact (see stripComments). */
export function snippet(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = `${stripComments(readFileSync(new URL(`./snippets/${name}.py`, import.meta.url), 'utf8'))}\n`;
    cache.set(name, text);
  }
  return text;
}

/**
 * Drops comment-only and blank lines and shrinks each 4-space indent level
 * to one space: fewer bytes on slow links and less text for a small heap to
 * take in (the snippets hold no multi-line strings, so both are safe).
 */
export function stripComments(source: string): string {
  return source
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => line.replace(/^(?: {4})+/, (indent) => ' '.repeat(indent.length / 4)))
    .join('\n');
}

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** A Python literal for a value. Strings use only \u escapes of the risky characters. */
export function pyLiteral(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('not a finite number');
    return String(value);
  }
  if (typeof value === 'string') {
    // One regex pass, not a loop per character: the helpers' source (13 KB)
    // goes through here, and a hot loop would wake V8's optimising compiler.
    // eslint-disable-next-line no-control-regex
    const escaped = value.replace(/['\\\u0000-\u001f\u007f]/g, (char) => {
      if (char === "'" || char === '\\') return `\\${char}`;
      // Two bytes, not four: source text travels as literals (fs/helper-cache.ts, named programs).
      if (char === '\n') return '\\n';
      return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
    return `'${escaped}'`;
  }
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${pyLiteral(key)}: ${pyLiteral(item)}`)
    .join(', ')}}`;
}

/** A snippet preceded by assignments of its inputs: `NAME = literal`. */
export function withInputs(name: string, inputs: Record<string, PyValue>): string {
  const lines = Object.entries(inputs).map(([key, value]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new TypeError(`bad snippet input name ${key}`);
    return `${key} = ${pyLiteral(value)}`;
  });
  return `${lines.join('\n')}\n${snippet(name)}`;
}
