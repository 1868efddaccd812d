/**
 * Commands that talk to a board directly: exec, run, info, devices, reset.
 * `exec` and `run` stream the program's output as it comes (under --json:
 * one {stdout, stderr} object at the end, also on failure).
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { BelayError, isBelayError } from '../../errors.js';
import { action, parseSeconds } from '../action.js';
import { withDevice } from '../connect.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format.js';
import type { BoardInfo } from '../../device/device.js';
import { DEFAULT_TIMEOUT_MS } from '../../protocol/raw-repl.js';
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

/**
 * exec, run and reset only run code: no capability probe, so the
 * filesystem engine stays unloaded and the board runs one program, not two.
 */
const CODE_ONLY = { probe: false } as const;

/** What `exec` and `run` print under --json, success or failure: the program's output as text. */
function outputJson(stdout: Buffer[], stderr: string): { stdout: string; stderr: string } {
  return { stdout: Buffer.concat(stdout).toString('utf8'), stderr };
}

interface RunOptions {
  timeoutMs?: number;
  filename?: string;
}

/** Runs code and streams its output (or, under --json, prints it once as {stdout, stderr}). */
async function runProgram(ctx: Context, code: string, options: RunOptions): Promise<void> {
  const collected: Buffer[] = [];
  const json = Boolean(ctx.options.json);
  await withDevice(ctx, async (device) => {
    try {
      await device.exec(code, {
        signal: ctx.signal,
        timeoutMs: options.timeoutMs,
        filename: options.filename,
        onStdout: (chunk) => (json ? collected.push(chunk) : ctx.out.raw(chunk)),
        discardStdout: true,
      });
    } catch (err) {
      if (json) {
        const traceback = isBelayError(err, 'BOARD_EXCEPTION') ? String(err.data.traceback ?? '') : '';
        ctx.jsonOnError = outputJson(collected, traceback);
      }
      throw err;
    }
  }, CODE_ONLY);
  if (json) ctx.out.json(outputJson(collected, ''));
}

export function registerDeviceCommands(program: Command): void {
  program
    .command('exec')
    .description('run Python code on the board and print its output')
    .argument('<code>', 'Python source, e.g. "print(6*7)"')
    .option('--timeout <seconds>', `interrupt the program after this long, wall clock (0: no limit; default: give up when the board is silent for ${DEFAULT_TIMEOUT_MS / 1000} s)`, parseSeconds)
    .action(
      action(async (ctx, code: string) => {
        const { timeout } = ctx.command.opts<{ timeout?: number }>();
        await runProgram(ctx, code, { timeoutMs: timeout });
      }),
    );

  program
    .command('run')
    .description('run a local Python file on the board, streaming its output (Ctrl-C stops it)')
    .argument('<file>', 'local .py file')
    .option('--no-follow', 'start the program and return at once, leaving it running on the board')
    .option('--timeout <seconds>', 'interrupt the program after this long, wall clock (default: no limit)', parseSeconds)
    .action(
      action(async (ctx, file: string) => {
        const { follow, timeout } = ctx.command.opts<{ follow: boolean; timeout?: number }>();
        const source = await readFile(resolve(ctx.cwd, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new BelayError('LOCAL_IO', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { data: { path: file, errnoName: err.code } });
        });
        const filename = basename(file);
        if (follow) {
          await runProgram(ctx, source, { timeoutMs: timeout ?? Infinity, filename });
          return;
        }
        await withDevice(ctx, async (device) => {
          await device.launch(source, { signal: ctx.signal, filename });
          if (ctx.options.json) ctx.out.json({ port: device.description, file, started: true });
          else ctx.out.info(`started ${file} on ${device.description}; it keeps running (the next belay command stops it)`);
        }, CODE_ONLY);
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
        const { listPorts } = await import('../../transport/discovery.js');
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
          if (safeBoot) await holdSafeBoot(device.transport);
          if (hard) {
            await device.hardReset({ signal: ctx.signal });
            if (ctx.options.json) ctx.out.json({ port: device.description, reset: 'hard' });
            else ctx.out.info(`hard reset ${device.description}`);
          } else {
            const boot = await device.softReset({ signal: ctx.signal });
            if (ctx.options.json) ctx.out.json({ port: device.description, reset: 'soft', bootOutput: boot });
            else {
              if (boot.trim()) ctx.out.data(boot.trimEnd());
              ctx.out.info(`soft reset ${device.description}`);
            }
          }
        }, CODE_ONLY);
      }),
    );
}

/** The emulated board's safe-boot button; boards have their own (or none). */
async function holdSafeBoot(transport: Transport): Promise<void> {
  const { EmulatorTransport } = await import('../../emulator/emulator-transport.js');
  if (!(transport instanceof EmulatorTransport)) {
    throw new BelayError('USAGE', '--safe-boot works on the emulated board only', {
      hint: "on a board, hold its safe-boot button while pressing reset, if it has one (see the board's documentation)",
    });
  }
  transport.holdSafeBoot();
}
