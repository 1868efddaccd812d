#!/usr/bin/env node
/**
 * The `belay` executable: compiles the CLI bundle beside it (cli.js, built
 * from entry.ts by scripts/bundle-cli.mjs) through V8's code cache
 * (compile-cache.ts), runs it and exits with its status. Built as CommonJS
 * (dist/cli/package.json): a command starts without Node's ES module
 * loader, and the whole CLI is one script, not ~40 modules to resolve,
 * read, compile and link one by one.
 */
import nodePath from 'node:path';
import { compileBundle, userCacheDir } from './compile-cache.js';

// The launcher is CommonJS once built: __dirname and require are its own.
const file = nodePath.join(__dirname, 'cli.js');
const bundle = compileBundle(file, userCacheDir({ platform: process.platform, env: process.env }));
const module = { exports: {} as { run?: (argv: string[], launcher: { saveCodeCache: () => void }) => Promise<number> } };
(bundle.value as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, file, __dirname);

// The CLI may write the cache earlier, before it changes V8's flags (compiler-off.ts): save() writes once.
void module.exports.run!(process.argv, { saveCodeCache: () => bundle.save() }).then(async (status) => {
  bundle.save();
  // Exit at once rather than when the event loop drains: nothing is left to do,
  // and after a transfer tearing down the heap a large payload grew takes tens
  // of ms. Output is flushed first (pipes are asynchronous on some systems).
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(status);
});

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}
