/**
 * Turns the merged, interpolated settings into a Config: defaults filled in,
 * local paths made absolute (relative to the config file's folder), board
 * paths normalised, inline files rendered to text. Problems found on the way
 * (missing folders, bad board paths, content and json both given) are
 * reported with the position they were written at.
 */
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import { checkBoardPath, type PathPurpose } from '../paths/board.js';
import { EMULATOR_NAME_RULE, emulatorNameIn, emulatorNameProblem } from '../port/spec.js';
import { report, type CheckContext } from './context.js';
import type { PathSegment } from './document.js';
import { pathName } from './document.js';
import { isPlainObject } from './merge.js';
import { BUILTIN_IGNORE } from './patterns.js';
import type { Secrets } from './secrets.js';
import type { Config, InlineFile, RawSettings, RawSource, SourceMapping } from './types.js';

export const DEFAULTS = {
  port: 'auto',
  baud: 115200,
  afterApply: 'none',
  conflicts: 'fail',
  prune: false,
} as const;

/** Sources used when the config has no `sources` key. */
export async function defaultSources(rootDir: string): Promise<RawSource[]> {
  const src = await stat(resolve(rootDir, 'src')).catch(() => undefined);
  if (src?.isDirectory()) return [{ from: 'src', to: '/' }];
  return [{ from: '.', to: '/', include: ['*.py', '*.mpy', 'lib/**'] }];
}

export interface Resolved {
  config: Config;
  /** For each resolved source, its index in the merged list (invalid ones are dropped). */
  sourceIndex: number[];
  /** For each resolved inline file, its key in the merged `files` mapping. */
  fileKeys: string[];
  /** Per source: whether it came from the defaults (no warnings about patterns nobody wrote). */
  implicitSources: boolean;
}

export async function resolveSettings(raw: RawSettings, ctx: CheckContext, secrets: Secrets): Promise<Resolved> {
  const implicitSources = raw.sources === undefined;
  const rawSources = raw.sources ?? (await defaultSources(ctx.rootDir));
  const sources: SourceMapping[] = [];
  const sourceIndex: number[] = [];
  for (let i = 0; i < rawSources.length; i++) {
    const mapping = await resolveSource(rawSources[i], ['sources', i], ctx);
    if (mapping) {
      sources.push(mapping);
      sourceIndex.push(i);
    }
  }
  const fileKeys: string[] = [];
  const files = resolveFiles(raw.files ?? {}, ctx, secrets, fileKeys);
  return {
    sourceIndex,
    fileKeys,
    config: {
      device: resolveDevice(raw.device ?? {}, ctx),
      sources,
      files,
      ignore: [...BUILTIN_IGNORE, ...(raw.ignore ?? [])],
      keep: [...(raw.keep ?? [])],
      prune: raw.prune ?? DEFAULTS.prune,
      conflicts: raw.conflicts ?? DEFAULTS.conflicts,
    },
    implicitSources,
  };
}

function resolveDevice(raw: NonNullable<RawSettings['device']>, ctx: CheckContext): Config['device'] {
  const port = (raw.port ?? DEFAULTS.port).trim();
  // Checked after interpolation: `${env:PORT}` may have expanded to nothing.
  if (port === '') report(ctx, ['device', 'port'], { code: 'CONFIG_INVALID', message: 'device.port is empty', hint: 'use "auto", a serial path, or "emulator"' });
  // The same emulator-name rule as --port (port/spec.ts).
  const name = emulatorNameIn(port);
  const problem = name === undefined ? undefined : emulatorNameProblem(name);
  if (problem) {
    report(ctx, ['device', 'port'], { code: 'CONFIG_INVALID', message: `emulator name ${JSON.stringify(name)} in "${port}" ${problem}`, hint: `write "emulator" or "emulator:NAME", NAME being ${EMULATOR_NAME_RULE}` });
  }
  const device: Config['device'] = { port, baud: raw.baud ?? DEFAULTS.baud, afterApply: raw.afterApply ?? DEFAULTS.afterApply };
  if (typeof raw.window === 'number') device.window = raw.window;
  // A key file, like a source, is relative to the config file's folder.
  if (raw.requireSignature != null) device.requireSignature = resolve(ctx.rootDir, raw.requireSignature);
  return device;
}

/**
 * The board path a config names, by the one board-path rule (paths/board.ts)
 * with `absolute` required, or undefined after reporting why not. On top of
 * the rule, a "\\" is reported as a slip of a Windows hand, with the "/" form
 * suggested: legal in a board name, but never what a config author meant.
 */
export function configBoardPath(input: string, path: PathSegment[], ctx: CheckContext, purpose: PathPurpose, key = false): string | undefined {
  if (input.includes('\\')) {
    const fixed = checkBoardPath(input.replace(/\\/g, '/'), { absolute: true, purpose });
    const suggestion = fixed.ok ? fixed.path : undefined;
    report(ctx, path, { code: 'PATH_INVALID', message: `board path "${input}" uses "\\"; board paths use "/"`, suggestion, hint: suggestion ? `did you mean "${suggestion}"?` : undefined, key });
    return undefined;
  }
  const result = checkBoardPath(input, { absolute: true, purpose });
  if (!result.ok) {
    report(ctx, path, {
      code: result.code,
      message: `board path "${input}" ${result.reason}`,
      suggestion: result.suggestion,
      hint: result.suggestion ? `did you mean "${result.suggestion}"?` : undefined,
      key,
    });
    return undefined;
  }
  return result.path;
}

/** The source's stat, or undefined after reporting that it is missing or unreadable. */
async function statSource(given: string, fromPath: PathSegment[], ctx: CheckContext): Promise<Stats | undefined> {
  const info = await stat(resolve(ctx.rootDir, given)).catch((err: NodeJS.ErrnoException) => err);
  if (!(info instanceof Error)) return info;
  const missing = info.code === 'ENOENT' || info.code === 'ENOTDIR';
  report(ctx, fromPath, {
    code: 'CONFIG_INVALID',
    message: missing ? `source "${given}" does not exist` : `source "${given}" cannot be read (${info.code})`,
    hint: missing ? `paths are relative to the config file's folder (${ctx.rootDir})` : undefined,
  });
  return undefined;
}

/**
 * For a config that failed its schema check (which stops the full check):
 * still reports the sources that do not exist, so one run of `belay
 * validate` shows every problem to fix. Only plain `from` strings are
 * looked at (no ${...}: those are resolved later, after the schema).
 */
export async function reportMissingSources(raw: unknown, ctx: CheckContext): Promise<void> {
  const sources = raw !== null && typeof raw === 'object' ? (raw as { sources?: unknown }).sources : undefined;
  if (!Array.isArray(sources)) return;
  for (let i = 0; i < sources.length; i++) {
    const entry: unknown = sources[i];
    const from = typeof entry === 'string' ? entry : entry !== null && typeof entry === 'object' ? (entry as { from?: unknown }).from : undefined;
    if (typeof from !== 'string' || from === '' || from.includes('${') || from.includes('\u0000')) continue;
    await statSource(from, ['sources', i, 'from'], ctx);
  }
}

async function resolveSource(raw: RawSource, path: PathSegment[], ctx: CheckContext): Promise<SourceMapping | undefined> {
  const entry = typeof raw === 'string' ? { from: raw } : raw;
  // A bare string has no `from` node: positions fall back to the string itself.
  const fromPath = [...path, 'from'];
  const from = resolve(ctx.rootDir, entry.from);
  if (entry.from.includes('\u0000')) {
    report(ctx, fromPath, { code: 'PATH_INVALID', message: `${pathName(fromPath)} contains a NUL character` });
    return undefined;
  }
  const info = await statSource(entry.from, fromPath, ctx);
  if (!info) return undefined;
  if (!info.isDirectory() && !info.isFile()) {
    report(ctx, fromPath, { code: 'CONFIG_INVALID', message: `source "${entry.from}" is neither a folder nor a file` });
    return undefined;
  }
  const kind = info.isDirectory() ? 'dir' : 'file';
  let to: string | undefined;
  if (kind === 'dir') to = configBoardPath(entry.to ?? '/', [...path, 'to'], ctx, 'dir');
  else {
    // A file goes to `/NAME` by default, or into a folder when `to` ends with "/".
    const raw = entry.to === undefined ? '/' : entry.to;
    const into = raw.endsWith('/') ? `${raw}${basename(from)}` : raw;
    to = configBoardPath(into, [...path, 'to'], ctx, 'file');
    for (const option of ['include', 'exclude'] as const) {
      if (entry[option] !== undefined) {
        report(ctx, [...path, option], { severity: 'warning', code: 'OPTION_UNUSED', message: `${option} has no effect: "${entry.from}" is a file`, key: true });
      }
    }
  }
  if (to === undefined) return undefined;
  return { from, kind, to, include: entry.include ?? ['**'], exclude: entry.exclude ?? [] };
}

function resolveFiles(raw: NonNullable<RawSettings['files']>, ctx: CheckContext, secrets: Secrets, keys: string[]): InlineFile[] {
  const out: InlineFile[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const path: PathSegment[] = ['files', key];
    const target = configBoardPath(key, path, ctx, 'file', true);
    if (value === null) continue; // removed by a profile
    let file: InlineFile | undefined;
    if (typeof value === 'string') file = { path: target ?? key, content: value, format: 'text', secret: false };
    else if (isPlainObject(value)) {
      const hasContent = Object.hasOwn(value, 'content');
      const hasJson = Object.hasOwn(value, 'json');
      if (hasContent === hasJson) {
        report(ctx, path, {
          code: 'CONFIG_SCHEMA',
          message: hasContent ? `inline file "${key}" gives both content and json; give one` : `inline file "${key}" needs content or json`,
          key: true,
        });
        continue;
      }
      const content = hasJson ? `${JSON.stringify(value.json, null, 2)}\n` : String(value.content);
      file = { path: target ?? key, content, format: hasJson ? 'json' : 'text', secret: value.secret === true };
    }
    if (!file || target === undefined) continue;
    if (file.secret) secrets.addFile(target, file.content);
    out.push(file);
    keys.push(key);
  }
  return out;
}
