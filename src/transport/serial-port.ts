/**
 * The open serial port under a SerialTransport, driven one of two ways:
 *
 *   native  serialport's native addon (@serialport/bindings-cpp) driven
 *           directly: its open (termios settings, exclusive lock), close
 *           and poller, with reads and writes on the file descriptor. The
 *           default on Linux: it loads one small module and the addon
 *           instead of serialport's streams, parsers and logging (about
 *           7 MB and 30 ms less at start-up).
 *   stream  serialport's own stream over the binding it detects for the
 *           platform: the default elsewhere (macOS, Windows).
 *
 * Either way the port says when data arrives and when it is lost (a read
 * or write error, a hang-up); closing it on purpose says nothing.
 */
import { readSync, writeSync } from 'node:fs';

export type SerialDriver = 'native' | 'stream';

export interface PortListeners {
  data(chunk: Buffer): void;
  /** The port went away by itself (unplugged, hung up, an I/O error); it is closed already. */
  lost(error: Error): void;
}

export interface OpenPort {
  write(bytes: Buffer): Promise<void>;
  /** Closes the port; resolves once the OS has it back (at once if it was lost). */
  close(): Promise<void>;
}

/** The driver used when none is asked for: native on Linux, where it is tested, else serialport's stream. */
export function defaultDriver(platform: NodeJS.Platform = process.platform): SerialDriver {
  return platform === 'linux' ? 'native' : 'stream';
}

export function openPort(path: string, baudRate: number, listeners: PortListeners, driver: SerialDriver = defaultDriver()): Promise<OpenPort> {
  return driver === 'native' ? NativePort.open(path, baudRate, listeners) : openStreamPort(path, baudRate, listeners);
}

/* ---------------------------------------------------------- native */

interface Poller {
  poll(events: number): void;
  stop(): void;
  destroy(): void;
}

/** What the addon offers (see @serialport/bindings-cpp's unix bindings, which wrap the same calls). */
interface NativeBinding {
  open(path: string, options: Record<string, unknown>, done: (error: Error | null, fd: number) => void): void;
  close(fd: number, done: (error: Error | null) => void): void;
  Poller: new (fd: number, onEvent: (error: Error | null, events: number) => void) => Poller;
}

const READABLE = 0b01;
const WRITABLE = 0b10;
/** Reads land in a pool this big; each chunk handed on is a view of it (no copy), as serialport's stream does. */
const POOL_SIZE = 64 * 1024;
const MIN_POOL_SPACE = 1024;
/** Errors that only mean "not now": wait until the descriptor is ready. */
const RETRY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** An errno code, for the retry test. */
function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? '';
}

let binding: NativeBinding | undefined;

async function nativeBinding(): Promise<NativeBinding> {
  // The addon module alone: the package's index would load every platform's
  // binding, its port listing (child_process, parsers) and its logger.
  binding ??= ((await import('@serialport/bindings-cpp/dist/serialport-bindings.js')) as { binding: NativeBinding }).binding;
  return binding;
}

class NativePort implements OpenPort {
  private closed = false;
  private readonly poller: Poller;
  private readonly waiting: Array<{ events: number; resolve: () => void; reject: (error: Error) => void }> = [];
  private writing: Promise<void> = Promise.resolve();
  private pool = Buffer.allocUnsafe(POOL_SIZE);
  private used = 0;

  private constructor(
    private readonly native: NativeBinding,
    private readonly fd: number,
    private readonly listeners: PortListeners,
  ) {
    this.poller = new native.Poller(fd, (error, events) => this.onPoll(error, events));
    void this.readLoop();
  }

  static async open(path: string, baudRate: number, listeners: PortListeners): Promise<NativePort> {
    const native = await nativeBinding();
    // The settings serialport's Linux binding opens with: 8N1, no flow control, exclusive.
    const options = { baudRate, dataBits: 8, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, xany: false, hupcl: true, lock: true, vmin: 1, vtime: 0 };
    const fd = await new Promise<number>((resolve, reject) => native.open(path, options, (error, fd) => (error ? reject(error) : resolve(fd))));
    return new NativePort(native, fd, listeners);
  }

  private onPoll(error: Error | null, events: number): void {
    if (error) return this.lose(error);
    for (const waiter of this.waiting.splice(0)) {
      if (waiter.events & events) waiter.resolve();
      else this.waiting.push(waiter);
    }
    if (this.waiting.length > 0) this.pollWaiting();
  }

  /** Resolves when the descriptor is readable or writable again. */
  private ready(events: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      this.pollWaiting();
    });
  }

  /** Polls for what every waiter waits for: a poll replaces the previous one's events, so a writer's wait must not end a reader's. */
  private pollWaiting(): void {
    let events = 0;
    for (const waiter of this.waiting) events |= waiter.events;
    this.poller.poll(events);
  }

  /**
   * Reads whenever the poller says the port is readable. The descriptor is
   * non-blocking, so reads and writes are plain system calls made on the
   * spot: through libuv's thread pool each cost a hand-off between threads
   * (a dozen futex calls), which an upload that waits for a one-byte credit
   * grant every few hundred bytes pays tens of thousands of times.
   */
  private async readLoop(): Promise<void> {
    while (!this.closed) {
      try {
        await this.ready(READABLE);
      } catch {
        return; // closed
      }
      if (this.pool.length - this.used < MIN_POOL_SPACE) {
        this.pool = Buffer.allocUnsafe(POOL_SIZE);
        this.used = 0;
      }
      const pool = this.pool;
      const start = this.used;
      let bytesRead: number;
      try {
        bytesRead = readSync(this.fd, pool, start, pool.length - start, null);
      } catch (error) {
        if (this.closed) return;
        if (RETRY.has(codeOf(error))) continue;
        return this.lose(error as Error);
      }
      // A tty reads 0 bytes only once it has hung up (unplugged).
      if (bytesRead === 0) return this.lose(new Error('the port hung up'));
      this.used += bytesRead;
      this.listeners.data(pool.subarray(start, start + bytesRead));
    }
  }

  write(bytes: Buffer): Promise<void> {
    const done = this.writing.then(() => this.writeAll(bytes));
    this.writing = done.catch(() => undefined);
    return done;
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.closed) throw new Error('Port is not open');
      try {
        offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
      } catch (error) {
        if (!RETRY.has(codeOf(error))) {
          this.lose(error as Error);
          throw error;
        }
        await this.ready(WRITABLE);
      }
    }
  }

  /** Closes the descriptor; every wait ends. */
  private async shut(): Promise<void> {
    this.closed = true;
    this.poller.stop();
    this.poller.destroy();
    const closedError = new Error('Port is not open');
    for (const waiter of this.waiting.splice(0)) waiter.reject(closedError);
    await new Promise<void>((resolve) => this.native.close(this.fd, () => resolve()));
  }

  private lose(error: Error): void {
    if (this.closed) return;
    void this.shut().then(() => this.listeners.lost(error));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.shut();
  }
}

/* ---------------------------------------------------------- stream */

async function openStreamPort(path: string, baudRate: number, listeners: PortListeners): Promise<OpenPort> {
  const [{ SerialPortStream }, { autoDetect }] = await Promise.all([import('@serialport/stream'), import('@serialport/bindings-cpp')]);
  const port = new SerialPortStream({ binding: autoDetect(), path, baudRate, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  let closing = false;
  port.on('data', (chunk: Buffer) => listeners.data(chunk));
  port.on('close', (error?: Error) => {
    if (!closing) listeners.lost(error ?? new Error('the port closed'));
  });
  // Errors surface through write() rejections and the close event.
  port.on('error', () => undefined);
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        port.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    close: () =>
      new Promise((resolve) => {
        if (!port.isOpen) return resolve();
        closing = true;
        port.close(() => resolve());
      }),
  };
}
