/**
 * The one error type of belay. Every failure that reaches a user or a library
 * caller is a BelayError with a stable `code`; tests and programs match codes,
 * never message wording. Layers add codes here rather than defining their own
 * error classes, so the CLI can render every failure the same way.
 */

export type ErrorCode =
  // transport: the link to the board
  | 'PORT_NOT_FOUND'
  | 'PORT_BUSY'
  | 'PORT_AMBIGUOUS'
  | 'PORT_OPEN_FAILED'
  | 'LINK_LOST'
  | 'DISCOVERY_UNAVAILABLE'
  // protocol: the raw REPL conversation
  | 'TIMEOUT'
  | 'PROTOCOL'
  | 'NOT_RAW_REPL'
  | 'ABORTED'
  // the board raised an exception while running our code
  | 'BOARD_EXCEPTION'
  // configuration (belay.yaml)
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_SYNTAX'
  | 'CONFIG_SCHEMA'
  | 'CONFIG_INVALID'
  | 'CONFIG_EXISTS'
  | 'PROFILE_UNKNOWN'
  | 'ENV_MISSING'
  // filesystem and transfers
  | 'FS_ERROR'
  | 'NO_SPACE'
  | 'VERIFY_FAILED'
  | 'LOCAL_IO'
  | 'LOCAL_SYMLINK'
  | 'PATH_INVALID'
  | 'PATH_RESERVED'
  // plans (sync/plan-file.ts, sync/make-plan.ts)
  | 'PLAN_INVALID'
  | 'PLAN_VERSION'
  | 'PLAN_INTEGRITY'
  | 'PLAN_CONFLICTS'
  | 'MANIFEST_INVALID'
  // command line
  | 'USAGE'
  | 'EMULATOR'
  | 'INTERNAL';

export interface BelayErrorOptions {
  /** Extra lines shown under the one-line message (a traceback, a source excerpt). */
  detail?: string;
  /** A next step the user can take. */
  hint?: string;
  cause?: unknown;
  /** Structured facts for programs (errno name, exception type, position...). */
  data?: Record<string, unknown>;
}

export class BelayError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly hint?: string;
  readonly data: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: BelayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BelayError';
    this.code = code;
    this.detail = options.detail;
    this.hint = options.hint;
    this.data = options.data ?? {};
  }
}

export function isBelayError(value: unknown, code?: ErrorCode): value is BelayError {
  return value instanceof BelayError && (code === undefined || value.code === code);
}

/** The error an aborted operation rejects with, carrying the signal's reason. */
export function abortError(signal: AbortSignal): BelayError {
  const reason = signal.reason;
  if (reason instanceof BelayError) return reason;
  return new BelayError('ABORTED', 'operation cancelled', { cause: reason });
}

/** Throws the abort error if the signal has fired. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}
