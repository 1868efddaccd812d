/**
 * The file commands that read or transfer: ls, cat, get, put, df, hash
 * (those that change the board in place: fs-change-commands.ts). Each is a thin
 * view over device.fs (src/device/fs): argument handling, progress and
 * output. Data goes to stdout (JSON with --json); progress to stderr.
 */
import { stat } from 'node:fs/promises';
import nodePath from 'node:path';
import type { Command } from 'commander';
import { BelayError, isBelayError } from '../../errors.js';
import { action } from '../action.js';
import { withDevice } from '../connect.js';
import type { Context } from '../context.js';
import { ProgressLine } from '../progress.js';
import { shown } from '../../paths/shown.js';
import { formatBytes, formatRate } from '../format.js';
import { boardBasename, boardJoin, boardPath, boardTarget, inUserTree, writePath } from '../../paths/board.js';
import type { FileEvent, FsEntry } from '../../device/fs/index.js';

/** The transfer code (and the local tree walker), loaded when a file command runs. */
const fsLayer = () => import('../../device/fs/index.js');
import type { Device } from '../../device/device.js';
import { stopOptimisingForTransfer } from '../compiler-off.js';

/** "12.0 KiB, 40.2 KiB/s": the size, and the rate when it means something. */
function sizeAndRate(bytes: number, ms: number): string {
  const rate = formatRate(bytes, ms);
  return rate ? `${formatBytes(bytes)}, ${rate}` : formatBytes(bytes);
}

async function localKind(path: string): Promise<'file' | 'dir' | 'special' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'special';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BelayError('LOCAL_IO', `cannot read ${path}: ${(err as Error).message}`);
  }
}


/** Progress of a one-file transfer: the first bytes switch the optimising compiler off (compiler-off.ts). */
function transferProgress(progress: ProgressLine, p: { done: number; total?: number }): void {
  void stopOptimisingForTransfer();
  progress.update(p.done, p.total);
}

/** A downloaded chunk to stdout (cat, get -), likewise. */
function rawTransfer(ctx: Context, chunk: Buffer): void {
  void stopOptimisingForTransfer();
  ctx.out.raw(chunk);
}

function treeCallbacks(ctx: Context, progress: ProgressLine, verb: string, dryRun = false) {
  let started = 0;
  let current: FileEvent | undefined;
  const finish = () => {
    if (current && current.action !== 'mkdir') {
      const ms = performance.now() - started;
      progress.done(`${verb} ${shown(current.path)} (${sizeAndRate(current.size, ms)})`);
    }
  };
  return {
    onFile: (event: FileEvent) => {
      finish();
      current = undefined;
      if (event.action === 'skip') ctx.out.info(`unchanged ${shown(event.path)} (same hash, skipped)`);
      else if (event.action === 'mkdir') (dryRun ? ctx.out.info : ctx.out.verbose).call(ctx.out, `${dryRun ? 'would create' : 'mkdir'} ${shown(event.path)}/`);
      else if (dryRun) ctx.out.info(`would ${event.action} ${shown(event.path)} (${formatBytes(event.size)})`);
      else {
        current = event;
        started = performance.now();
        progress.start(`${verb} ${shown(event.path)}`);
      }
    },
    onProgress: (_event: FileEvent, p: { done: number; total?: number }) => {
      void stopOptimisingForTransfer();
      progress.update(p.done, p.total);
    },
    finish,
  };
}

interface PutOptions {
  recursive?: boolean;
  exclude: string[];
  hidden?: boolean;
  /** commander's --no-ignore: false when given. */
  ignore: boolean;
  dryRun?: boolean;
  inPlace?: boolean;
}

/**
 * What `put` is given on this side, checked before any board is opened (a
 * typo costs no connection): the absolute path and whether it is a file or
 * a folder. Refuses what is missing, not a regular file, or a folder without -r.
 */
async function putSource(ctx: Context, given: string, opts: PutOptions): Promise<{ local: string; kind: 'file' | 'dir' }> {
  // Local paths are relative to -C/--cwd, like everything else.
  const local = nodePath.resolve(ctx.cwd, given);
  const kind = await localKind(local);
  if (!kind) throw new BelayError('LOCAL_IO', `cannot read ${given}: no such file or directory`);
  // A device or pipe has no size to check space by and no hash to skip by (/dev/zero never ends, a FIFO waits for a writer).
  if (kind === 'special') throw new BelayError('LOCAL_IO', `cannot put ${shown(given)}: not a regular file (a device, pipe or socket)`, { hint: 'copy what it holds into a file first, and put that' });
  if (kind === 'dir' && !opts.recursive) throw new BelayError('USAGE', `${given} is a directory: use put -r`);
  if (kind === 'file' && (opts.exclude.length > 0 || opts.hidden || !opts.ignore)) throw new BelayError('USAGE', '--exclude, --hidden and --no-ignore choose files in a folder: use them with put -r');
  return { local, kind };
}

async function put(ctx: Context, device: Device, source: { local: string; kind: 'file' | 'dir' }, remote: string | undefined, opts: PutOptions): Promise<unknown> {
  const { local, kind } = source;
  const progress = new ProgressLine(ctx);
  const fs = device.fs;
  const dryRun = Boolean(opts.dryRun);
  const would = dryRun ? 'would ' : '';
  if (kind === 'dir') {
    // A folder's contents land in the board folder named (with or without a trailing "/").
    const target = boardPath(remote ?? `/${nodePath.basename(local)}`);
    const callbacks = treeCallbacks(ctx, progress, 'put', dryRun);
    const walk = { exclude: opts.exclude, hidden: Boolean(opts.hidden), ignore: opts.ignore ? undefined : [] };
    const { putTree } = await fsLayer();
    const result = await putTree(fs, local, target, { signal: ctx.signal, walk, dryRun, ...callbacks });
    callbacks.finish();
    for (const entry of result.skipped) ctx.out.verbose(`left out ${shown(entry.relative)}${entry.kind === 'dir' ? '/' : ''} (${entry.reason})`);
    const uploaded = result.files.filter((f) => f.action === 'upload');
    const summary = `${uploaded.length} ${dryRun ? 'to upload' : 'uploaded'}, ${result.files.length - uploaded.length} unchanged`;
    if (dryRun) ctx.out.info(`${summary} (${formatBytes(uploaded.reduce((n, f) => n + f.size, 0))}); dry run, nothing changed`);
    else ctx.out.info(`${summary} (${formatBytes(result.bytes)})`);
    return {
      target,
      dryRun,
      files: result.files.map(({ path, action, size }) => ({ path, action, size })),
      bytes: result.bytes,
      skipped: result.skipped,
    };
  }
  const named = boardTarget(remote ?? `/${nodePath.basename(local)}`);
  const size = (await stat(local)).size;
  if (dryRun) return dryRunPut(ctx, device, named, local, size);
  // Into the folder when the board has one there (or the target ends with "/"): the board says which, in the upload's own program.
  let started = 0;
  const stats = await fs.write(named.path, { file: local }, {
    signal: ctx.signal,
    into: { name: nodePath.basename(local), always: named.folder },
    skipUnchanged: true,
    inPlace: Boolean(opts.inPlace),
    size,
    onStart: (path) => {
      progress.start(`put ${shown(path)}`);
      started = performance.now();
    },
    onProgress: (p) => started > 0 && transferProgress(progress, p),
  });
  const target = stats.path ?? named.path;
  if (stats.skipped) {
    progress.clear();
    ctx.out.info(`unchanged ${shown(target)} (same hash, skipped)`);
  } else {
    progress.done(`put ${shown(target)} (${sizeAndRate(stats.bytes, performance.now() - started)}, verified ${stats.hash.algorithm})`);
  }
  return { target, dryRun, files: [{ path: target, action: stats.skipped ? 'skip' : 'upload', size }], bytes: stats.bytes, hash: stats.hash };
}

/** put --dry-run of one file: where it would go and whether it would be sent, nothing changed. */
async function dryRunPut(ctx: Context, device: Device, named: { path: string; folder: boolean }, local: string, size: number): Promise<unknown> {
  let target = named.path;
  const existing = await device.fs.stat(target, { signal: ctx.signal });
  if (named.folder && existing?.kind === 'file') {
    throw new BelayError('FS_ERROR', `${target}: not a directory (ENOTDIR): it is a file, and the target ends with "/"`, {
      data: { path: target, errnoName: 'ENOTDIR' },
      hint: `drop the trailing "/" to replace the file ${target}`,
    });
  }
  if (named.folder || existing?.kind === 'dir') target = boardJoin(target, nodePath.basename(local));
  const same = await isUnchanged(device, target, local, ctx.signal);
  ctx.out.info(same ? `unchanged ${shown(target)} (same hash)` : `would upload ${shown(target)} (${formatBytes(size)})`);
  ctx.out.info('dry run, nothing changed');
  return { target, dryRun: true, files: [{ path: target, action: same ? 'skip' : 'upload', size }], bytes: 0 };
}

/** True when the board file at `target` has the local file's content (the check `put` skips by). */
async function isUnchanged(device: Device, target: string, local: string, signal: AbortSignal): Promise<boolean> {
  writePath(target, 'file'); // a dry run refuses what the real run would
  const features = await device.fs.probe({ signal });
  const info = await device.fs.stat(target, { signal });
  if (info?.kind !== 'file') return false;
  const { hashLocalFile, sameHash } = await fsLayer();
  const [board, mine] = await Promise.all([device.fs.hash(target, { signal }), hashLocalFile(features.hash, local, signal)]);
  return sameHash(board, mine);
}

/** The folder a download writes into must exist: belay creates the target, never folders above it. */
async function requireParent(target: string, given: string): Promise<void> {
  const parent = nodePath.dirname(target);
  if ((await localKind(parent)) === 'dir') return;
  throw new BelayError('LOCAL_IO', `cannot write ${given}: folder ${parent} does not exist`, {
    hint: 'create it first, or choose a target in an existing folder',
    data: { path: target, errnoName: 'ENOENT' },
  });
}

async function get(ctx: Context, device: Device, remote: string, local: string | undefined, recursive: boolean): Promise<unknown> {
  const source = boardPath(remote);
  const fs = device.fs;
  // Without -r a file is all it can be: the download itself says when it is not (one program, not two).
  const info = recursive ? await fs.stat(source, { signal: ctx.signal }) : { kind: 'file' };
  if (!info) throw new BelayError('FS_ERROR', `${source}: no such file or directory`, { data: { path: source, errnoName: 'ENOENT' } });
  const progress = new ProgressLine(ctx);
  if (info.kind === 'dir') {
    if (local === '-') throw new BelayError('USAGE', 'get -r cannot write a directory to stdout ("-")');
    const target = nodePath.resolve(ctx.cwd, local ?? (source === '/' ? '.' : boardBasename(source)));
    await requireParent(target, local ?? target);
    const callbacks = treeCallbacks(ctx, progress, 'got');
    const { getTree } = await fsLayer();
    const result = await getTree(fs, source, target, { signal: ctx.signal, ...callbacks });
    callbacks.finish();
    return { target, files: result.files.map(({ path, local: l, size }) => ({ path, local: l, size })), bytes: result.bytes };
  }
  if (local === '-') {
    // To stdout, verified like every download; the data is the output, so no JSON.
    if (ctx.options.json) throw new BelayError('USAGE', 'get REMOTE - writes the file itself to stdout: it cannot be combined with --json');
    await fs.read(source, { signal: ctx.signal, onData: (chunk) => rawTransfer(ctx, chunk) }).catch(folderNeedsRecursive(source));
    return undefined;
  }
  let target = nodePath.resolve(ctx.cwd, local ?? boardBasename(source));
  if ((await localKind(target)) === 'dir') target = nodePath.join(target, boardBasename(source));
  else await requireParent(target, local ?? target);
  progress.start(`get ${shown(source)}`);
  const started = performance.now();
  const { getFile } = await fsLayer();
  const stats = await getFile(fs, source, target, { signal: ctx.signal, onProgress: (p) => transferProgress(progress, p) }).catch(folderNeedsRecursive(source));
  progress.done(`got ${shown(source)} -> ${target} (${sizeAndRate(stats.bytes, performance.now() - started)})`);
  return { target, files: [{ path: source, local: target, size: stats.bytes }], bytes: stats.bytes, hash: stats.hash };
}

/** A download that found a folder: get without -r is a usage error there. */
function folderNeedsRecursive(source: string): (err: unknown) => never {
  return (err) => {
    if (isBelayError(err, 'FS_ERROR') && err.data.errnoName === 'EISDIR') throw new BelayError('USAGE', `${source} is a directory: use get -r`);
    throw err;
  };
}

function renderListing(entries: FsEntry[], root: string, long: boolean): string[] {
  return entries.map((entry) => {
    const name = shown(root === entry.path ? entry.path : entry.path.slice(root === '/' ? 1 : root.length + 1)) + (entry.kind === 'dir' ? '/' : '');
    if (!long) return name;
    const size = entry.kind === 'dir' ? '-' : String(entry.size);
    const hash = entry.hash ? `${entry.hash.algorithm}:${entry.hash.digest.slice(0, 16)}` : '';
    return `${size.padStart(9)}  ${hash.padEnd(23)}  ${name}`;
  });
}

export function registerFsCommands(program: Command): void {
  program
    .command('ls')
    .description('list files on the board (-r: the whole tree, -l: sizes and hashes, -a: with /.belay)')
    .argument('[path]', 'board path', '/')
    .option('-r, --recursive', 'list the whole tree')
    .option('-l, --long', 'show sizes and content hashes')
    .option('-a, --all', "also list belay's own folder /.belay (records, helper copies), hidden otherwise")
    .action(
      action(async (ctx, path: string) => {
        const opts = ctx.command.opts<{ recursive?: boolean; long?: boolean; all?: boolean }>();
        const root = boardPath(path);
        const shownEntry = (entry: FsEntry) => opts.all || inUserTree(root, entry.path);
        await withDevice(ctx, async (device) => {
          const skipped: string[] = [];
          const listed = await device.fs.list(root, {
            signal: ctx.signal,
            recursive: Boolean(opts.recursive),
            hash: Boolean(opts.long),
            onSkip: (path, errno) => skipped.push(`${shown(path)} (${errno})`),
          });
          const entries = listed.filter(shownEntry);
          if (skipped.length > 0) ctx.out.info(`skipped ${skipped.length} folder${skipped.length === 1 ? '' : 's'} the board cannot list: ${skipped.join(', ')}`);
          if (ctx.options.json) ctx.out.json(entries);
          else if (entries.length > 0) ctx.out.data(renderListing(entries, root, Boolean(opts.long)).join('\n'));
        });
      }),
    );

  program
    .command('cat')
    .description('print a board file to stdout')
    .argument('<path>', 'board path')
    .action(
      action(async (ctx, path: string) => {
        await withDevice(ctx, async (device) => {
          await device.fs.read(path, { signal: ctx.signal, onData: (chunk) => rawTransfer(ctx, chunk) });
        });
      }),
    );

  program
    .command('get')
    .description('copy a file (or with -r a directory) from the board')
    .argument('<remote>', 'board path')
    .argument('[local]', 'local file or directory (default: its name, here; "-": stdout); its folder must exist')
    .option('-r, --recursive', 'copy a directory tree')
    .action(
      action(async (ctx, remote: string, local: string | undefined) => {
        const opts = ctx.command.opts<{ recursive?: boolean }>();
        await withDevice(ctx, async (device) => {
          const result = await get(ctx, device, remote, local, Boolean(opts.recursive));
          if (ctx.options.json && result !== undefined) ctx.out.json(result);
        });
      }),
    );

  program
    .command('put')
    .description('copy a file (or with -r a directory) to the board, verified; unchanged files are skipped')
    .argument('<local>', 'local file or directory')
    .argument('[remote]', 'board path (default: /NAME); a trailing "/" means "into this folder"')
    .option('-r, --recursive', 'copy a directory tree (default ignores apply: .git/, __pycache__/, *.pyc, node_modules/, ...; see docs/files.md)')
    .option('--exclude <pattern>', 'with -r: leave out files and folders matching this glob, relative to the folder (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--hidden', 'with -r: take hidden files and folders (names starting with ".") too')
    .option('--no-ignore', 'with -r: take what the default ignores leave out')
    .option('-n, --dry-run', 'show what would be uploaded, change nothing')
    .option('--in-place', 'overwrite the target directly, for a board too full for a second copy (unsafe: a cut link or power loss leaves no file)')
    .action(
      action(async (ctx, local: string, remote: string | undefined) => {
        const opts = ctx.command.opts<PutOptions>();
        if (opts.inPlace && opts.recursive) throw new BelayError('USAGE', '--in-place writes one file; it cannot be combined with -r');
        if (opts.inPlace && !opts.dryRun) ctx.out.info('warning: --in-place overwrites the target directly; if the link or power fails mid-write, the file is lost');
        const source = await putSource(ctx, local, opts);
        await withDevice(ctx, async (device) => {
          const result = await put(ctx, device, source, remote, opts);
          if (ctx.options.json) ctx.out.json(result);
        });
      }),
    );

  program
    .command('df')
    .description('show the board filesystem size and free space')
    .argument('[path]', 'board path on the filesystem to measure', '/')
    .action(
      action(async (ctx, path: string) => {
        await withDevice(ctx, async (device) => {
          const usage = await device.fs.df(path, { signal: ctx.signal });
          if (ctx.options.json) ctx.out.json({ path: boardPath(path), ...usage });
          else if (usage.used === null || usage.free === null) {
            ctx.out.data(`${boardPath(path)}  size ${formatBytes(usage.size)}  used unknown  free unknown (the board's free count is inconsistent)`);
          } else {
            const share = usage.size > 0 ? ((usage.used / usage.size) * 100).toFixed(0) : '0';
            ctx.out.data(`${boardPath(path)}  size ${formatBytes(usage.size)}  used ${formatBytes(usage.used)} (${share}%)  free ${formatBytes(usage.free)}`);
          }
        });
      }),
    );

  program
    .command('hash')
    .description('content hash of a board file (sha256, or the board\'s fallback algorithm)')
    .argument('<path>', 'board path')
    .action(
      action(async (ctx, path: string) => {
        await withDevice(ctx, async (device) => {
          const hash = await device.fs.hash(path, { signal: ctx.signal });
          if (ctx.options.json) ctx.out.json({ path: boardPath(path), ...hash });
          else ctx.out.data(`${hash.algorithm}:${hash.digest}  ${shown(boardPath(path))}`);
        });
      }),
    );
}
