/**
 * `belay emulator ...`: the emulated board as a long-running device. `serve`
 * puts it on a pseudo-terminal for serialport-based tools (mpremote, a
 * terminal, another belay with --port PATH); `path` prints its flash folder.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { action, parseInteger } from '../action.js';
import { emulatorDir } from '../../port/emulator-dir.js';
import { checkEmulatorName } from '../../port/spec.js';
import { emulatorPlace } from '../connect.js';
import type { FilesystemKind, HideableFeature, LinkKind, RawPasteSupport } from '../../emulator/options.js';
import { BelayError } from '../../errors.js';

const HIDEABLE: HideableFeature[] = ['hashlib', 'binascii', 'deflate', 'stdin.buffer'];

interface ServeOptions {
  name: string;
  link?: string;
  dir?: string;
  flashSize?: number;
  baud?: number;
  rawPaste: RawPasteSupport;
  hide: string[];
  safeBoot?: boolean;
  filesystem?: FilesystemKind;
  heapSize?: number;
  linkKind?: LinkKind;
  rxBuffer?: number;
}

export function registerEmulatorCommands(program: Command): void {
  const emulator = program.command('emulator').description('the emulated board (real MicroPython compiled to WebAssembly)');

  emulator
    .command('serve')
    .description('serve the emulated board on a pseudo-terminal until Ctrl-C')
    .option('--name <name>', 'which emulated board (see "belay emulator path")', 'default')
    .option('--link <path>', 'path of the pseudo-terminal to create', '/tmp/belay-emulator')
    .option('--dir <folder>', 'flash folder (default: .belay/emulator/NAME in the project, else the per-user data folder)')
    .option('--flash-size <bytes>', 'flash size in bytes', parseInteger('flash size'))
    .option('--link-baud <rate>', 'pace the link like a UART at this baud rate', parseInteger('baud rate'))
    .option('--raw-paste <mode>', 'supported | refused | unknown (old firmware)', 'supported')
    .option('--hide <feature...>', `hide firmware features: ${HIDEABLE.join(', ')}`, [])
    .option('--safe-boot', 'start without running boot.py and main.py (a way out of a main.py that never ends)')
    .option('--filesystem <kind>', 'littlefs | fat: what the flash behaves as', 'littlefs')
    .option('--heap-size <bytes>', 'fixed MicroPython heap, e.g. 32768 (default: grows as needed)', parseInteger('heap size'))
    .option('--link-kind <kind>', 'uart (drops bytes past the receive buffer) | usb (flow-controlled)', 'uart')
    .option('--rx-buffer <bytes>', 'receive buffer size', parseInteger('receive buffer size'))
    .action(
      action(async (ctx) => {
        const opts = ctx.command.opts<ServeOptions & { linkBaud?: number }>();
        if (!['supported', 'refused', 'unknown'].includes(opts.rawPaste)) {
          throw new BelayError('USAGE', `--raw-paste must be supported, refused or unknown, not ${opts.rawPaste}`);
        }
        const unknown = opts.hide.filter((feature) => !HIDEABLE.includes(feature as HideableFeature));
        if (unknown.length > 0) throw new BelayError('USAGE', `cannot hide ${unknown.join(', ')}; choose from ${HIDEABLE.join(', ')}`);
        checkEmulatorName(opts.name); // also with --dir: the name labels the board and its lock
        const dir = opts.dir ? resolve(ctx.cwd, opts.dir) : emulatorDir(opts.name, await emulatorPlace(ctx));
        // The emulator itself loads only for `serve`.
        const { EmulatorTransport } = await import('../../emulator/emulator-transport.js');
        const { servePty } = await import('../../emulator/pty-bridge.js');
        const board = await EmulatorTransport.open(
          {
            dir,
            flashSize: opts.flashSize,
            baud: opts.linkBaud,
            rawPaste: opts.rawPaste,
            hide: opts.hide as HideableFeature[],
            start: opts.safeBoot ? 'safe-boot' : 'power-on',
            filesystem: opts.filesystem,
            heapSize: opts.heapSize,
            link: opts.linkKind,
            rxBuffer: opts.rxBuffer,
          },
          opts.name,
        );
        const link = resolve(ctx.cwd, opts.link ?? '/tmp/belay-emulator');
        const bridge = await servePty(board, link);
        ctx.out.info(`emulated board "${opts.name}" (flash ${dir}) is on ${link}; Ctrl-C stops it`);
        if (ctx.options.json) ctx.out.json({ name: opts.name, link, flash: dir });
        else ctx.out.data(link);
        await new Promise<void>((done) => {
          ctx.signal.addEventListener('abort', () => done(), { once: true });
          board.onClose(() => done());
        });
        await bridge.close();
        await board.close();
        ctx.out.info('emulator stopped');
      }),
    );

  emulator
    .command('path')
    .description('print the flash folder of an emulated board: the one --port emulator[:NAME] uses from here')
    .option('--name <name>', 'which emulated board', 'default')
    .action(
      action(async (ctx) => {
        const { name } = ctx.command.opts<{ name: string }>();
        const flash = emulatorDir(name, await emulatorPlace(ctx));
        if (ctx.options.json) ctx.out.json({ name, flash });
        else ctx.out.data(flash);
      }),
    );
}
