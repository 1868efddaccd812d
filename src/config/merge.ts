/**
 * Profiles: how a named override is laid over the base config, and where a
 * merged value came from (so an error in it points at the profile's line, not
 * the base's). Rules: mappings merge key by key; lists and plain values
 * replace; inline files merge by board path, each file replaced whole, and
 * `null` removes a file.
 */
import { posix } from 'node:path';
import type { PathSegment } from './document.js';
import type { RawConfig, RawSettings } from './types.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property copy that never touches a prototype, whatever the keys are called. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Generic rule: mappings merge recursively, anything else in `over` replaces. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) setOwn(out, k, v);
  for (const [k, v] of Object.entries(over)) setOwn(out, k, Object.hasOwn(base, k) ? mergeValues(base[k], v) : v);
  return out;
}

/** Board paths as keys: `/config.json` and `//config.json` name the same file. */
function sameFileKey(key: string): string {
  return posix.normalize(key.replace(/\/+$/, '') || '/');
}

function mergeFiles(base: Record<string, unknown> | undefined, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base ?? {})) setOwn(out, k, v);
  for (const [k, v] of Object.entries(over)) {
    for (const existing of Object.keys(out)) if (sameFileKey(existing) === sameFileKey(k)) delete out[existing];
    if (v !== null) setOwn(out, k, v);
  }
  return out;
}

/** The base settings with `profile` laid over them; `profiles` itself is dropped. */
export function applyProfile(raw: RawConfig, profile: RawSettings | undefined): RawSettings {
  const { profiles: _profiles, $schema: _schema, ...base } = raw;
  if (!profile) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(profile)) {
    if (key === 'files' && isPlainObject(value)) out.files = mergeFiles(base.files as Record<string, unknown> | undefined, value);
    else out[key] = mergeValues((base as Record<string, unknown>)[key], value);
  }
  return out as RawSettings;
}

/**
 * Where the merged value at `path` was written: in the profile
 * (['profiles', NAME, ...path]) or in the base (path itself).
 */
export function originOf(path: PathSegment[], profile: RawSettings | undefined, name: string | null): PathSegment[] {
  if (!profile || name === null) return path;
  let node: unknown = profile;
  for (let i = 0; i < path.length; i++) {
    const segment = String(path[i]);
    if (!isPlainObject(node)) return ['profiles', name, ...path];
    let key: string | undefined = Object.hasOwn(node, segment) ? segment : undefined;
    if (key === undefined && i === 1 && path[0] === 'files') key = Object.keys(node).find((k) => sameFileKey(k) === sameFileKey(segment));
    if (key === undefined) return path;
    node = node[key];
    // Lists, plain values and whole inline files replace: everything beneath is the profile's.
    if (!isPlainObject(node) || (i === 1 && path[0] === 'files')) return ['profiles', name, ...path.slice(0, i), key, ...path.slice(i + 1)];
  }
  return ['profiles', name, ...path];
}
