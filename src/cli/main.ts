#!/usr/bin/env node
/** The `belay` executable: runs the CLI and exits with its status. */
import { readFileSync } from 'node:fs';
import { runCli } from './program.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const status = await runCli(process.argv, pkg.version);
process.exitCode = status;
