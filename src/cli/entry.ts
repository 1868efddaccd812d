/**
 * The CLI bundle's entry point (scripts/bundle-cli.mjs builds dist/cli/cli.js
 * from it): main.ts, the `belay` executable, loads the bundle and calls run.
 */
import { readFileSync } from 'node:fs';
import { runCli } from './program.js';

/** Runs the CLI on `argv` (process.argv); resolves with the exit status. */
export async function run(argv: string[]): Promise<number> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return runCli(argv, pkg.version);
}
