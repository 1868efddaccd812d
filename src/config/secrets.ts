/**
 * The set of secret values a config produced (`${secret:NAME}` values and
 * inline files marked `secret: true`), and redaction of any text or value
 * that might contain them. Plan files, `belay config` and diffs go through
 * here so a secret is never printed or stored.
 */

/**
 * Secrets this long are hidden wherever they occur: text that merely
 * happens to contain them is too unlikely to matter. Shorter ones are hidden
 * only where they stand as a value of their own (not inside a longer word or
 * number), so a one-letter secret `k` never turns `/key.txt` into garbage.
 */
export const MASK_ANYWHERE_LENGTH = 8;

/** Secrets shorter than this draw a warning: hard to mask, and guessable from a plan's hash. */
export const SHORT_SECRET_LENGTH = 4;

interface Needle {
  text: string;
  replacement: string;
  anywhere: boolean;
}

const WORD = /[\p{L}\p{N}_]/u;

/** True when `text[at..at+length)` is not glued to word characters on a side where the needle itself is a word character. */
function standsAlone(text: string, at: number, needle: string): boolean {
  const before = at > 0 ? text[at - 1] : '';
  const after = text[at + needle.length] ?? '';
  if (before && WORD.test(needle[0]) && WORD.test(before)) return false;
  if (after && WORD.test(needle[needle.length - 1]) && WORD.test(after)) return false;
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Secrets {
  /** value -> label shown in its place. */
  private readonly labels = new Map<string, string>();
  /** Interpolated strings holding a secret -> the same string with each secret part masked. */
  private readonly rendered = new Map<string, string>();
  private needles: Needle[] | undefined;
  private pattern: RegExp | undefined;
  /**
   * Board paths whose whole content is secret (inline files with `secret: true`).
   * Diff views hide these files' diffs entirely rather than line by line.
   */
  readonly paths = new Set<string>();

  /** Records a secret value; empty values are ignored (nothing to hide). */
  add(value: string, label: string): void {
    if (value === '') return;
    this.needles = undefined;
    if (!this.labels.has(value)) this.labels.set(value, label);
    // The same value may reach text JSON-escaped (inside a serialised config.json
    // or a plan file), so the escaped spelling is hidden too.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value && !this.labels.has(escaped)) this.labels.set(escaped, label);
  }

  /**
   * Records a string that interpolation built around secrets (`"https://u:${secret:P}@host"`),
   * with its masked rendering: wherever the whole string appears, its secret
   * parts are hidden, however short they are.
   */
  addRendered(value: string, masked: string): void {
    if (value === masked || this.labels.has(value)) return;
    this.needles = undefined;
    this.rendered.set(value, masked);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.rendered.set(escaped, JSON.stringify(masked).slice(1, -1));
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

  /** True when `text` shows any secret value (where redact would hide one). */
  leaks(text: string): boolean {
    return this.redact(text) !== text;
  }

  private search(): { needles: Needle[]; pattern: RegExp } | undefined {
    if (!this.needles) {
      const needles: Needle[] = [];
      for (const [value, masked] of this.rendered) needles.push({ text: value, replacement: masked, anywhere: value.length >= MASK_ANYWHERE_LENGTH });
      for (const [value, label] of this.labels) needles.push({ text: value, replacement: `<secret:${label}>`, anywhere: value.length >= MASK_ANYWHERE_LENGTH });
      // Longest first, so a secret containing another secret is hidden whole.
      needles.sort((a, b) => b.text.length - a.text.length);
      this.needles = needles;
      this.pattern = needles.length > 0 ? new RegExp(needles.map((n) => escapeRegExp(n.text)).join('|'), 'gu') : undefined;
    }
    return this.pattern ? { needles: this.needles, pattern: this.pattern } : undefined;
  }

  /**
   * Replaces every secret in `text` with `<secret:LABEL>`, in one pass (a
   * marker already written is never searched again). Short secrets only
   * where they stand alone; see MASK_ANYWHERE_LENGTH.
   */
  redact(text: string): string {
    const search = this.search();
    if (!search) return text;
    const { needles, pattern } = search;
    let out = '';
    let last = 0;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const at = match.index;
      const hit = needles.find((n) => text.startsWith(n.text, at) && (n.anywhere || standsAlone(text, at, n.text)));
      if (!hit) {
        pattern.lastIndex = at + 1;
        continue;
      }
      out += text.slice(last, at) + hit.replacement;
      last = at + hit.text.length;
      pattern.lastIndex = last;
    }
    return out + text.slice(last);
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
