/**
 * Opens the board a command talks to. Which board: --port (or BELAY_PORT),
 * else the project's belay.yaml `device.port` (for the chosen profile), else
 * auto; --baud likewise over `device.baud`. Where an emulated board's flash
 * lives is decided by port/emulator-dir.ts from what this file gathers: the
 * project's root (the folder of belay.yaml, if any) and the environment
 * (BELAY_EMULATOR_DIR, XDG_DATA_HOME, LOCALAPPDATA), which only cli/ reads.
 * --debug logs every byte of the conversation. Right after connecting, an
 * interrupted transaction is recovered (rolled forward or back) and the
 * command says what was done.
 */
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { Device, type ConnectOptions } from '../device/device.js';
import { findConfig, loadConfig } from '../config/index.js';
import type { LoadedConfig } from '../config/types.js';
import { userDataDir, type EmulatorPlace } from '../port/emulator-dir.js';
import type { Context } from './context.js';
import type { RecoveryReport } from '../device/fs/index.js';
import { checkWindow } from '../device/link-window.js';

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
  const found = await findConfig(ctx.cwd, ctx.options.config).catch(() => null);
  return { projectDir: found ? dirname(found.file) : undefined, ...emulatorEnvironment() };
}

/** The project's config as the commands that deploy read it (plan, apply): required, with the environment for ${env:...}. */
export async function projectConfig(ctx: Context): Promise<LoadedConfig> {
  const config = await loadConfig({ cwd: ctx.cwd, configPath: ctx.options.config, profile: ctx.options.profile, env: process.env });
  for (const warning of config.warnings) ctx.out.verbose(`config: ${warning.message}`);
  return config;
}

export async function boardSettings(ctx: Context): Promise<BoardSettings> {
  if (ctx.options.port) return { port: ctx.options.port, baud: ctx.options.baud, window: ctx.options.window, ...(await emulatorPlace(ctx)) };
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

/** Connection options a command adds (the filesystem's transfer window...). */
export type CommandConnectOptions = Pick<ConnectOptions, 'fs'>;

export async function connect(ctx: Context, extra: CommandConnectOptions = {}): Promise<Device> {
  const { port, baud, window, projectDir, home, dataDir } = await boardSettings(ctx);
  if (window !== undefined) checkWindow(window, ctx.options.window !== undefined ? '--window' : 'device.window');
  ctx.out.verbose(`connecting to ${port}`);
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
  ctx.out.verbose(`connected to ${device.description} (${device.boardPlatform})`);
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
    ctx.out.info(`recovered: finished an interrupted commit (${report.renamed.length} renamed, ${report.deleted.length} deleted)`);
  } else {
    ctx.out.info(`recovered: undid interrupted staging (${report.removed.length} staged file${report.removed.length === 1 ? '' : 's'} removed)`);
    if (report.restored.length > 0) ctx.out.info(`recovered: ${show(report.restored)} restored from ${report.restored.length === 1 ? 'its' : 'their'} verified staged copy`);
  }
  if (report.missing.length > 0) ctx.out.info(`warning: the journal named ${show(report.missing)}, found neither on the board`);
}

/** Runs `work` with a connected device and always closes it. */
export async function withDevice<T>(ctx: Context, work: (device: Device) => Promise<T>, extra: CommandConnectOptions = {}): Promise<T> {
  const device = await connect(ctx, extra);
  try {
    return await work(device);
  } finally {
    await device.close();
  }
}
