/**
 * A board on a serial port (USB CDC or a USB-UART bridge) through the
 * `serialport` package. The port is opened exclusively, so a second belay
 * cannot interleave bytes with the first; an unplugged cable closes the
 * transport with LINK_LOST.
 */
import { SerialPort } from 'serialport';
import { BelayError } from '../errors.js';
import { Listeners, WireCount, type Transport } from './types.js';

export const DEFAULT_BAUD = 115200;

export class SerialTransport implements Transport {
  readonly description: string;
  readonly wire = new WireCount();
  private readonly data = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<BelayError | undefined>();
  private isClosed = false;
  private closing = false;

  private constructor(private readonly port: SerialPort) {
    this.description = port.path;
    port.on('data', (chunk: Buffer) => {
      this.wire.received += chunk.length;
      this.data.emit(chunk);
    });
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.isClosed) return;
      this.isClosed = true;
      const lost = !this.closing;
      this.closeListeners.emit(lost ? new BelayError('LINK_LOST', `${this.description} disconnected${err ? `: ${err.message}` : ''}`) : undefined);
    });
    port.on('error', () => {
      // Errors surface through write() rejections and the close event.
    });
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
    if (!this.isClosed) {
      this.isClosed = true;
      this.closeListeners.emit(undefined);
    }
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
