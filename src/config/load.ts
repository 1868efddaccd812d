/**
 * The pipeline from a folder to a Config: find the file, parse it with
 * positions, check it against the schema, pick the profile, merge, expand
 * `${env:..}`, resolve paths, check the cross-cutting rules. Each stage
 * collects every problem it finds; a stage with errors stops the pipeline
 * (later stages would only report consequences). `validateConfig` returns the
 * diagnostics; `loadConfig` throws them as one BelayError.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BelayError } from '../errors.js';
import { displayPath, diagnosticsError, sortDiagnostics } from './diagnostics.js';
import { findConfig } from './discover.js';
import { parseConfigText, type ConfigDocument } from './document.js';
import { interpolateTree, type InterpolationProblem } from './interpolate.js';
import { applyProfile, originOf } from './merge.js';
import { report, type CheckContext } from './context.js';
import { reportMissingSources, resolveSettings } from './resolve.js';
import { checkRules } from './rules.js';
import { validateSchema } from './schema.js';
import { Secrets, SHORT_SECRET_LENGTH } from './secrets.js';
import { suggest } from './suggest.js';
import type { ConfigWarning, Diagnostic, LoadedConfig, LoadOptions, RawConfig, RawSettings, ValidationResult } from './types.js';

/** Every diagnostic for the config `options` point at; never throws for problems in the file. */
export async function validateConfig(options: LoadOptions): Promise<ValidationResult> {
  // The library reads no environment: the CLI passes process.env.
  const env = options.env ?? {};
  const requested = options.profile || env.BELAY_PROFILE || null;
  const fail = (diagnostics: Diagnostic[], configFile: string | null, profiles: string[] = []): ValidationResult => ({
    ok: !diagnostics.some((d) => d.severity === 'error'),
    configFile,
    profile: requested,
    profiles,
    diagnostics: sortDiagnostics(diagnostics),
  });

  let found;
  try {
    found = await findConfig(options.cwd, options.configPath);
  } catch (err) {
    if (err instanceof BelayError) return fail([{ severity: 'error', code: err.code, message: err.message }], null);
    throw err;
  }

  let source: ConfigDocument | null = null;
  let raw: RawConfig = {};
  const diagnostics: Diagnostic[] = [];
  if (!found) {
    if (!options.optional) {
      return fail([{ severity: 'error', code: 'CONFIG_NOT_FOUND', message: `no belay config found in ${options.cwd} or its parents`, hint: 'run "belay init" to create belay.yaml' }], null);
    }
  } else {
    let text: string;
    try {
      text = await readFile(found.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail([{ severity: 'error', code: 'CONFIG_NOT_FOUND', message: `cannot read ${displayPath(found.file, options.cwd)}: ${code ?? (err as Error).message}`, file: found.file }], found.file);
    }
    const parsed = parseConfigText(found.file, text, found.base);
    source = parsed.source;
    diagnostics.push(...parsed.diagnostics);
    for (const other of found.shadowed) {
      diagnostics.push({ severity: 'warning', code: 'CONFIG_SHADOWED', message: `${displayPath(other, options.cwd)} is ignored: ${displayPath(found.file, options.cwd)} comes first`, file: found.file });
    }
    if (diagnostics.some((d) => d.severity === 'error')) return fail(diagnostics, found.file);
    // An empty file is a valid config: every default.
    const value = parsed.value === undefined || parsed.value === null ? {} : parsed.value;
    diagnostics.push(...validateSchema(value, source));
    if (diagnostics.some((d) => d.severity === 'error')) {
      await reportMissingSources(value, { source, rootDir: dirname(found.file), origin: (path) => path, diagnostics });
      return fail(diagnostics, found.file);
    }
    raw = value as RawConfig;
  }

  const configFile = found?.file ?? null;
  const profiles = Object.keys(raw.profiles ?? {});
  let profile: RawSettings | undefined;
  if (requested !== null) {
    if (!Object.hasOwn(raw.profiles ?? {}, requested)) {
      const suggestion = suggest(requested, profiles);
      diagnostics.push({
        severity: 'error',
        code: 'PROFILE_UNKNOWN',
        message: `unknown profile "${requested}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        hint: profiles.length ? `known profiles: ${profiles.join(', ')}` : 'this config declares no profiles',
        suggestion,
        file: configFile ?? undefined,
      });
      return fail(diagnostics, configFile, profiles);
    }
    profile = raw.profiles![requested];
  }

  const merged = applyProfile(raw, profile);
  const ctx: CheckContext = {
    source,
    rootDir: configFile ? dirname(configFile) : options.cwd,
    origin: (path) => originOf(path, profile, requested),
    diagnostics,
  };
  const secrets = new Secrets();
  const problems: InterpolationProblem[] = [];
  const interpolated = interpolateTree(merged, env, secrets, problems) as RawSettings;
  for (const p of problems) report(ctx, p.path, { code: p.code, message: p.message, hint: p.hint });
  if (diagnostics.some((d) => d.severity === 'error')) return fail(redactAll(diagnostics, secrets), configFile, profiles);

  const resolved = await resolveSettings(interpolated, ctx, secrets);
  await checkRules(
    {
      config: resolved.config,
      sourceIndex: resolved.sourceIndex,
      fileKeys: resolved.fileKeys,
      implicitSources: resolved.implicitSources,
    },
    ctx,
  );
  // After redaction: the warning names secrets by label only, and must stay readable.
  const redacted = redactAll(diagnostics, secrets);
  warnShortSecrets(secrets, redacted, configFile);
  const sorted = sortDiagnostics(redacted);
  const ok = !sorted.some((d) => d.severity === 'error');
  const result: ValidationResult = { ok, configFile, profile: requested, profiles, diagnostics: sorted };
  if (ok) {
    result.config = {
      ...resolved.config,
      configFile,
      rootDir: ctx.rootDir,
      profile: requested,
      profiles,
      warnings: sorted.filter((d): d is ConfigWarning => d.severity === 'warning'),
      secrets,
    };
  }
  return result;
}

/**
 * The resolved config for `options`, or a BelayError carrying every
 * diagnostic (`data.diagnostics`) and the first error's code and position.
 */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const result = await validateConfig(options);
  if (!result.config) throw diagnosticsError(result.diagnostics, options.cwd);
  return result.config;
}

function warnShortSecrets(secrets: Secrets, diagnostics: Diagnostic[], file: string | null): void {
  // Labels, never values: the warning itself must not leak.
  const short = secrets.shortLabels(SHORT_SECRET_LENGTH);
  for (const label of short) {
    diagnostics.push({
      severity: 'warning',
      code: 'SECRET_SHORT',
      message: `secret ${label} is shorter than ${SHORT_SECRET_LENGTH} characters: it is hidden only where it stands alone, and a plan's hash of it is easy to guess`,
      file: file ?? undefined,
    });
  }
}

/** Messages may quote interpolated values; none may show a secret. */
function redactAll(list: Diagnostic[], secrets: Secrets): Diagnostic[] {
  if (secrets.size === 0) return list;
  return list.map((d) => ({
    ...d,
    message: secrets.redact(d.message),
    hint: d.hint === undefined ? undefined : secrets.redact(d.hint),
    sourceLine: d.sourceLine === undefined ? undefined : secrets.redact(d.sourceLine),
  }));
}
