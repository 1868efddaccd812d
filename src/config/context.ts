/**
 * What resolve and rules share while checking one config: the document (for
 * positions), the folder paths resolve against, where each merged value was
 * written (base or profile), and the list problems are added to.
 */
import { at, type ConfigDocument, type PathSegment } from './document.js';
import type { Diagnostic, Severity, WarningCode } from './types.js';
import type { ErrorCode } from '../errors.js';

export interface CheckContext {
  source: ConfigDocument | null;
  rootDir: string;
  origin: (path: PathSegment[]) => PathSegment[];
  diagnostics: Diagnostic[];
}

export interface Report {
  severity?: Severity;
  code: ErrorCode | WarningCode;
  message: string;
  hint?: string;
  suggestion?: string;
  /** Point at the key rather than its value. */
  key?: boolean;
}

/** Adds a problem about the merged value at `path`, positioned where that value was written. */
export function report(ctx: CheckContext, path: PathSegment[], r: Report): void {
  const d: Omit<Diagnostic, 'file'> = {
    severity: r.severity ?? 'error',
    code: r.code,
    message: r.message,
    hint: r.hint,
    suggestion: r.suggestion,
  };
  const written = ctx.origin(path);
  ctx.diagnostics.push(ctx.source ? at(ctx.source, written, d, { key: r.key }) : { ...d, path: written });
}
