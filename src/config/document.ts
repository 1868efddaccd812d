/**
 * A config file parsed with positions: the YAML Document (JSON files too,
 * since JSON is YAML), its line counter, and `locate()`, which turns a path
 * inside the config (['sources', 0, 'to']) into a line and column. Syntax
 * errors come out as Diagnostics, all of them, never as exceptions.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from './types.js';

export type PathSegment = string | number;

export interface ConfigDocument {
  /** Absolute path of the file. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Where the belay config sits inside the document: [] normally, ['belay'] in package.json. */
  base: PathSegment[];
}

export interface Location {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** False when the exact node was absent and an enclosing node was used. */
  exact: boolean;
}

export interface ParsedConfig {
  source: ConfigDocument;
  /** The config value, when the file parsed (undefined for an empty file). */
  value: unknown;
  diagnostics: Diagnostic[];
}

/** Parses `text` (YAML or JSON) and extracts the value at `base`. */
export function parseConfigText(file: string, text: string, base: PathSegment[] = []): ParsedConfig {
  const lines = new LineCounter();
  // merge: `<<: *anchor` merge keys, a common way to share settings in YAML.
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false, uniqueKeys: true, merge: true });
  const source: ConfigDocument = { file, text, doc, lines, base };
  const diagnostics: Diagnostic[] = [];
  for (const err of doc.errors) {
    diagnostics.push(positioned(source, { severity: 'error', code: 'CONFIG_SYNTAX', message: yamlMessage(err.message) }, err.pos[0], err.pos[1]));
  }
  for (const warn of doc.warnings) {
    diagnostics.push(positioned(source, { severity: 'warning', code: 'YAML_WARNING', message: yamlMessage(warn.message) }, warn.pos[0], warn.pos[1]));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { source, value: undefined, diagnostics };
  let whole: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    whole = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    diagnostics.push(positioned(source, { severity: 'error', code: 'CONFIG_SYNTAX', message: yamlMessage((err as Error).message) }, 0, 0));
    return { source, value: undefined, diagnostics };
  }
  let value = whole;
  for (const segment of base) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return { source, value, diagnostics };
}

/** yaml's messages end with their own "at line X, column Y" and excerpt; we print our own. */
function yamlMessage(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** A diagnostic placed at a character range of the source text. */
export function positioned(source: ConfigDocument, d: Diagnostic, start: number, end: number): Diagnostic {
  const from = source.lines.linePos(Math.min(start, source.text.length));
  const to = source.lines.linePos(Math.min(Math.max(end, start), source.text.length));
  return { ...d, file: source.file, line: from.line, col: from.col, endLine: to.line, endCol: to.col, sourceLine: lineText(source.text, from.line) };
}

/** A diagnostic placed at the node a config path names (or its nearest enclosing node). */
export function at(source: ConfigDocument, path: PathSegment[], d: Omit<Diagnostic, 'file'>, options: { key?: boolean } = {}): Diagnostic {
  const loc = locate(source, path, options);
  if (!loc) return { ...d, path, file: source.file };
  return { ...d, path, file: source.file, line: loc.line, col: loc.col, endLine: loc.endLine, endCol: loc.endCol, sourceLine: lineText(source.text, loc.line) };
}

export function lineText(text: string, line: number): string {
  return (text.split(/\r?\n/)[line - 1] ?? '').replace(/\r$/, '');
}

/**
 * Finds the node at `path` (relative to the config base). With `key`, the last
 * segment's key is located instead of its value (for "unknown key" errors).
 */
export function locate(source: ConfigDocument, path: PathSegment[], options: { key?: boolean } = {}): Location | undefined {
  const full = [...source.base, ...path];
  let node: unknown = source.doc.contents;
  let found: Node | undefined = isNodeWithRange(node) ? node : undefined;
  let exact = true;
  for (let i = 0; i < full.length; i++) {
    if (isAlias(node)) node = node.resolve(source.doc);
    const segment = full[i];
    const last = i === full.length - 1;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === String(segment));
      if (!pair) {
        exact = false;
        break;
      }
      if (last && options.key && isNodeWithRange(pair.key)) {
        found = pair.key;
        break;
      }
      // A key with no value (`to:`) has a null value node, or none: point at the key.
      next = pair.value ?? pair.key;
      if (pair.value === null || pair.value === undefined || (isScalar(pair.value) && !pair.value.range)) next = pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      if (next === undefined) {
        exact = false;
        break;
      }
    } else {
      exact = false;
      break;
    }
    node = next;
    if (isNodeWithRange(node)) found = node;
  }
  if (!found || !found.range) {
    return { line: 1, col: 1, endLine: 1, endCol: 1, exact: false };
  }
  const [start, valueEnd] = found.range;
  const from = source.lines.linePos(start);
  const to = source.lines.linePos(Math.max(valueEnd, start));
  return { line: from.line, col: from.col, endLine: to.line, endCol: to.col, exact };
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return undefined;
  return String(key);
}

function isNodeWithRange(node: unknown): node is Node {
  return typeof node === 'object' && node !== null && 'range' in node && Array.isArray((node as Node).range);
}

/** A readable name for a config path: device.port, sources[1].to, files["/config.json"]. */
export function pathName(path: PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out || 'config';
}
