/**
 * The CLI bundle's entry point (scripts/bundle-cli.mjs builds dist/cli/cli.js
 * from it): main.ts, the `belay` executable, loads the bundle and calls run.
 */
import { readFileSync } from 'node:fs';
import { runCli } from './program.js';
import { setCodeCacheSaver } from './compiler-off.js';

/** What the launcher (main.ts) offers the CLI. */
export interface Launcher {
  /** Writes V8's code cache for the bundle now, if this run is to write one. */
  saveCodeCache?: () => void;
}

/** Runs the CLI on `argv` (process.argv); resolves with the exit status. */
export async function run(argv: string[], launcher: Launcher = {}): Promise<number> {
  setCodeCacheSaver(launcher.saveCodeCache);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return runCli(argv, pkg.version);
}
