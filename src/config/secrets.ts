/**
 * The set of secret values a config produced (`${secret:NAME}` values and
 * inline files marked `secret: true`), and redaction of any text or value
 * that might contain them. Plan files, `belay config` and diffs go through
 * here so a secret is never printed or stored.
 */

export class Secrets {
  /** value -> label shown in its place. */
  private readonly labels = new Map<string, string>();
  /**
   * Board paths whose whole content is secret (inline files with `secret: true`).
   * Diff views hide these files' diffs entirely rather than line by line.
   */
  readonly paths = new Set<string>();

  /** Records a secret value; empty values are ignored (nothing to hide). */
  add(value: string, label: string): void {
    if (value === '') return;
    if (!this.labels.has(value)) this.labels.set(value, label);
    // The same value may reach text JSON-escaped (inside a serialised config.json
    // or a plan file), so the escaped spelling is hidden too.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value && !this.labels.has(escaped)) this.labels.set(escaped, label);
  }

  /** Records a whole file's content as secret, under its board path. */
  addFile(path: string, content: string): void {
    this.paths.add(path);
    this.add(content, path);
    // A diff shows the text without its final newline.
    this.add(content.replace(/\r?\n$/, ''), path);
  }

  /** Labels of secrets shorter than `length` characters. */
  shortLabels(length: number): string[] {
    const out = new Set<string>();
    for (const [value, label] of this.labels) if (value.length < length) out.add(label);
    return [...out];
  }

  get size(): number {
    return this.labels.size;
  }

  /** True when `text` contains any secret value. */
  leaks(text: string): boolean {
    for (const value of this.labels.keys()) if (text.includes(value)) return true;
    return false;
  }

  /** Replaces every secret value in `text` with `<secret:LABEL>`. */
  redact(text: string): string {
    if (this.labels.size === 0) return text;
    // Longest first, so a secret containing another secret is hidden whole.
    const values = [...this.labels.keys()].sort((a, b) => b.length - a.length);
    let out = text;
    for (const value of values) {
      if (out.includes(value)) out = out.split(value).join(`<secret:${this.labels.get(value)}>`);
    }
    return out;
  }
}

/**
 * A deep copy of `value` with every secret replaced, in strings and in object
 * keys. Plan-file writers call this before serialising; bytes (Uint8Array) are
 * copied untouched, so plans should store hashes, not file bytes.
 */
export function redactSecrets<T>(value: T, config: { secrets: Secrets }): T {
  return redactWith(value, config.secrets, new WeakMap()) as T;
}

function redactWith(value: unknown, secrets: Secrets, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return secrets.redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array || value instanceof Date) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(redactWith(item, secrets, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(redactWith(k, secrets, seen), redactWith(v, secrets, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(redactWith(v, secrets, seen));
    return out;
  }
  if (value instanceof Secrets) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) {
    // defineProperty, so a key named "__proto__" stays a plain key.
    Object.defineProperty(out, secrets.redact(k), { value: redactWith(v, secrets, seen), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
