/**
 * Rendering diagnostics the way compilers do (`belay.yaml:3:9: error: ...`,
 * then the line and a caret under the offending text), and folding a list of
 * them into the one BelayError a failed load throws.
 */
import { relative, isAbsolute } from 'node:path';
import { BelayError, type ErrorCode } from '../errors.js';
import type { Diagnostic } from './types.js';

export interface FormatOptions {
  /** Paths are shown relative to this folder. */
  cwd?: string;
  /** Wraps text in a style (the CLI passes its colouring function). */
  style?: (style: 'bold' | 'dim' | 'red' | 'yellow' | 'cyan', text: string) => string;
}

export function displayPath(file: string, cwd?: string): string {
  if (!cwd || !isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' ? file : rel;
}

/** `file:LINE:COL: severity: message [CODE]`, the source line, a caret run, and the hint. */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const style = options.style ?? ((_s, t) => t);
  const where = d.file ? displayPath(d.file, options.cwd) + (d.line ? `:${d.line}:${d.col ?? 1}` : '') : 'config';
  const severity = d.severity === 'error' ? style('red', 'error') : style('yellow', 'warning');
  const lines = [`${style('bold', `${where}:`)} ${severity}: ${d.message} ${style('dim', `[${d.code}]`)}`];
  if (d.line && d.sourceLine !== undefined) {
    const gutter = String(d.line);
    const col = Math.max(1, d.col ?? 1);
    // Underline to the end of the node on its line, at least one caret.
    const lineEnd = d.sourceLine.length + 1;
    const end = d.endLine === d.line && d.endCol !== undefined ? Math.min(d.endCol, lineEnd) : lineEnd;
    const width = Math.max(1, end - col);
    const pad = ' '.repeat(gutter.length);
    lines.push(`  ${gutter} | ${d.sourceLine}`);
    lines.push(`  ${pad} | ${' '.repeat(col - 1)}${style(d.severity === 'error' ? 'red' : 'yellow', '^'.repeat(width))}`);
  }
  if (d.hint) lines.push(`  ${style('cyan', 'hint:')} ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostics(list: Diagnostic[], options: FormatOptions = {}): string {
  return list.map((d) => formatDiagnostic(d, options)).join('\n');
}

/** Errors first by position, so output reads top to bottom. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/**
 * The error a failed load throws: the first error's code and position in
 * `data`, every diagnostic in `data.diagnostics`, the formatted list in
 * `detail` (so the CLI prints each with its excerpt, once).
 */
export function diagnosticsError(diagnostics: Diagnostic[], cwd?: string): BelayError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const data = { file: first.file, line: first.line, col: first.col, path: first.path, diagnostics };
  if (errors.length === 1 && first.line === undefined) {
    // Nothing to point at (no config found, unknown profile): one plain message.
    return new BelayError(first.code as ErrorCode, first.message, { hint: first.hint, data });
  }
  const where = first.file ? displayPath(first.file, cwd) : 'config';
  return new BelayError(first.code as ErrorCode, `${where}: ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}`, {
    detail: formatDiagnostics(errors, { cwd }),
    data,
  });
}
