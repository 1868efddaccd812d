/**
 * A board on a serial port (USB CDC or a USB-UART bridge), opened through
 * serialport's native bindings (serial-port.ts says how). The port is
 * opened exclusively, so a second belay cannot interleave bytes with the
 * first; an unplugged cable closes the transport with LINK_LOST.
 *
 * The driver's hang-up does not always reach the port (a board that
 * vanished mid-exchange was then reported as a TIMEOUT, seconds later), so
 * the transport also watches the port's device node: once it is gone, the
 * link is lost.
 */
import { stat } from 'node:fs';
import { BelayError } from '../errors.js';
import { Listeners, WireCount, type Transport } from './types.js';
import { linkKindOfUsb, linkOfPort, type LinkInfo } from './link.js';
import { openPort, type OpenPort, type SerialDriver } from './serial-port.js';

export type { SerialDriver } from './serial-port.js';

export const DEFAULT_BAUD = 115200;

/** How often the device node is checked (a stat: cheap, and only while open). */
const WATCH_INTERVAL_MS = 500;

export class SerialTransport implements Transport {
  readonly wire = new WireCount();
  private readonly data = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<BelayError | undefined>();
  private isClosed = false;
  private closing = false;
  private watch?: NodeJS.Timeout;

  private constructor(
    readonly description: string,
    readonly link: LinkInfo,
  ) {}

  /** Once the port is open: lost when its device node goes. */
  private attach(port: OpenPort): void {
    this.port = port;
    this.watchDeviceNode();
  }

  private port!: OpenPort;

  /** Loses the link once the port's path is gone (a path that never was one, as COM3 on Windows, is not watched). */
  private watchDeviceNode(): void {
    stat(this.description, (err) => {
      if (err || this.isClosed || this.closing) return;
      this.watch = setInterval(() => {
        stat(this.description, (gone) => {
          if (!gone || gone.code !== 'ENOENT' || this.isClosed || this.closing) return;
          this.ended(new BelayError('LINK_LOST', `${this.description} disconnected: the port is gone`));
          void this.port.close().catch(() => undefined);
        });
      }, WATCH_INTERVAL_MS);
      // The watch never keeps the process alive by itself.
      this.watch.unref();
    });
  }

  private ended(error: BelayError | undefined): void {
    clearInterval(this.watch);
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeListeners.emit(error);
  }

  /**
   * Opens `path` exclusively at `baudRate`. `driver` chooses how the port is
   * driven (see serial-port.ts; default: native on Linux, serialport's
   * stream elsewhere).
   */
  static async open(path: string, baudRate = DEFAULT_BAUD, options: { driver?: SerialDriver } = {}): Promise<SerialTransport> {
    const serial = new SerialTransport(path, await linkOf(path, baudRate));
    const port = await openPort(
      path,
      baudRate,
      {
        data: (chunk) => {
          serial.wire.received += chunk.length;
          serial.data.emit(chunk);
        },
        lost: (err) => {
          if (!serial.closing) serial.ended(new BelayError('LINK_LOST', `${path} disconnected: ${err.message}`));
        },
      },
      options.driver,
    ).catch((err: Error) => {
      throw openError(path, err);
    });
    serial.attach(port);
    return serial;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: BelayError) => void): () => void {
    return this.closeListeners.add(listener);
  }

  write(bytes: Uint8Array): Promise<void> {
    // Closing counts as closed: a port being closed would never finish the write.
    if (this.isClosed || this.closing) return Promise.reject(new BelayError('LINK_LOST', `${this.description} is not connected`));
    // Resolves once the OS has the bytes. Waiting for them to leave the wire
    // (drain) would cost a round trip per write; the protocol's own flow
    // control is what keeps the board's buffer from overflowing.
    this.wire.sent += bytes.length;
    return this.port.write(Buffer.from(bytes)).catch((err: Error) => {
      throw new BelayError('LINK_LOST', `writing to ${this.description} failed: ${err.message}`, { cause: err });
    });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.closing = true;
    await this.port.close().catch(() => undefined);
    this.ended(undefined);
  }
}

/** The link kind from the port's USB ids: sysfs on Linux (cheap), the port listing elsewhere. */
async function linkOf(path: string, baud: number): Promise<LinkInfo> {
  if (process.platform === 'linux') return linkOfPort(path, baud);
  try {
    const { autoDetect } = await import('@serialport/bindings-cpp');
    const port = (await autoDetect().list()).find((candidate) => candidate.path === path);
    if (port?.vendorId) return { kind: linkKindOfUsb(port.vendorId, port.productId), baud, source: `USB ${port.vendorId}:${port.productId ?? '????'}` };
  } catch {
    // No listing: the link stays unknown, which is the safe assumption.
  }
  return { kind: 'unknown', baud, source: 'no USB ids' };
}

function openError(path: string, err: Error): BelayError {
  const text = err.message;
  if (/lock|busy|EBUSY|EAGAIN|temporarily unavailable/i.test(text)) {
    return new BelayError('PORT_BUSY', `${path} is in use by another program`, {
      hint: 'close the other program (another belay, mpremote, a serial terminal, an IDE) and try again',
      cause: err,
    });
  }
  if (/ENOENT|No such file|cannot find|not found/i.test(text)) {
    return new BelayError('PORT_NOT_FOUND', `no serial port at ${path}`, { hint: 'run `belay devices` to see the ports', cause: err });
  }
  if (/EACCES|permission/i.test(text)) {
    return new BelayError('PORT_OPEN_FAILED', `no permission to open ${path}`, {
      hint: 'on Linux, add yourself to the dialout (or uucp) group and log in again',
      cause: err,
    });
  }
  return new BelayError('PORT_OPEN_FAILED', `could not open ${path}: ${text}`, { cause: err });
}
