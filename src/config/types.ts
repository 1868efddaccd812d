/**
 * The shapes of the configuration layer: what a user writes (Raw*), what the
 * rest of belay consumes (Config, LoadedConfig), and the Diagnostic every
 * problem found in a config file becomes, with its file and line:column.
 */
import type { ErrorCode } from '../errors.js';
import type { Secrets } from './secrets.js';

export type AfterApply = 'none' | 'soft-reset' | 'hard-reset';
export type ConflictPolicy = 'fail' | 'prefer-local' | 'prefer-board' | 'keep-both';

export const AFTER_APPLY: readonly AfterApply[] = ['none', 'soft-reset', 'hard-reset'];
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['fail', 'prefer-local', 'prefer-board', 'keep-both'];

/** A `sources` entry as written: a bare path, or the long form. */
export type RawSource = string | { from: string; to?: string; include?: string[]; exclude?: string[] };

/** An inline file as written: bare text, or the long form. `null` (profiles only) removes it. */
export type RawInlineFile = string | { content?: string; json?: unknown; secret?: boolean } | null;

/** The part of belay.yaml a profile may override. */
export interface RawSettings {
  device?: { port?: string; baud?: number; afterApply?: AfterApply; requireSignature?: string | null };
  sources?: RawSource[];
  files?: Record<string, RawInlineFile>;
  ignore?: string[];
  keep?: string[];
  prune?: boolean;
  conflicts?: ConflictPolicy;
}

/** belay.yaml as written (after the schema accepted it). */
export interface RawConfig extends RawSettings {
  $schema?: string;
  profiles?: Record<string, RawSettings>;
}

export interface DeviceConfig {
  /** `auto`, a serial path (`/dev/ttyACM0`, `COM3`) or `emulator[:NAME]`. */
  port: string;
  baud: number;
  afterApply: AfterApply;
  /** Absolute path of the public key a plan file must be signed with to be applied (undefined: signatures not required). */
  requireSignature?: string;
}

/** A local folder or file mapped onto the board, normalised. */
export interface SourceMapping {
  /** Absolute local path (resolved against the config file's folder). */
  from: string;
  /** Whether `from` is a folder or a single file. */
  kind: 'dir' | 'file';
  /** Absolute, normalised POSIX board path: the folder the tree lands in, or the file's path. */
  to: string;
  /** Globs relative to `from` (folders only); a file is deployed if it matches one include and no exclude. */
  include: string[];
  exclude: string[];
}

/** A file whose content is written in the config itself. */
export interface InlineFile {
  /** Absolute, normalised POSIX board path. */
  path: string;
  /** The file's text, interpolated; `json` entries are serialised with 2-space indent and a final newline. */
  content: string;
  /** How it was given: `text` (content) or `json` (structured value). */
  format: 'text' | 'json';
  /** The whole content is secret: never printed, redacted in plans. */
  secret: boolean;
}

export interface Config {
  device: DeviceConfig;
  sources: SourceMapping[];
  files: InlineFile[];
  /** Board-path globs never looked at on either side (built-ins first). */
  ignore: string[];
  /** Board-path globs the board owns: never overwritten or deleted. */
  keep: string[];
  /** Delete board files belay never deployed (default false: only what belay deployed is removed). */
  prune: boolean;
  conflicts: ConflictPolicy;
}

export type WarningCode =
  | 'PATTERN_UNMATCHED'
  | 'SOURCE_EMPTY'
  | 'NOTHING_TO_DEPLOY'
  | 'INLINE_IGNORED'
  | 'SECRET_SHORT'
  | 'CONFIG_SHADOWED'
  | 'OPTION_UNUSED'
  | 'YAML_WARNING';

export type Severity = 'error' | 'warning';

/** One problem in a config file. Positions are 1-based; absent when the problem has no place in the file. */
export interface Diagnostic {
  severity: Severity;
  code: ErrorCode | WarningCode;
  message: string;
  /** Absolute path of the file the position refers to. */
  file?: string;
  line?: number;
  col?: number;
  /** Where the offending text ends (same line or later), for a caret run. */
  endLine?: number;
  endCol?: number;
  /** Path of the offending value inside the document, e.g. ['sources', 0, 'to']. */
  path?: (string | number)[];
  /** A likely intended spelling ("did you mean"). */
  suggestion?: string;
  hint?: string;
  /** The text of the offending line, for the excerpt under the message. */
  sourceLine?: string;
}

export type ConfigWarning = Diagnostic & { severity: 'warning' };

export interface LoadedConfig extends Config {
  /** Absolute path of the file read, or null when none was found and `optional` was set. */
  configFile: string | null;
  /** Folder that relative paths in the config resolve against (the config file's folder). */
  rootDir: string;
  /** The profile applied, or null. */
  profile: string | null;
  /** Every profile the file declares. */
  profiles: string[];
  warnings: ConfigWarning[];
  /** The secret values found while interpolating, with `redact(text)`. */
  secrets: Secrets;
}

export interface LoadOptions {
  /** Where discovery starts, and what a relative `configPath` is relative to. */
  cwd: string;
  /** Read this file instead of searching (-c/--config). */
  configPath?: string;
  /** Profile to apply; falls back to env.BELAY_PROFILE. */
  profile?: string;
  /** Variables for `${env:..}` and `${secret:..}` (and BELAY_PROFILE); default none: pass process.env to use the environment. */
  env?: Record<string, string | undefined>;
  /** Return the defaults instead of failing with CONFIG_NOT_FOUND when no file is found. */
  optional?: boolean;
}

export interface ValidationResult {
  ok: boolean;
  configFile: string | null;
  profile: string | null;
  profiles: string[];
  diagnostics: Diagnostic[];
  /** The resolved config when there are no errors. */
  config?: LoadedConfig;
}
