/**
 * Which file the emulated board's worker thread runs.
 *
 * From the build (dist/), the compiled board-worker.js beside this module.
 *
 * From the sources (vitest imports src/*.ts directly), a worker thread cannot
 * load TypeScript, and running dist/ instead would silently test whatever
 * was built last, not the code under test. So the worker's own sources
 * (board-worker.ts and every module it reaches by relative import) are
 * transpiled with the TypeScript compiler (a development dependency, always
 * there when sources run) into a cache folder named after a hash of their
 * content, with the .py files they read beside them. An edit gives a new
 * folder, an unchanged tree reuses the old one (no compiler loaded), and the
 * worker always runs exactly the sources under test, built or not. The
 * cache lives in node_modules/.cache, so the worker's package imports
 * resolve from there as from src/.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = 'board-worker';
let cached: string | undefined;

/** The absolute path of the worker's entry file. */
export function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return nodePath.join(nodePath.dirname(here), `${WORKER}.js`);
  cached ??= transpiledWorker(nodePath.resolve(nodePath.dirname(here), '..'), nodePath.join(nodePath.dirname(here), `${WORKER}.ts`));
  return cached;
}

/** Source files reached from `entry` by relative imports (paths relative to `srcRoot`), with the .py files in their folders. */
function workerSources(srcRoot: string, entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      queue.push(nodePath.resolve(nodePath.dirname(file), `${match[1]}.ts`));
    }
  }
  const folders = new Set([...seen].map((file) => nodePath.dirname(file)));
  for (const folder of folders) for (const name of readdirSync(folder)) if (name.endsWith('.py')) seen.add(nodePath.join(folder, name));
  return [...seen].map((file) => nodePath.relative(srcRoot, file)).sort();
}

function transpiledWorker(srcRoot: string, entry: string): string {
  const sources = workerSources(srcRoot, entry);
  const hash = createHash('sha256');
  for (const rel of sources) hash.update(`${rel}\0`).update(readFileSync(nodePath.join(srcRoot, rel))).update('\0');
  const cacheRoot = nodePath.join(srcRoot, '..', 'node_modules', '.cache', 'belay-emulator-worker');
  const target = nodePath.join(cacheRoot, hash.digest('hex').slice(0, 16));
  const entryOut = nodePath.join(target, nodePath.relative(srcRoot, entry).replace(/\.ts$/, '.js'));
  if (existsSync(entryOut)) return entryOut;

  // Loaded only on a cache miss: the compiler is large.
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  mkdirSync(cacheRoot, { recursive: true });
  // Written aside, then renamed into place whole: two test processes may race here.
  const staging = mkdtempSync(nodePath.join(cacheRoot, 'staging-'));
  for (const rel of sources) {
    const text = readFileSync(nodePath.join(srcRoot, rel), 'utf8');
    const out = nodePath.join(staging, rel.replace(/\.ts$/, '.js'));
    mkdirSync(nodePath.dirname(out), { recursive: true });
    if (!rel.endsWith('.ts')) writeFileSync(out, text);
    else {
      const { outputText } = ts.transpileModule(text, {
        fileName: rel,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
      });
      writeFileSync(out, outputText);
    }
  }
  // The cache root sits in node_modules, so "type": "module" must be said again for the .js files.
  writeFileSync(nodePath.join(staging, 'package.json'), '{ "type": "module" }\n');
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process got there first: its copy is identical
  }
  pruneCache(cacheRoot, target);
  return entryOut;
}

/** Keeps the few newest builds (a test run may still use one from a moment ago); every edit adds one. */
function pruneCache(cacheRoot: string, keep: string, count = 8): void {
  const builds = readdirSync(cacheRoot)
    .filter((name) => !name.startsWith('staging-'))
    .flatMap((name) => {
      const path = nodePath.join(cacheRoot, name);
      const info = statSync(path, { throwIfNoEntry: false }); // another process may prune too
      return info ? [{ path, time: info.mtimeMs }] : [];
    })
    .sort((a, b) => b.time - a.time);
  for (const old of builds.slice(count)) if (old.path !== keep) rmSync(old.path, { recursive: true, force: true });
}
