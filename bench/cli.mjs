// Whole-command benchmark: the built CLI spawned as a user runs it (node
// start-up, connection, helpers and all), against an emulated board that,
// like real firmware, does not say how big its receive buffer is, served on
// a pseudo-terminal. Two links: the board paced like a 115200-baud UART, and
// unthrottled. Each case: wall time (median of BENCH_RUNS, default 3), the
// bytes that crossed the link and the programs the board ran (round trips).
// Peak RSS of the CLI (with /usr/bin/time) for every case (the issue's
// figures: `exec pass`, and a 1 MiB put and get).
//
// Real Python source: a few dozen modules of the Python standard library
// found on this machine (BENCH_SOURCE=/some/folder of .py files instead), put
// fresh and then unchanged; skipped when there is none. Two bounds for the
// unthrottled 1 MiB upload are printed: the board's own time to write 1 MiB
// to its flash (a program on the board, no link involved), and its time to
// take 1 MiB from its link into a file (stream-floor.mjs): on the emulated
// board the flash is RAM and the second bound is the real one, the time
// its interpreter needs to read its input. "After a run": the
// edit-put-run loop, where `belay run` has cleared belay's helpers from the
// board's heap, so the put gets them from the board's flash copies (or, on
// an older belay, over the link).
//
// BENCH_CLI=/path/to/dist/cli/main.js times another build of the CLI against
// the same board (to compare two versions on one machine).
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, readdirSync, readFileSync, statSync, copyFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { EmulatorTransport } from '#dist/emulator/emulator-transport.js';
import { servePty, socatAvailable } from '#dist/emulator/pty-bridge.js';
import { streamFloorSeconds } from './stream-floor.mjs';

const CLI = resolve(process.env.BENCH_CLI ?? join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LINK_RATE = 11520; // bytes/s at 115200 baud, 10 bits a byte
const TIME = '/usr/bin/time';
/**
 * How the board ends a program: stdout's \x04, an empty stderr's \x04 and
 * the prompt when it succeeded, stdout's \x04 and a traceback when it
 * raised. (Two bytes, \x04>, would also count their chance occurrences in
 * a binary download.)
 */
const PROGRAM_ENDS = ['\x04\x04>', '\x04Traceback (most recent call last):'].map((text) => Buffer.from(text, 'latin1'));
const LONGEST_END = Math.max(...PROGRAM_ENDS.map((end) => end.length));

if (!socatAvailable()) {
  console.error('whole-command benchmark skipped: socat is not installed (the board is served on a pty)');
  process.exit(0);
}

/**
 * A board on a pty that counts what crosses the link and the programs it is
 * sent. Paced (`baud`), it is a UART board that drops what overflows its
 * receive buffer; unthrottled, a board whose link cannot drop (a pty is
 * flow-controlled, as native USB is). Either way it keeps its buffer size to
 * itself, and belay sees only a pty: it sends no more than 256 bytes ahead.
 * @param {number} [baud]
 */
async function serveBoard(baud) {
  const flash = mkdtempSync(join(tmpdir(), 'belay-bench-cli-flash-'));
  const board = await EmulatorTransport.open({ dir: flash, announceRxBuffer: false, runMain: false, ...(baud ? { baud } : { link: 'usb' }) });
  const counts = { programs: 0 };
  // Each program's end (PROGRAM_ENDS), counted from what the board sends; the tail keeps one cut between chunks.
  let tail = Buffer.alloc(0);
  board.onData((data) => {
    const seen = Buffer.concat([tail, Buffer.from(data)]);
    for (const end of PROGRAM_ENDS) {
      for (let at = seen.indexOf(end); at >= 0; at = seen.indexOf(end, at + 1)) if (at + end.length > tail.length) counts.programs += 1;
    }
    tail = seen.subarray(Math.max(0, seen.length - (LONGEST_END - 1)));
  });
  const link = join(mkdtempSync(join(tmpdir(), 'belay-bench-cli-pty-')), 'board');
  const bridge = await servePty(board, link);
  return {
    link,
    flash,
    transport: board,
    snapshot: () => ({ wire: board.wire.sent + board.wire.received, programs: counts.programs }),
    close: async () => {
      await bridge.close();
      await board.close();
      rmSync(flash, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `belay ARGS`; resolves with wall seconds and peak RSS (KiB, when /usr/bin/time is there).
 * @param {string} cwd
 * @param {string[]} args
 * @param {string} [stdoutFile] where its output goes (discarded without)
 * @returns {Promise<{ seconds: number, rssKiB?: number }>}
 */
function belay(cwd, args, stdoutFile) {
  const withTime = existsSync(TIME);
  const command = withTime ? TIME : process.execPath;
  const argv = withTime ? ['-f', 'BENCH_RSS %M', process.execPath, CLI, ...args] : [CLI, ...args];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const stdout = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
    const child = spawn(command, argv, { cwd, env: { ...process.env, NO_COLOR: '1', BELAY_PORT: '' }, stdio: ['ignore', stdout, 'pipe'] });
    if (typeof stdout === 'number') closeSync(stdout);
    let stderr = '';
    child.stderr?.on('data', (/** @type {Buffer} */ chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /BENCH_RSS (\d+)/.exec(stderr);
      if (code !== 0) reject(new Error(`belay ${args.join(' ')} exited ${code}: ${stderr.replace(/BENCH_RSS \d+\n?/, '').trim()}`));
      else resolvePromise({ seconds, rssKiB: rss ? Number(rss[1]) : undefined });
    });
  });
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Local folders for the cases. */
function workspace() {
  const cwd = mkdtempSync(join(tmpdir(), 'belay-bench-cli-'));
  /** @type {(name: string, files: number, size: number) => void} */
  const tree = (name, files, size) => {
    for (let i = 0; i < files; i++) {
      const dir = join(cwd, name, `pkg${i % 10}`);
      mkdirSync(dir, { recursive: true });
      const lines = [];
      while (lines.join('\n').length < size) lines.push(`def handler_${i}_${lines.length}(event, value=${lines.length}):\n    return process(event, value * ${i % 7}, name="h${i}")`);
      writeFileSync(join(dir, `module${i}.py`), `${lines.join('\n').slice(0, size)}\n`);
    }
  };
  tree('ten', 10, 1500);
  tree('two-hundred', 200, 300);
  tree('thousand', 1000, 100);
  writeFileSync(join(cwd, 'random-64k.bin'), randomBytes(64 * 1024));
  // What `belay run` starts in the edit-put-run loop: running it clears belay's helpers from the board's heap.
  writeFileSync(join(cwd, 'app.py'), 'print("ran")\n');
  realSource = copyRealSource(join(cwd, 'real'));
  writeFileSync(join(cwd, 'random-1m.bin'), randomBytes(1024 * 1024));
  return cwd;
}

/** @type {{ files: number, bytes: number } | undefined} */
let realSource;

/**
 * Copies a few dozen real Python modules (1.5-16 KB each, up to 54 of them,
 * in name order so every run uses the same set) into `dest`.
 * @param {string} dest
 * @returns {{ files: number, bytes: number } | undefined}
 */
function copyRealSource(dest) {
  const candidates = process.env.BENCH_SOURCE ? [process.env.BENCH_SOURCE] : ['/usr/lib/python3.13', '/usr/lib/python3.12', '/usr/lib/python3.11'];
  const from = candidates.find((dir) => existsSync(dir));
  if (!from) return undefined;
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(from).sort()) {
    if (!name.endsWith('.py') || files === 54) continue;
    const size = statSync(join(from, name)).size;
    if (size < 1500 || size > 16_000) continue;
    mkdirSync(dest, { recursive: true });
    copyFileSync(join(from, name), join(dest, name));
    files += 1;
    bytes += size;
  }
  return files ? { files, bytes } : undefined;
}

/** @type {Array<Record<string, string | number>>} */
const rows = [];

/** @typedef {Awaited<ReturnType<typeof serveBoard>>} Board */

/**
 * Times `args` RUNS times (each after `before`, untimed) and records the
 * median with the wire bytes and programs of one run.
 * @param {Board} board
 * @param {string} cwd
 * @param {string} link
 * @param {string} label
 * @param {string[]} args
 * @param {{ payload?: number, before?: () => Promise<unknown>, runs?: number }} [options]
 */
async function measure(board, cwd, link, label, args, { payload, before, runs = RUNS } = {}) {
  const times = [];
  let wire = 0;
  let programs = 0;
  /** @type {number | undefined} */
  let rss;
  for (let i = 0; i < runs; i++) {
    if (before) await before();
    const start = board.snapshot();
    const run = await belay(cwd, ['--port', board.link, ...args]);
    const end = board.snapshot();
    times.push(run.seconds);
    wire = end.wire - start.wire;
    programs = end.programs - start.programs;
    rss = run.rssKiB === undefined ? rss : Math.max(rss ?? 0, run.rssKiB);
  }
  const seconds = median(times);
  rows.push({
    link,
    command: label,
    'wall s (median)': seconds.toFixed(2),
    '% of link': link === '115200 baud' && payload ? `${(((payload / seconds) / LINK_RATE) * 100).toFixed(1)}%` : '',
    'wire bytes': wire.toLocaleString('en'),
    'round trips': programs,
    'peak RSS': rss ? `${(rss / 1024).toFixed(1)} MB` : '',
  });
  console.error(`  ${link}: ${label} ${seconds.toFixed(2)} s`);
}

/**
 * Seconds the board takes to write 1 MiB to a file from its own RAM (the
 * floor for any upload), timed on the board. Median of RUNS.
 * @param {Board} board
 * @param {string} cwd
 */
async function flashWriteSeconds(board, cwd) {
  const program = [
    'import time',
    'b = bytes(4096)',
    't = time.ticks_ms()',
    "f = open('/flash-write-bench.bin', 'wb')",
    'for i in range(256): f.write(b)',
    'f.close()',
    'print(time.ticks_diff(time.ticks_ms(), t))',
  ].join('\n');
  const out = join(cwd, 'flash-ms.txt');
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    await belay(cwd, ['--port', board.link, 'rm', '/flash-write-bench.bin']).catch(() => undefined);
    await belay(cwd, ['--port', board.link, 'exec', program], out);
    times.push(Number(readFileSync(out, 'utf8').trim()) / 1000);
  }
  await belay(cwd, ['--port', board.link, 'rm', '/flash-write-bench.bin']);
  return median(times);
}

/**
 * @param {string} link
 * @param {number} [baud]
 */
async function benchLink(link, baud) {
  const board = await serveBoard(baud);
  const cwd = workspace();
  /** @param {string} path */
  const rm = (path) => () => belay(cwd, ['--port', board.link, 'rm', '-r', path]).catch(() => undefined);
  try {
    await measure(board, cwd, link, 'exec "pass"', ['exec', 'pass'], { runs: Math.max(RUNS, 5) });
    await measure(board, cwd, link, 'put -r 10 text files (15 KB), fresh', ['put', '-r', 'ten', '/ten'], { payload: 15_010, before: rm('/ten') });
    const runFirst = async () => {
      await rm('/ten')();
      await belay(cwd, ['--port', board.link, 'run', 'app.py']);
    };
    await measure(board, cwd, link, 'put -r 10 text files (15 KB), fresh, after a run', ['put', '-r', 'ten', '/ten'], { payload: 15_010, before: runFirst });
    if (realSource) {
      const label = `${realSource.files} real .py files (${Math.round(realSource.bytes / 1000)} KB)`;
      await measure(board, cwd, link, `put -r ${label}, fresh`, ['put', '-r', 'real', '/real'], { payload: realSource.bytes, before: rm('/real') });
      await measure(board, cwd, link, `put -r ${label}, unchanged`, ['put', '-r', 'real', '/real']);
      await rm('/real')(); // room for the 1 MiB case
    }
    await belay(cwd, ['--port', board.link, 'put', '-r', 'two-hundred', '/two-hundred']);
    await measure(board, cwd, link, 'put -r 200 unchanged files', ['put', '-r', 'two-hundred', '/two-hundred']);
    if (!baud) {
      await belay(cwd, ['--port', board.link, 'put', '-r', 'thousand', '/thousand']);
      await measure(board, cwd, link, 'put -r 1,000 unchanged files', ['put', '-r', 'thousand', '/thousand']);
    }
    await measure(board, cwd, link, 'put 64 KiB random', ['put', 'random-64k.bin', '/random-64k.bin'], { payload: 65536, before: rm('/random-64k.bin') });
    await measure(board, cwd, link, 'get 64 KiB random', ['get', '/random-64k.bin', 'back-64k.bin'], { payload: 65536, before: async () => rmSync(join(cwd, 'back-64k.bin'), { force: true }) });
    if (!baud) {
      await measure(board, cwd, link, 'put 1 MiB random', ['put', 'random-1m.bin', '/random-1m.bin'], { payload: 1024 * 1024, before: rm('/random-1m.bin') });
      // The same where the link is known not to drop (native USB, or the user's --window): the window is no longer 256 bytes.
      await measure(board, cwd, link, 'put 1 MiB random, --window 8192', ['--window', '8192', 'put', 'random-1m.bin', '/random-1m.bin'], { payload: 1024 * 1024, before: rm('/random-1m.bin') });
      await measure(board, cwd, link, 'get 1 MiB random', ['get', '/random-1m.bin', 'back-1m.bin'], { payload: 1024 * 1024, before: async () => rmSync(join(cwd, 'back-1m.bin'), { force: true }) });
      await rm('/random-1m.bin')();
      console.error(`  the board's own time to write 1 MiB to its flash: ${(await flashWriteSeconds(board, cwd)).toFixed(2)} s`);
      const floors = [];
      for (let i = 0; i < RUNS; i++) floors.push(await streamFloorSeconds(board.transport, 1024 * 1024));
      console.error(`  the board's own time to take 1 MiB from its link into a file (no frames, hashes or checks): ${median(floors).toFixed(2)} s`);
    }
  } finally {
    await board.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

console.error(`belay whole-command benchmark: ${CLI}, median of ${RUNS} runs, a board that does not report its buffer, on a pty`);
await benchLink('pty, unthrottled');
await benchLink('115200 baud', 115200);
console.table(rows);
