/**
 * The file commands that change the board in place: rm, mkdir, mv, cp,
 * touch. Each is a thin view over device.fs: argument handling and output
 * (one line per change on stderr, or JSON on stdout with --json).
 */
import type { Command } from 'commander';
import { BelayError, isBelayError } from '../../errors.js';
import { action } from '../action.js';
import { withDevice } from '../connect.js';
import type { Context } from '../context.js';
import { boardBasename, boardJoin, boardPath, isReserved, isWithin } from '../../paths/board.js';
import { copyOnBoard } from '../../device/copy.js';
import type { Device } from '../../device/device.js';
import { shown } from '../../paths/shown.js';

/** `rm -r / --force`: every entry under the root, one by one, each named as it goes. */
async function wipe(ctx: Context, device: Device): Promise<Array<{ path: string; removed: number }>> {
  const entries = await device.fs.list('/', { signal: ctx.signal });
  const top = entries.filter((entry) => !isReserved(entry.path));
  const removed: Array<{ path: string; removed: number }> = [];
  for (const entry of top) {
    const count = await device.fs.remove(entry.path, { signal: ctx.signal, recursive: true });
    removed.push({ path: entry.path, removed: count });
    if (!ctx.options.json) ctx.out.info(`removed ${shown(entry.path)}${entry.kind === 'dir' ? `/ (${count} entries)` : ''}`);
  }
  return removed;
}

export function registerFsChangeCommands(program: Command): void {
  program
    .command('rm')
    .description('remove a file or empty directory (-r: a whole tree; -r / --force: everything on the board)')
    .argument('<path>', 'board path')
    .option('-r, --recursive', 'remove a directory and everything in it')
    .option('-f, --force', 'no error when PATH does not exist; with -r, "/" wipes the board')
    .action(
      action(async (ctx, path: string) => {
        const opts = ctx.command.opts<{ recursive?: boolean; force?: boolean }>();
        const target = boardPath(path);
        if (target === '/') {
          if (!opts.recursive || !opts.force) {
            throw new BelayError('USAGE', 'refusing to remove everything on the board', { hint: 'to wipe the board (every file and folder but /.belay), run rm -r / --force' });
          }
          await withDevice(ctx, async (device) => {
            const removed = await wipe(ctx, device);
            if (ctx.options.json) ctx.out.json({ path: '/', removed });
            else if (removed.length === 0) ctx.out.info('the board was already empty');
          });
          return;
        }
        await withDevice(ctx, async (device) => {
          let removed = 0;
          try {
            removed = await device.fs.remove(target, { signal: ctx.signal, recursive: Boolean(opts.recursive) });
          } catch (err) {
            if (!(opts.force && isBelayError(err, 'FS_ERROR') && err.data.errnoName === 'ENOENT')) throw err;
          }
          if (ctx.options.json) ctx.out.json({ path: target, removed });
          else if (removed === 0) ctx.out.info(`${shown(target)} does not exist`);
          else ctx.out.info(`removed ${shown(target)}${removed > 1 ? ` (${removed} entries)` : ''}`);
        });
      }),
    );

  program
    .command('mkdir')
    .description('create a directory on the board (-p: with parents, no error if it exists)')
    .argument('<path>', 'board path')
    .option('-p, --parents', 'create missing parents; an existing directory is fine')
    .action(
      action(async (ctx, path: string) => {
        const opts = ctx.command.opts<{ parents?: boolean }>();
        const target = boardPath(path);
        await withDevice(ctx, async (device) => {
          const existed = opts.parents ? (await device.fs.stat(target, { signal: ctx.signal }))?.kind === 'dir' : false;
          if (!existed) await device.fs.mkdir(target, { signal: ctx.signal, parents: Boolean(opts.parents) });
          if (ctx.options.json) ctx.out.json({ path: target, created: !existed });
          else ctx.out.info(existed ? `${shown(target)} already exists` : `created ${shown(target)}`);
        });
      }),
    );

  program
    .command('mv')
    .description('move or rename a file or directory on the board (into DEST when DEST is a folder)')
    .argument('<source>', 'board path')
    .argument('<dest>', 'board path')
    .action(
      action(async (ctx, from: string, to: string) => {
        const source = boardPath(from);
        await withDevice(ctx, async (device) => {
          if (!(await device.fs.stat(source, { signal: ctx.signal }))) {
            throw new BelayError('FS_ERROR', `${source}: no such file or directory`, { data: { path: source, errnoName: 'ENOENT' } });
          }
          let target = boardPath(to);
          if ((await device.fs.stat(target, { signal: ctx.signal }))?.kind === 'dir') target = boardJoin(target, boardBasename(source));
          if (target === source) throw new BelayError('PATH_INVALID', `${source} and ${target} are the same path`, { data: { from: source, to: target } });
          if (isWithin(target, source)) throw new BelayError('PATH_INVALID', `cannot move ${source} into itself (${target})`, { data: { from: source, to: target } });
          await device.fs.rename(source, target, { signal: ctx.signal });
          if (ctx.options.json) ctx.out.json({ from: source, to: target });
          else ctx.out.info(`moved ${shown(source)} -> ${shown(target)}`);
        });
      }),
    );

  program
    .command('cp')
    .description('copy a file (or with -r a directory) on the board, verified (into DEST when DEST is a folder)')
    .argument('<source>', 'board path')
    .argument('<dest>', 'board path')
    .option('-r, --recursive', 'copy a directory tree')
    .action(
      action(async (ctx, from: string, to: string) => {
        const opts = ctx.command.opts<{ recursive?: boolean }>();
        await withDevice(ctx, async (device) => {
          const result = await copyOnBoard(device.fs, from, to, {
            signal: ctx.signal,
            recursive: Boolean(opts.recursive),
            onFile: ({ from: a, to: b }) => ctx.out.verbose(`copy ${shown(a)} -> ${shown(b)}`),
          });
          if (ctx.options.json) ctx.out.json(result);
          else ctx.out.info(`copied ${shown(boardPath(from))} -> ${shown(result.target)} (${result.files.length} file${result.files.length === 1 ? '' : 's'})`);
        });
      }),
    );

  program
    .command('touch')
    .description('create an empty file on the board if it does not exist (an existing file is left as it is)')
    .argument('<path>', 'board path')
    .action(
      action(async (ctx, path: string) => {
        const target = boardPath(path);
        await withDevice(ctx, async (device) => {
          const info = await device.fs.stat(target, { signal: ctx.signal });
          if (info?.kind === 'dir') throw new BelayError('FS_ERROR', `${target} is a directory`, { data: { path: target, errnoName: 'EISDIR' } });
          if (!info) await device.fs.write(target, new Uint8Array(), { signal: ctx.signal });
          if (ctx.options.json) ctx.out.json({ path: target, created: !info });
          else ctx.out.info(info ? `${shown(target)} exists (left as it is)` : `created ${shown(target)}`);
        });
      }),
    );
}
