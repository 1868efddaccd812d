/**
 * `${env:NAME}` and `${secret:NAME}` in string values. Both read the
 * environment; a `secret` value is also recorded in the Secrets set so it is
 * never printed or stored. `${env:NAME:-fallback}` uses the fallback when NAME
 * is unset or empty (as in a shell), `$${...}` writes a literal `${...}`.
 * Runs once, on the merged config of the chosen profile, so an unused
 * profile's variables need not be set.
 */
import type { PathSegment } from './document.js';
import { isPlainObject } from './merge.js';
import type { Secrets } from './secrets.js';

export interface InterpolationProblem {
  path: PathSegment[];
  code: 'ENV_MISSING' | 'CONFIG_INVALID';
  message: string;
  hint?: string;
}

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolateString(
  text: string,
  env: Record<string, string | undefined>,
  secrets: Secrets,
  problems: InterpolationProblem[],
  path: PathSegment[],
): string {
  // Built twice in one pass: the value, and the value with each secret part
  // masked, so masking later hides exactly the secret parts of this string.
  let masked = '';
  let last = 0;
  let secret = false;
  const value = text.replace(REFERENCE, (whole: string, escape: string, body: string, offset: number) => {
    const piece = expand(whole, escape, body, env, problems, path);
    masked += text.slice(last, offset) + (piece.secret ? `<secret:${piece.secret}>` : piece.text);
    last = offset + whole.length;
    if (piece.secret) {
      secret = true;
      secrets.add(piece.text, piece.secret);
    }
    return piece.text;
  });
  if (secret) secrets.addRendered(value, masked + text.slice(last));
  return value;
}

/** One `${...}` reference: its text, and the secret's name when it is one. */
function expand(
  whole: string,
  escape: string,
  body: string,
  env: Record<string, string | undefined>,
  problems: InterpolationProblem[],
  path: PathSegment[],
): { text: string; secret?: string } {
  if (escape) return { text: whole.slice(1) };
  const match = /^(env|secret):([^:]*)(?::-([\s\S]*))?$/.exec(body);
  if (!match) {
    problems.push({
      path,
      code: 'CONFIG_INVALID',
      message: `unknown reference "\${${body}}"`,
      hint: 'write ${env:NAME} or ${secret:NAME}; for a literal "${", write "$${"',
    });
    return { text: whole };
  }
  const [, kind, name, fallback] = match;
  if (!NAME.test(name)) {
    problems.push({ path, code: 'CONFIG_INVALID', message: `"${name}" is not a valid variable name`, hint: 'names use letters, digits and _, and do not start with a digit' });
    return { text: whole };
  }
  const found = Object.hasOwn(env, name) ? env[name] : undefined;
  let value: string;
  if (fallback !== undefined) value = found === undefined || found === '' ? fallback : found;
  else if (found === undefined) {
    problems.push({
      path,
      code: 'ENV_MISSING',
      message: `environment variable ${name} is not set`,
      hint: `set ${name}, or give a fallback: \${${kind}:${name}:-VALUE}`,
    });
    return { text: whole };
  } else value = found;
  return kind === 'secret' && value !== '' ? { text: value, secret: name } : { text: value };
}

/** A copy of `value` with every string interpolated; keys are left alone. */
export function interpolateTree(
  value: unknown,
  env: Record<string, string | undefined>,
  secrets: Secrets,
  problems: InterpolationProblem[],
  path: PathSegment[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, secrets, problems, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolateTree(item, env, secrets, problems, [...path, i]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: interpolateTree(v, env, secrets, problems, [...path, k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
