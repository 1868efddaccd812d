/**
 * The built `belay` binary, run as a user runs it, in a clean environment
 * (no colour, no board or profile leaking in from the developer's shell, a
 * private per-user data folder, so an emulated board outside a project
 * belongs to one test and never to the real user), against an emulated
 * board reached two ways:
 *   in-process  `--port emulator`: the CLI runs the board itself, from the
 *               project's flash folder, for the length of one command
 *   pty         the test serves a board on a pseudo-terminal (socat), and the
 *               CLI opens it with the real serialport stack, as it would a
 *               USB board: the board keeps running between commands
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { servePty } from '../../src/emulator/pty-bridge.js';
import { tempDir } from './boards.js';
import { HAS_SOCAT } from './socat.js';

export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export type CliLink = 'in-process' | 'pty';
/** The pty link only where socat is installed (test/helpers/socat.ts). */
export const CLI_LINKS: CliLink[] = HAS_SOCAT ? ['in-process', 'pty'] : ['in-process'];

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Read stdout as latin1 (one char per byte), for binary output. */
  binary?: boolean;
}


const homes = new Map<string, string>();

/** A private user folder per key (a test's working folder): the same key gets the same folder. */
export function userHomeFor(key: string): string {
  let home = homes.get(key);
  if (!home) homes.set(key, (home = mkdtempSync(join(tmpdir(), 'belay-home-'))));
  return home;
}

let cacheHome: string | undefined;

/**
 * One cache folder for every CLI run of this test process (the CLI keeps
 * its compiled code there, see src/cli/compile-cache.ts), as one user's
 * runs share theirs; outside the private user folders, which tests inspect.
 */
function sharedCacheHome(): string {
  cacheHome ??= mkdtempSync(join(tmpdir(), 'belay-cache-'));
  return cacheHome;
}

/** process.env for a CLI run keyed by `key`, with `extra` on top. */
export function cliEnv(key: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = userHomeFor(key);
  return {
    ...process.env,
    NO_COLOR: '1',
    BELAY_PORT: '',
    BELAY_PROFILE: undefined,
    BELAY_EMULATOR_DIR: undefined,
    HOME: home,
    USERPROFILE: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: sharedCacheHome(),
    LOCALAPPDATA: join(home, 'AppData', 'Local'),
    ...extra,
  };
}

/** Runs `belay ARGS` in `cwd` (the environment keyed by `cwd`, plus `env`); never rejects. */
export function runBelay(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: cliEnv(cwd, env), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Runs belay to completion. */
export function belay(args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cliEnv(options.cwd, options.env), timeout: 60_000, maxBuffer: 64 * 1024 * 1024, encoding: options.binary ? 'latin1' : 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Starts belay and returns the child, for signals and pipes. */
export function spawnBelay(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cliEnv(options.cwd, options.env) });
}

/** The exit status of a child (signals count as 128 + number, as a shell reports them). */
export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGPIPE' ? 141 : 1)));
  });
}

/** Resolves with everything seen once `text` has appeared on the stream. */
export function waitFor(stream: NodeJS.ReadableStream, text: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(text)}; saw ${JSON.stringify(seen)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(seen);
      }
    };
    stream.on('data', onData);
  });
}

export function tempProject(prefix = 'belay-cli-'): string {
  return tempDir(prefix);
}

/** A board for CLI tests: the --port value that reaches it, and how to stop it. */
export interface CliBoard {
  link: CliLink;
  port: string;
  /** The host folder holding the board's files. */
  flash: string;
  /** Runs belay against this board, from `cwd`. */
  run(args: string[], options?: Partial<RunOptions>): Promise<Run>;
  spawn(args: string[], options?: Partial<RunOptions>): ChildProcess;
  close(): Promise<void>;
}

export async function cliBoard(link: CliLink, cwd: string, options: Partial<EmulatorOptions> = {}): Promise<CliBoard> {
  if (link === 'in-process') {
    // Where this project's emulated board keeps its files, as belay itself says.
    const flash = (await belay(['emulator', 'path'], { cwd })).stdout.trim();
    return {
      link,
      port: 'emulator',
      flash,
      run: (args, o = {}) => belay(['--port', 'emulator', ...args], { cwd, ...o }),
      spawn: (args, o = {}) => spawnBelay(['--port', 'emulator', ...args], { cwd, ...o }),
      close: async () => undefined,
    };
  }
  const flash = options.dir ?? join(tempDir('belay-cli-flash-'), 'flash');
  const board = await EmulatorTransport.open({ runMain: false, ...options, dir: flash });
  const bridge = await servePty(board, join(tempDir('belay-cli-pty-'), 'board'));
  return {
    link,
    port: bridge.link,
    flash,
    run: (args, o = {}) => belay(['--port', bridge.link, ...args], { cwd, ...o }),
    spawn: (args, o = {}) => spawnBelay(['--port', bridge.link, ...args], { cwd, ...o }),
    async close() {
      await bridge.close();
      await board.close();
    },
  };
}
