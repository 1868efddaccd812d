/**
 * Opens the board a command talks to. Which board: --port (or BELAY_PORT),
 * else the project's belay.yaml `device.port` (for the chosen profile), else
 * auto; --baud likewise over `device.baud`. The emulated board's flash lives
 * under the project's root (the folder of belay.yaml, or the working
 * directory without one). --debug logs every byte of the conversation.
 */
import { dirname } from 'node:path';
import { Device } from '../device/device.js';
import { findConfig, loadConfig } from '../config/index.js';
import type { Context } from './context.js';

export interface BoardSettings {
  port: string;
  baud?: number;
  projectDir: string;
}

export async function boardSettings(ctx: Context): Promise<BoardSettings> {
  if (ctx.options.port) {
    // An explicit port needs no valid config; only where the project is.
    const found = await findConfig(ctx.cwd, ctx.options.config).catch(() => null);
    return { port: ctx.options.port, baud: ctx.options.baud, projectDir: found ? dirname(found.file) : ctx.cwd };
  }
  const config = await loadConfig({ cwd: ctx.cwd, configPath: ctx.options.config, profile: ctx.options.profile, optional: true });
  for (const warning of config.warnings) ctx.out.verbose(`config: ${warning.message}`);
  return { port: config.device.port, baud: ctx.options.baud ?? config.device.baud, projectDir: config.rootDir };
}

function printable(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('latin1')
    .replace(/[\x00-\x1f\x7f-\xff]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export async function connect(ctx: Context): Promise<Device> {
  const { port, baud, projectDir } = await boardSettings(ctx);
  ctx.out.verbose(`connecting to ${port}`);
  const device = await Device.connect({
    port,
    baud,
    projectDir,
    signal: ctx.signal,
    log: ctx.options.debug ? (direction, bytes) => ctx.out.debug(`${direction === 'send' ? '>>' : '<<'} ${printable(bytes)}`) : undefined,
  });
  ctx.out.verbose(`connected to ${device.description} (${device.boardPlatform})`);
  return device;
}

/** Runs `work` with a connected device and always closes it. */
export async function withDevice<T>(ctx: Context, work: (device: Device) => Promise<T>): Promise<T> {
  const device = await connect(ctx);
  try {
    return await work(device);
  } finally {
    await device.close();
  }
}
