/**
 * Serves a Transport (normally an emulated board) on a pseudo-terminal, so
 * serialport, mpremote or a terminal program can open it like a USB board.
 * socat creates the pty and relays its bytes through its stdin/stdout. We
 * hold the pty's far side open ourselves (never reading it), so a program
 * closing it does not end the pty: the path stays valid between connections
 * and the board keeps running. Should socat exit anyway, it is restarted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, openSync, rmSync } from 'node:fs';
import { BelayError } from '../errors.js';
import type { Transport } from '../transport/types.js';

export interface PtyBridge {
  /** The path other programs open. */
  readonly link: string;
  close(): Promise<void>;
}

/** Bytes a UART link's writer may have queued ahead of the line (a tty's output buffer). */
const UART_TTY_BUFFER = 4096;

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

function waitForLink(link: string, child: ChildProcess, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (existsSync(link)) return resolve();
      if (child.exitCode !== null) return reject(new BelayError('EMULATOR', `socat exited (status ${child.exitCode}) before creating ${link}`));
      if (Date.now() - started > timeoutMs) return reject(new BelayError('EMULATOR', `socat did not create ${link}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

export async function servePty(transport: Transport, link: string): Promise<PtyBridge> {
  if (!socatAvailable()) {
    throw new BelayError('EMULATOR', 'serving on a pseudo-terminal needs socat', { hint: 'install it: apt-get install socat (or brew install socat)' });
  }
  if (existsSync(link) && !lstatSync(link).isSymbolicLink()) {
    throw new BelayError('USAGE', `${link} exists and is not a link: refusing to replace it`);
  }
  let child: ChildProcess | undefined;
  let closing = false;
  let holder: number | undefined;

  const start = async (): Promise<void> => {
    rmSync(link, { force: true });
    // raw,echo=0: a transparent byte pipe; wait-slave: relay only while someone has it open.
    const proc = spawn('socat', ['-b', '65536', `PTY,link=${link},raw,echo=0,wait-slave`, 'STDIO'], { stdio: ['pipe', 'pipe', 'ignore'] });
    child = proc;
    // A USB board: read the next bytes only once the board took these, so a
    // board out of room holds the writer back through the pty, as USB does.
    // A UART: keep up to a tty buffer's worth on its way, so the line never
    // idles while the writer has bytes for it.
    const ahead = transport.link?.kind === 'usb' ? 0 : UART_TTY_BUFFER;
    let queued = 0;
    proc.stdout!.on('data', (chunk: Buffer) => {
      queued += chunk.length;
      if (queued > ahead) proc.stdout!.pause();
      transport
        .write(chunk)
        .catch(() => undefined)
        .finally(() => {
          queued -= chunk.length;
          if (queued <= ahead) proc.stdout!.resume();
        });
    });
    proc.stdin!.on('error', () => undefined);
    proc.on('exit', () => {
      if (!closing && !transport.closed) void start();
    });
    await waitForLink(link, proc);
    if (holder !== undefined) closeSync(holder);
    holder = openSync(link, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  };

  const offData = transport.onData((chunk) => {
    if (child?.stdin?.writable) child.stdin.write(chunk);
  });
  // The board went away (cable cut, power lost): the pty goes too, so the
  // program on the other side sees a disconnection, as with a USB device.
  const offClose = transport.onClose(() => {
    closing = true;
    child?.kill();
    if (holder !== undefined) closeSync(holder);
    holder = undefined;
  });
  await start();

  return {
    link,
    async close() {
      closing = true;
      offData();
      offClose();
      const proc = child;
      if (proc && proc.exitCode === null) {
        await new Promise<void>((resolve) => {
          proc.once('exit', () => resolve());
          proc.kill();
        });
      }
      if (holder !== undefined) closeSync(holder);
      holder = undefined;
      rmSync(link, { force: true });
    },
  };
}
