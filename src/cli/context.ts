/**
 * The global options every command shares, and the Context handed to each
 * command's action: resolved options plus the Output to print through.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Output, wantsColor } from './output.js';

export interface GlobalOptions {
  port?: string;
  baud?: number;
  window?: number;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  color?: boolean;
  debug?: boolean;
  config?: string;
  cwd?: string;
  profile?: string;
}

export interface Context {
  options: GlobalOptions;
  out: Output;
  /** The working directory after -C/--cwd. */
  cwd: string;
  /** Fires on Ctrl-C; long operations pass it down and stop cleanly. */
  signal: AbortSignal;
  /** The command being run, for its own options (`ctx.command.opts()`). */
  command: Command;
  /** Fields a failure under --json carries besides `error` (exec: what the program printed). */
  jsonOnError?: Record<string, unknown>;
  /** Under --json the command prints one JSON object per line (apply's events): its error is one line too. */
  jsonLines?: boolean;
}

export function contextFrom(command: Command, signal: AbortSignal): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  // An empty BELAY_PORT / BELAY_PROFILE (`BELAY_PORT= belay ...`) means unset, as in a shell.
  if (options.port === '') options.port = undefined;
  if (options.profile === '') options.profile = undefined;
  const out = new Output({
    color: wantsColor(options.color),
    quiet: Boolean(options.quiet),
    verbose: Boolean(options.verbose),
    debug: Boolean(options.debug),
    json: Boolean(options.json),
  });
  return { options, out, cwd: resolve(process.cwd(), options.cwd ?? '.'), signal, command };
}
