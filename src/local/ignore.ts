/**
 * Names the local tree walker never looks at unless told to, and the
 * gitignore-like patterns that name them. The same list serves every walk
 * (`put -r`, config sources, the planner), so a deploy from belay.yaml and
 * a `put -r` of the same folder choose the same files.
 */
import picomatch from 'picomatch';

/**
 * The default ignores: version control, Python caches, OS litter, package
 * folders, belay's own project folder (emulator flash) and partial
 * downloads, editor swap and backup files. Documented in docs/files.md.
 */
export const DEFAULT_IGNORES: readonly string[] = Object.freeze([
  '.git/',
  '.hg/',
  '.svn/',
  '__pycache__/',
  '*.pyc',
  '.DS_Store',
  'Thumbs.db',
  'node_modules/',
  '.belay/',
  '.belay-part-*',
  '*.swp',
  '*.swo',
  '*~',
  '.#*',
  '#*#',
]);

export type EntryKind = 'file' | 'dir';

/** Returns the first pattern that covers an entry, or undefined. */
export type IgnoreMatcher = (relative: string, kind: EntryKind) => string | undefined;

/**
 * Compiles gitignore-like patterns over paths relative to a walked root
 * ("/"-separated): a pattern ending in "/" matches folders only; one
 * starting with "/" is anchored at the root; any other matches at any
 * depth ("*.pyc" covers "a/b/x.pyc"). Wildcards match hidden names.
 * The walker never enters an ignored folder, so it covers its contents.
 */
export function ignoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const compiled = patterns.map((pattern) => {
    const dirOnly = pattern.endsWith('/');
    const body = pattern.replace(/\/+$/, '');
    const glob = body.startsWith('/') ? body.replace(/^\/+/, '') : `**/${body}`;
    return { pattern, dirOnly, test: picomatch(glob, { dot: true }) };
  });
  return (relative, kind) => compiled.find((c) => (!c.dirOnly || kind === 'dir') && c.test(relative))?.pattern;
}
