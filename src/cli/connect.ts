/**
 * Opens the board a command talks to. Which board: --port (or BELAY_PORT),
 * else the project's belay.yaml `device.port` (for the chosen profile), else
 * auto; --baud likewise over `device.baud`. Where an emulated board's flash
 * lives is decided by port/emulator-dir.ts from what this file gathers: the
 * project's root (the folder of belay.yaml, if any) and the environment
 * (BELAY_EMULATOR_DIR, XDG_DATA_HOME, LOCALAPPDATA), which only cli/ reads.
 * --debug logs every byte of the conversation. Right after connecting, an
 * interrupted transaction is recovered (rolled forward or back) and the
 * command says what was done. Commands that only run code (exec, run,
 * reset) connect without the capability probe: they neither load the
 * filesystem engine nor look for an interrupted transaction, which the next
 * command that touches files recovers.
 *
 * The config layer (YAML, schema) loads only when it is needed: for the
 * port from belay.yaml, or for where an emulated board's project is; `belay
 * --port /dev/ttyACM0 exec ...` starts without it.
 *
 * After Ctrl-C (or a timeout) the board is interrupted and given a short
 * grace period to come back to its prompt; a board that does not (its
 * program disabled Ctrl-C) is left as it is, and the error says so.
 */
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { Device, ConnectOptions } from '../device/device.js';
import { BelayError, isBelayError } from '../errors.js';
import type { LoadedConfig } from '../config/types.js';
import { userDataDir, type EmulatorPlace } from '../port/emulator-dir.js';
import { parsePort } from '../port/spec.js';
import type { Context } from './context.js';
import type { Transport } from '../transport/types.js';
import type { RecoveryReport } from '../device/fs/index.js';
import { checkWindow } from '../device/link-window.js';

/** How long a board may take to stop its program and answer again, after Ctrl-C or a timeout. */
export const INTERRUPT_GRACE_MS = 2000;

export interface BoardSettings extends EmulatorPlace {
  port: string;
  baud?: number;
  /** Upload window (--window, else belay.yaml device.window); undefined: by link kind. */
  window?: number;
}

/** What the environment says about emulator folders (the only place the library's rule gets it from). */
export function emulatorEnvironment(env: NodeJS.ProcessEnv = process.env): Pick<EmulatorPlace, 'home' | 'dataDir'> {
  return {
    home: env.BELAY_EMULATOR_DIR || undefined,
    dataDir: userDataDir({ platform: process.platform, home: homedir(), xdgDataHome: env.XDG_DATA_HOME, localAppData: env.LOCALAPPDATA }),
  };
}

/** Where this command's emulated boards live: the project found from -C/-c, else the per-user folder. */
export async function emulatorPlace(ctx: Context): Promise<EmulatorPlace> {
  // Only where the project is matters here: a broken config must not hide the board.
  const { findConfig } = await import('../config/discover.js');
  const found = await findConfig(ctx.cwd, ctx.options.config).catch(() => null);
  return { projectDir: found ? dirname(found.file) : undefined, ...emulatorEnvironment() };
}

/** The project's config as the commands that deploy read it (plan, apply): required, with the environment for ${env:...}. */
export async function projectConfig(ctx: Context): Promise<LoadedConfig> {
  const { loadConfig } = await import('../config/index.js');
  const config = await loadConfig({ cwd: ctx.cwd, configPath: ctx.options.config, profile: ctx.options.profile, env: process.env });
  for (const warning of config.warnings) ctx.out.verbose(`config: ${warning.message}`);
  return config;
}

export async function boardSettings(ctx: Context): Promise<BoardSettings> {
  if (ctx.options.port) {
    // A serial port needs no project; an emulated board needs to know where its flash is.
    const place = parsePort(ctx.options.port).kind === 'emulator' ? await emulatorPlace(ctx) : {};
    return { port: ctx.options.port, baud: ctx.options.baud, window: ctx.options.window, ...place };
  }
  const { loadConfig } = await import('../config/index.js');
  const config = await loadConfig({ cwd: ctx.cwd, configPath: ctx.options.config, profile: ctx.options.profile, optional: true, env: process.env });
  for (const warning of config.warnings) ctx.out.verbose(`config: ${warning.message}`);
  return {
    port: config.device.port,
    baud: ctx.options.baud ?? config.device.baud,
    window: ctx.options.window ?? config.device.window,
    projectDir: config.configFile ? config.rootDir : undefined,
    ...emulatorEnvironment(),
  };
}

function printable(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('latin1')
    .replace(/[\x00-\x1f\x7f-\xff]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Connection options a command adds (the filesystem's transfer window, no probe for a command that only runs code...). */
export type CommandConnectOptions = Pick<ConnectOptions, 'fs' | 'probe'>;

export async function connect(ctx: Context, extra: CommandConnectOptions = {}): Promise<Device> {
  // Loads while the settings are worked out (a failed load surfaces below).
  const deviceModule = import('../device/device.js');
  deviceModule.catch(() => undefined);
  const { port, baud, window, projectDir, home, dataDir } = await boardSettings(ctx);
  if (window !== undefined) checkWindow(window, ctx.options.window !== undefined ? '--window' : 'device.window');
  ctx.out.verbose(`connecting to ${port}`);
  const { Device } = await deviceModule;
  const device = await Device.connect({
    port,
    baud,
    projectDir,
    emulatorHome: home,
    dataDir,
    signal: ctx.signal,
    ...extra,
    fs: { ...extra.fs, window: extra.fs?.window ?? window },
    log: ctx.options.debug ? (direction, bytes) => ctx.out.debug(`${direction === 'send' ? '>>' : '<<'} ${printable(bytes)}`) : undefined,
  });
  ctx.out.verbose(`connected to ${device.description}${device.boardPlatform ? ` (${device.boardPlatform})` : ''}`);
  if (extra.probe === false) return device;
  const upload = device.fs.window;
  ctx.out.verbose(`upload window ${upload.window} bytes: ${upload.reason}`);
  try {
    reportRecovery(ctx, await device.fs.recover({ signal: ctx.signal }));
  } catch (err) {
    await device.close().catch(() => undefined);
    throw err;
  }
  return device;
}

/** Says what recovery of an interrupted transaction did (nothing when there was none). */
function reportRecovery(ctx: Context, report: RecoveryReport): void {
  if (report.action === 'none') return;
  const show = (paths: string[]) => paths.map((p) => JSON.stringify(p)).join(', ');
  if (report.action === 'forward') {
    const written = report.written.length > 0 ? `, ${report.written.length} written from a batch` : '';
    ctx.out.info(`recovered: finished an interrupted commit (${report.renamed.length} renamed${written}, ${report.deleted.length} deleted)`);
  } else {
    ctx.out.info(`recovered: undid interrupted staging (${report.removed.length} staged file${report.removed.length === 1 ? '' : 's'} removed)`);
    if (report.restored.length > 0) ctx.out.info(`recovered: ${show(report.restored)} restored from ${report.restored.length === 1 ? 'its' : 'their'} verified staged copy`);
  }
  if (report.missing.length > 0) ctx.out.info(`warning: the journal named ${show(report.missing)}, found neither on the board`);
}

/** Opens the link to the board without starting a raw REPL session (`belay repl` talks to the board as a terminal does). */
export async function openLink(ctx: Context): Promise<Transport> {
  const { port, baud, projectDir, home, dataDir } = await boardSettings(ctx);
  ctx.out.verbose(`opening ${port}`);
  const { openTransport } = await import('../port/open.js');
  return openTransport({ port, baud, projectDir, emulatorHome: home, dataDir });
}

/** Runs `work` with a connected device and always closes it (within a grace period after an interrupt). */
export async function withDevice<T>(ctx: Context, work: (device: Device) => Promise<T>, extra: CommandConnectOptions = {}): Promise<T> {
  const device = await connect(ctx, extra);
  let result: T;
  try {
    result = await work(device);
  } catch (err) {
    const abandoned = isBelayError(err, 'ABORTED') || isBelayError(err, 'TIMEOUT');
    if (!abandoned) {
      await device.close();
      throw err;
    }
    if (await closeWithin(device, INTERRUPT_GRACE_MS)) throw err;
    throw new BelayError(err.code, `${err.message}; the board did not stop within ${INTERRUPT_GRACE_MS / 1000} s`, {
      detail: err.detail,
      hint: 'its program may have disabled Ctrl-C (micropython.kbd_intr(-1)) and may still be running: press its reset button, or unplug it and plug it in again',
      data: { ...err.data, boardStopped: false },
      cause: err,
    });
  }
  await device.close();
  return result;
}

/** Closes the device, or drops the link if the board is not back at its prompt in time; true when it came back. */
async function closeWithin(device: Device, graceMs: number): Promise<boolean> {
  const closing = device.close().then(
    () => true,
    () => true,
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const came = await Promise.race([closing, expired]);
  clearTimeout(timer);
  if (came) return true;
  await device.transport.close().catch(() => undefined);
  await closing;
  return false;
}
