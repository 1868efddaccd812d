/**
 * The configuration layer's public face: load and validate belay.yaml,
 * format its diagnostics, redact secrets, match board paths against
 * ignore/keep, list what a source deploys, and create a new project's config.
 */
export { loadConfig, validateConfig } from './load.js';
export { findConfig, SEARCH_PLACES, type FoundConfig } from './discover.js';
export { formatDiagnostic, formatDiagnostics, diagnosticsError, type FormatOptions } from './diagnostics.js';
export { Secrets, redactSecrets } from './secrets.js';
export { isIgnored, isKept, boardMatcher, BUILTIN_IGNORE } from './patterns.js';
export { listSourceFiles, type SourceFile, type SourceListing } from './walk.js';
export { DEFAULTS } from './resolve.js';
export { SCHEMA_URL, loadSchema } from './schema.js';
export { initProject, renderInitConfig, guessLayout, schemaLocation, publishedSchemaUrl, notDeployed, type InitOptions, type InitResult, type ProjectLayout } from './init.js';
export { toPrintable } from './printable.js';
export type {
  Config,
  LoadedConfig,
  LoadOptions,
  ValidationResult,
  Diagnostic,
  ConfigWarning,
  WarningCode,
  DeviceConfig,
  SourceMapping,
  InlineFile,
  AfterApply,
  ConflictPolicy,
  RawConfig,
} from './types.js';
