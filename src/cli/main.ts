#!/usr/bin/env node
/** The `belay` executable: runs the CLI and exits with its status. */
import { readFileSync } from 'node:fs';
import { runCli } from './program.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const status = await runCli(process.argv, pkg.version);
// Exit at once rather than when the event loop drains: nothing is left to do,
// and after a transfer tearing down the heap a large payload grew takes tens
// of ms. Output is flushed first (pipes are asynchronous on some systems).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(status);

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}
