/**
 * Throwaway projects for config tests: a temp folder (marked as a repository
 * root so discovery never wanders into the real filesystem above it) filled
 * with the given files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import type { Diagnostic } from '../../src/config/index.js';

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** Creates a project; a key ending in "/" makes an empty folder. */
export function project(files: Record<string, string> = {}, options: { git?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'belay-config-'));
  made.push(dir);
  if (options.git !== false) mkdirSync(join(dir, '.git'));
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) mkdirSync(join(dir, path), { recursive: true });
    else {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  }
  return dir;
}

/** The facts tests assert: code, line, column (never wording). */
export function where(list: Diagnostic[], severity?: 'error' | 'warning'): Array<[string, number | undefined, number | undefined]> {
  return list.filter((d) => !severity || d.severity === severity).map((d) => [d.code, d.line, d.col]);
}

/** A minimal valid source tree. */
export const SRC = { 'src/main.py': 'print(1)\n' };
