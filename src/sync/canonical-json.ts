/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit), arrays in their
 * order, `undefined` members left out. The same value always gives the same
 * text, so digests over it are stable and saved files diff cleanly in git.
 */

function sortedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortedValue(item)));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const member = (value as Record<string, unknown>)[key];
    // defineProperty: a key named "__proto__" stays a plain key.
    if (member !== undefined) Object.defineProperty(out, key, { value: sortedValue(member), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Compact canonical text (what digests are computed over). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedValue(value));
}

/** The same order, indented by two spaces with a final newline (what files hold). */
export function prettyCanonicalJson(value: unknown): string {
  return `${JSON.stringify(sortedValue(value), null, 2)}\n`;
}
