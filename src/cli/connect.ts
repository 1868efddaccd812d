/**
 * Opens the board a command talks to, from the global options: --port (or
 * BELAY_PORT, else auto), --baud, and --debug, which logs every byte of the
 * conversation to stderr.
 */
import { Device } from '../device/device.js';
import type { Context } from './context.js';

function printable(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('latin1')
    .replace(/[\x00-\x1f\x7f-\xff]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export async function connect(ctx: Context, options: { port?: string } = {}): Promise<Device> {
  const port = options.port ?? ctx.options.port ?? 'auto';
  ctx.out.verbose(`connecting to ${port}`);
  const device = await Device.connect({
    port,
    baud: ctx.options.baud,
    projectDir: ctx.cwd,
    signal: ctx.signal,
    log: ctx.options.debug ? (direction, bytes) => ctx.out.debug(`${direction === 'send' ? '>>' : '<<'} ${printable(bytes)}`) : undefined,
  });
  ctx.out.verbose(`connected to ${device.description} (${device.boardPlatform})`);
  return device;
}

/** Runs `work` with a connected device and always closes it. */
export async function withDevice<T>(ctx: Context, work: (device: Device) => Promise<T>, options: { port?: string } = {}): Promise<T> {
  const device = await connect(ctx, options);
  try {
    return await work(device);
  } finally {
    await device.close();
  }
}
