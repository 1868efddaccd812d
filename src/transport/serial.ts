/**
 * A board on a serial port (USB CDC or a USB-UART bridge) through the
 * `serialport` package. The port is opened exclusively, so a second belay
 * cannot interleave bytes with the first; an unplugged cable closes the
 * transport with LINK_LOST.
 *
 * The driver's hang-up does not always reach serialport (a board that
 * vanished mid-exchange was then reported as a TIMEOUT, seconds later), so
 * the transport also watches the port's device node: once it is gone, the
 * link is lost.
 */
import { stat } from 'node:fs';
import { SerialPort } from 'serialport';
import { BelayError } from '../errors.js';
import { Listeners, WireCount, type Transport } from './types.js';

export const DEFAULT_BAUD = 115200;

/** How often the device node is checked (a stat: cheap, and only while open). */
const WATCH_INTERVAL_MS = 500;

export class SerialTransport implements Transport {
  readonly description: string;
  readonly wire = new WireCount();
  private readonly data = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<BelayError | undefined>();
  private isClosed = false;
  private closing = false;
  private watch?: NodeJS.Timeout;

  private constructor(private readonly port: SerialPort) {
    this.description = port.path;
    port.on('data', (chunk: Buffer) => {
      this.wire.received += chunk.length;
      this.data.emit(chunk);
    });
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.closing) return this.ended(undefined);
      this.ended(new BelayError('LINK_LOST', `${this.description} disconnected${err ? `: ${err.message}` : ''}`));
    });
    port.on('error', () => {
      // Errors surface through write() rejections and the close event.
    });
    this.watchDeviceNode();
  }

  /** Loses the link once the port's path is gone (a path that never was one, as COM3 on Windows, is not watched). */
  private watchDeviceNode(): void {
    stat(this.port.path, (err) => {
      if (err || this.isClosed || this.closing) return;
      this.watch = setInterval(() => {
        stat(this.port.path, (gone) => {
          if (!gone || gone.code !== 'ENOENT' || this.isClosed || this.closing) return;
          this.ended(new BelayError('LINK_LOST', `${this.description} disconnected: the port is gone`));
          this.port.close(() => undefined);
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

  static async open(path: string, baudRate = DEFAULT_BAUD): Promise<SerialTransport> {
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(openError(path, err)) : resolve()));
    });
    return new SerialTransport(port);
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
    if (this.isClosed) return Promise.reject(new BelayError('LINK_LOST', `${this.description} is not connected`));
    // Resolves once the OS has the bytes. Waiting for them to leave the wire
    // (drain) would cost a round trip per write; the protocol's own flow
    // control is what keeps the board's buffer from overflowing.
    this.wire.sent += bytes.length;
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (err) => {
        if (err) return reject(new BelayError('LINK_LOST', `writing to ${this.description} failed: ${err.message}`, { cause: err }));
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.closing = true;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
    this.ended(undefined);
  }
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
