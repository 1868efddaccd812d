/**
 * Board-path globs for `ignore` and `keep`, gitignore-like: `/data` is
 * anchored at the board root, `*.log` matches at any depth, and a pattern
 * that matches a folder covers everything inside it. Wildcards match hidden
 * names here (a kept `/data` keeps `/data/.state` too).
 */
import picomatch from 'picomatch';

/** Always ignored, on both sides: caches, OS litter, and belay's own records on the board. */
export const BUILTIN_IGNORE: readonly string[] = ['__pycache__', '.DS_Store', 'Thumbs.db', '/.belay'];

export type BoardMatcher = (boardPath: string) => string | undefined;

/**
 * `path` as the glob matchers should see it: picomatch's wildcards (`*`,
 * `**`) do not match a newline or other control character, so a file named
 * "new<LF>line.py" would slip past `**` unseen, neither deployed nor refused
 * nor excludable. Each control character stands as one ordinary character
 * here, so the wildcards take such a name like any other.
 */
export function globbable(path: string): string {
  // eslint-disable-next-line no-control-regex
  return path.replace(/[\x00-\x1f\x7f]/g, '\uFFFD');
}

/** A function returning the first pattern that covers `boardPath`, or undefined. */
export function boardMatcher(patterns: readonly string[]): BoardMatcher {
  const compiled = patterns.map((pattern) => {
    const trimmed = pattern.replace(/\/+$/, '') || '/';
    const anchored = trimmed.startsWith('/');
    const glob = anchored ? trimmed.replace(/^\/+/, '') : `**/${trimmed}`;
    if (glob === '') return { pattern, test: () => true };
    return { pattern, test: picomatch(glob, { dot: true }) };
  });
  return (boardPath) => {
    const parts = globbable(boardPath).split('/').filter(Boolean);
    // The path itself and every folder above it: a matched folder covers its contents.
    for (let n = parts.length; n >= 1; n--) {
      const candidate = parts.slice(0, n).join('/');
      for (const c of compiled) if (c.test(candidate)) return c.pattern;
    }
    return undefined;
  };
}

// Compiled once per pattern list: sync code asks about every path on the board.
const cache = new WeakMap<readonly string[], BoardMatcher>();
function cached(patterns: readonly string[]): BoardMatcher {
  let matcher = cache.get(patterns);
  if (!matcher) cache.set(patterns, (matcher = boardMatcher(patterns)));
  return matcher;
}

/** True when an `ignore` pattern (built-ins included) covers `boardPath`. */
export function isIgnored(config: { ignore: readonly string[] }, boardPath: string): boolean {
  return cached(config.ignore)(boardPath) !== undefined;
}

/** True when a `keep` pattern covers `boardPath`: the board owns it. */
export function isKept(config: { keep: readonly string[] }, boardPath: string): boolean {
  return cached(config.keep)(boardPath) !== undefined;
}
