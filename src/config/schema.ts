/**
 * Checks a raw config against belay.config.schema.json (the same file editors
 * use for completion) and turns ajv's errors into positioned Diagnostics:
 * one per real mistake, unknown keys and enum values with "did you mean".
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { at, pathName, type ConfigDocument, type PathSegment } from './document.js';
import { suggest } from './suggest.js';
import type { Diagnostic } from './types.js';

/** The schema file sits at the package root, two folders above both src/config and dist/config. */
export const SCHEMA_URL = new URL('../../belay.config.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;
let schemaObject: Record<string, unknown> | undefined;

export function loadSchema(): Record<string, unknown> {
  schemaObject ??= JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
  return schemaObject;
}

function validator(): ValidateFunction {
  if (compiled) return compiled;
  // verbose: errors carry their parentSchema, where the allowed keys are.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, allowUnionTypes: true });
  // Annotation keywords editors understand (VS Code, yaml-language-server).
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  compiled = ajv.compile(loadSchema());
  return compiled;
}

/** Validates `value` (the config, `{}` for an empty file); every error becomes a Diagnostic. */
export function validateSchema(value: unknown, source: ConfigDocument): Diagnostic[] {
  const exotic = exoticValues(value, source);
  if (exotic.length) return exotic;
  const validate = validator();
  if (validate(value)) return [];
  const errors = relevant(validate.errors ?? []);
  return errors.map((err) => toDiagnostic(err, value, source));
}

/**
 * YAML tags can produce values JSON has no word for (!!binary bytes, !!set,
 * !!omap, !!timestamp): reported once each, instead of ajv seeing a byte
 * array as a mapping with a key per byte.
 */
function exoticValues(value: unknown, source: ConfigDocument, path: PathSegment[] = [], out: Diagnostic[] = []): Diagnostic[] {
  if (value instanceof Uint8Array || value instanceof Map || value instanceof Set || value instanceof Date) {
    const kind = value instanceof Uint8Array ? 'binary data' : value instanceof Date ? 'a timestamp' : value instanceof Map ? 'an ordered map' : 'a set';
    out.push(at(source, path, { severity: 'error', code: 'CONFIG_SCHEMA', message: `${pathName(path)} is ${kind} (a YAML tag); write a plain string, number, list or mapping` }));
  } else if (Array.isArray(value)) value.forEach((v, i) => exoticValues(v, source, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) exoticValues(v, source, [...path, k], out);
  return out;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/**
 * ajv reports every branch's failure. Keep what a person would call the
 * mistake: drop `type` errors where the value matched another allowed type
 * deeper down, and drop summary errors (allOf/anyOf/oneOf/if) entirely.
 */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const kept = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if', 'not', 'propertyNames'].includes(e.keyword));
  const seen = new Set<string>();
  return kept.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

function toDiagnostic(err: ErrorObject, root: unknown, source: ConfigDocument): Diagnostic {
  const path = pointerToPath(err.instancePath);
  const base = { severity: 'error' as const, code: 'CONFIG_SCHEMA' as const };
  const name = pathName(path);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((err.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = suggest(key, allowed);
      return at(source, [...path, key], {
        ...base,
        message: `unknown key "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        suggestion,
        hint: allowed.length ? `allowed here: ${allowed.join(', ')}` : undefined,
      }, { key: true });
    }
    case 'required': {
      const key = (err.params as { missingProperty: string }).missingProperty;
      return at(source, path, { ...base, message: `"${key}" is required here` });
    }
    case 'type': {
      const expected = ([] as string[]).concat((err.params as { type: string | string[] }).type);
      const words = expected.map((t) => TYPE_WORDS[t] ?? t);
      return at(source, path, { ...base, message: `${name} must be ${words.join(' or ')}, not ${describe(err.data)}` });
    }
    case 'enum': {
      const allowed = ((err.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const suggestion = typeof err.data === 'string' ? suggest(err.data, allowed) : undefined;
      return at(source, path, {
        ...base,
        message: `${name} must be one of ${allowed.join(', ')}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        suggestion,
      });
    }
    case 'pattern': {
      // Inside propertyNames, the key is the offender: ajv names it in propertyName.
      const custom = err.parentSchema?.patternErrorMessage;
      const key = err.propertyName;
      const message = typeof custom === 'string' ? custom : `${name} ${err.message}`;
      if (key !== undefined) return at(source, [...path, key], { ...base, message: `"${key}": ${message}` }, { key: true });
      return at(source, path, { ...base, message });
    }
    case 'minLength':
      if (err.propertyName !== undefined) return at(source, [...path, err.propertyName], { ...base, message: `${name} has an empty key` }, { key: true });
      return at(source, path, { ...base, message: `${name} must not be empty` });
    default:
      return at(source, path, { ...base, message: `${name} ${err.message ?? 'is invalid'}` });
  }
}
