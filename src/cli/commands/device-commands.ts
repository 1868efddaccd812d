/**
 * Commands that talk to a board directly: exec, run, info, devices, reset.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BelayError } from '../../errors.js';
import { action } from '../action.js';
import { withDevice } from '../connect.js';
import { formatBytes } from '../format.js';
import { listPorts } from '../../transport/discovery.js';
import type { BoardInfo } from '../../device/device.js';
import { EmulatorTransport } from '../../emulator/emulator-transport.js';
import type { Transport } from '../../transport/types.js';

function mpyVersion(mpy: number | null): string {
  if (mpy === null) return 'none';
  return `${mpy & 0xff}.${(mpy >> 8) & 3}`;
}

function renderInfo(info: BoardInfo, port: string): string {
  const yes = (flag: boolean) => (flag ? 'yes' : 'no');
  const f = info.features;
  return [
    `port          ${port}`,
    `firmware      ${info.implementation} ${info.version}${info.release ? ` (${info.release})` : ''}`,
    `platform      ${info.platform}`,
    `machine       ${info.machine ?? 'unknown'}`,
    `unique id     ${info.unique_id ?? 'none'}`,
    `mpy version   ${mpyVersion(info.mpy)}`,
    `free RAM      ${formatBytes(info.mem_free)}`,
    `filesystem    ${formatBytes(info.fs_size)} total, ${formatBytes(info.fs_free)} free`,
    `capabilities  hashlib ${yes(f.hashlib)}, binascii ${yes(f.binascii)}, deflate ${yes(f.deflate)}, sys.stdin.buffer ${yes(f.stdin_buffer)}, raw-paste ${yes(f.raw_paste)}`,
  ].join('\n');
}

export function registerDeviceCommands(program: Command): void {
  program
    .command('exec')
    .description('run Python code on the board and print its output')
    .argument('<code>', 'Python source, e.g. "print(6*7)"')
    .option('--timeout <seconds>', 'give up when the board stays silent this long', '30')
    .action(
      action(async (ctx, code: string) => {
        const opts = ctx.command.opts<{ timeout: string }>();
        const seconds = Number(opts.timeout);
        if (!(seconds > 0)) throw new BelayError('USAGE', '--timeout must be a positive number of seconds');
        await withDevice(ctx, async (device) => {
          await device.exec(code, {
            signal: ctx.signal,
            timeoutMs: seconds * 1000,
            onStdout: (chunk) => ctx.out.raw(chunk),
            discardStdout: true,
          });
        });
      }),
    );

  program
    .command('run')
    .description('run a local Python file on the board, streaming its output (Ctrl-C stops it)')
    .argument('<file>', 'local .py file')
    .action(
      action(async (ctx, file: string) => {
        const source = await readFile(resolve(ctx.cwd, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new BelayError('LOCAL_IO', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
        });
        await withDevice(ctx, async (device) => {
          await device.exec(source, { signal: ctx.signal, timeoutMs: Infinity, onStdout: (chunk) => ctx.out.raw(chunk), discardStdout: true });
        });
      }),
    );

  program
    .command('info')
    .description('describe the board: firmware, memory, filesystem, capabilities')
    .action(
      action(async (ctx) => {
        await withDevice(ctx, async (device) => {
          const info = await device.info({ signal: ctx.signal });
          if (ctx.options.json) ctx.out.json({ port: device.description, ...info });
          else ctx.out.data(renderInfo(info, device.description));
        });
      }),
    );

  program
    .command('devices')
    .description('list serial ports and whether they look like MicroPython boards')
    .action(
      action(async (ctx) => {
        const listing = await listPorts();
        if (listing.fallback) ctx.out.warn(listing.fallback);
        if (ctx.options.json) {
          ctx.out.json({ ports: listing.ports, fallback: listing.fallback ?? null });
          return;
        }
        if (listing.ports.length === 0) {
          ctx.out.data('no serial ports found (use --port emulator for the emulated board)');
          return;
        }
        for (const port of listing.ports) {
          const ids = port.vendorId ? `${port.vendorId}:${port.productId ?? '????'}` : 'no USB ids';
          const label = port.kind === 'micropython' ? 'MicroPython' : port.kind === 'usb-serial' ? 'USB serial bridge' : '';
          ctx.out.data(`${port.path}  ${ids}  ${port.manufacturer ?? ''}  ${label}`.replace(/\s+$/, ''));
        }
      }),
    );

  program
    .command('reset')
    .description('soft-reset the board (restart the interpreter, keep files); --hard resets the chip')
    .option('--hard', 'hard reset (machine.reset())')
    .option('--safe-boot', 'with --hard, on the emulated board: start without running boot.py and main.py')
    .action(
      action(async (ctx) => {
        const { hard, safeBoot } = ctx.command.opts<{ hard?: boolean; safeBoot?: boolean }>();
        if (safeBoot && !hard) throw new BelayError('USAGE', '--safe-boot goes with --hard');
        await withDevice(ctx, async (device) => {
          if (safeBoot) holdSafeBoot(device.transport);
          if (hard) {
            await device.hardReset({ signal: ctx.signal });
            ctx.out.info(`hard reset ${device.description}`);
          } else {
            const boot = await device.softReset({ signal: ctx.signal });
            if (boot.trim()) ctx.out.data(boot.trimEnd());
            ctx.out.info(`soft reset ${device.description}`);
          }
        });
      }),
    );
}

/** The emulated board's safe-boot button; boards have their own (or none). */
function holdSafeBoot(transport: Transport): void {
  if (!(transport instanceof EmulatorTransport)) {
    throw new BelayError('USAGE', '--safe-boot works on the emulated board only', {
      hint: "on a board, hold its safe-boot button while pressing reset, if it has one (see the board's documentation)",
    });
  }
  transport.holdSafeBoot();
}
