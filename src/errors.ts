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
  // apply's refusals of a saved plan (sync/stale.ts, sync/signing.ts)
  | 'PLAN_OTHER_BOARD'
  | 'PLAN_OTHER_PROFILE'
  | 'PLAN_CONFIG_CHANGED'
  | 'PLAN_STALE'
  | 'PLAN_SOURCES_CHANGED'
  | 'PLAN_SIGNATURE'
  | 'KEY_INVALID'
  // command line
  | 'USAGE'
  | 'EMULATOR'
  | 'INTERNAL';

/**
 * The structured facts (`data`) an error of each code carries, for programs
 * to read without parsing messages. Every field is optional unless noted:
 * the same code can be raised in several places. Codes not listed carry
 * free-form facts. Any code may carry more than its listed fields.
 */
export interface ErrorDataMap {
  /** The board raised an exception (protocol/board-exception.ts). */
  BOARD_EXCEPTION: { type: string; message: string; traceback: string; errno?: number; errnoName?: string };
  /** A filesystem operation failed on the board. */
  FS_ERROR: { path?: string; errno?: number; errnoName?: string };
  NO_SPACE: { path?: string; needed?: number; free?: number };
  VERIFY_FAILED: { path?: string };
  /** A local file or folder could not be read or written. */
  LOCAL_IO: { path?: string; errnoName?: string };
  PATH_INVALID: { path?: string; from?: string; to?: string };
  /** A wait ran out: the board was silent for timeoutMs, or a wall-clock deadline passed (`deadline: true`). */
  TIMEOUT: { waitingFor?: string; timeoutMs?: number; received?: number; deadline?: boolean };
  NOT_RAW_REPL: { port?: string; timeoutMs?: number };
  /** Interrupted; `boardStopped: false` when the board did not come back to its prompt in time. */
  ABORTED: { boardStopped?: boolean };
  PORT_AMBIGUOUS: { candidates?: string[] };
}

/** The data of an error with code C: its listed fields, and any others. */
export type ErrorData<C extends ErrorCode = ErrorCode> = (C extends keyof ErrorDataMap ? ErrorDataMap[C] : unknown) & Record<string, unknown>;

export interface BelayErrorOptions<C extends ErrorCode = ErrorCode> {
  /** Extra lines shown under the one-line message (a traceback, a source excerpt). */
  detail?: string;
  /** A next step the user can take. */
  hint?: string;
  cause?: unknown;
  /** Structured facts for programs (errno name, exception type, position...); see ErrorDataMap. */
  data?: ErrorData<C>;
}

export class BelayError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly detail?: string;
  readonly hint?: string;
  readonly data: ErrorData<C>;

  constructor(code: C, message: string, options: BelayErrorOptions<C> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BelayError';
    this.code = code;
    this.detail = options.detail;
    this.hint = options.hint;
    this.data = options.data ?? ({} as ErrorData<C>);
  }
}

/** True for a BelayError (of `code`, when given); narrows `data` to that code's facts. */
export function isBelayError<C extends ErrorCode = ErrorCode>(value: unknown, code?: C): value is BelayError<C> {
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
