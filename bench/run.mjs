// Transfer benchmark: wall time, payload rate, wire bytes per payload byte
// and peak board heap for 1 MiB of random binary up and down, a 40-file
// ~250 KB Python tree up, and its no-change re-upload, over three links:
// in-process, a pseudo-terminal (serialport through socat), and an emulated
// 115200-baud UART (11,520 bytes/s). BENCH_BAUD_BYTES sets the payload size
// at 115200 baud (default 1 MiB; the rate is what matters, size only the wait).
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Device } from '#dist/device/device.js';
import { putTree } from '#dist/device/fs/index.js';
import { EmulatorTransport } from '#dist/emulator/emulator-transport.js';
import { servePty, socatAvailable } from '#dist/emulator/pty-bridge.js';
import { SerialTransport } from '#dist/transport/serial.js';
import { countExecs } from './common.mjs';

const MiB = 1024 * 1024;
const LINK_RATE = 11520;
// By default the window is what the board reports (the emulated board: its
// 1024-byte receive buffer); BENCH_WINDOW=256 measures what an unknown board
// gets (safe for every common board).
const window = process.env.BENCH_WINDOW ? Number(process.env.BENCH_WINDOW) : undefined;

function pythonTree() {
  const root = mkdtempSync(join(tmpdir(), 'belay-bench-tree-'));
  let total = 0;
  for (let i = 0; i < 40; i++) {
    const dir = join(root, `pkg${i % 4}`);
    mkdirSync(dir, { recursive: true });
    const lines = [];
    while (lines.join('\n').length < 6200) lines.push(`def function_${i}_${lines.length}(value):\n    return value * ${lines.length} + ${i}  # some text`);
    const body = lines.join('\n') + '\n';
    writeFileSync(join(dir, `module${i}.py`), body);
    total += body.length;
  }
  return { root, total };
}

/** @typedef {'memory' | 'pty' | 'baud'} LinkKind */
/** @typedef {{ wire?: number, heap?: number, trips?: number | string }} Measured */

/**
 * @param {LinkKind} kind
 * @param {string} flash
 * @returns {Promise<{ device: Device, close: () => Promise<void> }>}
 */
async function openLink(kind, flash) {
  if (kind === 'pty') {
    const board = await EmulatorTransport.open({ dir: flash });
    const link = join(mkdtempSync(join(tmpdir(), 'belay-bench-pty-')), 'board');
    const bridge = await servePty(board, link);
    const device = await Device.over(await SerialTransport.open(link), { fs: { window } });
    return { device, close: async () => { await device.close(); await bridge.close(); await board.close(); } };
  }
  const transport = await EmulatorTransport.open({ dir: flash, ...(kind === 'baud' ? { baud: 115200 } : {}) });
  const device = await Device.over(transport, { timeoutMs: 30_000, fs: { window } });
  return { device, close: async () => { await device.close(); await transport.close(); } };
}

/** @type {Array<Record<string, string | number>>} */
const rows = [];

/**
 * @param {string} link
 * @param {string} label
 * @param {number} bytes payload size
 * @param {() => Promise<Measured>} run
 */
async function scenario(link, label, bytes, run) {
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const rate = bytes / seconds;
  rows.push({
    link,
    transfer: label,
    'wall s': seconds.toFixed(2),
    'payload B/s': Math.round(rate).toLocaleString('en'),
    // Only where payload crossed the link (a no-change re-upload moves none).
    '% of 115200': link === '115200 baud' && result.wire ? `${((rate / LINK_RATE) * 100).toFixed(1)}%` : '',
    'wire/payload': result.wire ? (result.wire / Math.max(1, bytes)).toFixed(3) : '',
    'board heap': result.heap !== undefined ? `${result.heap} B` : '',
    'round trips': result.trips ?? '',
  });
  console.error(`  ${link}: ${label} ${seconds.toFixed(2)} s`);
}

/**
 * @param {LinkKind} kind
 * @param {string} label
 */
async function benchLink(kind, label) {
  const flash = mkdtempSync(join(tmpdir(), 'belay-bench-flash-'));
  const { device, close } = await openLink(kind, flash);
  const size = kind === 'baud' ? Number(process.env.BENCH_BAUD_BYTES ?? MiB) : MiB;
  const data = randomBytes(size);
  const tree = pythonTree();
  try {
    await device.fs.probe();
    await scenario(label, `upload ${size === MiB ? '1 MiB' : `${size} B`} binary`, size, async () => {
      const s = await device.fs.write('/blob.bin', data);
      return { wire: s.wireBytes, heap: s.boardHeap };
    });
    await scenario(label, `download ${size === MiB ? '1 MiB' : `${size} B`} binary`, size, async () => {
      const s = await device.fs.read('/blob.bin');
      if (!s.data?.equals(data)) throw new Error('download differs');
      return { wire: s.wireBytes, heap: s.boardHeap };
    });
    await device.fs.remove('/blob.bin');
    await scenario(label, `upload 40-file tree (${Math.round(tree.total / 1000)} KB)`, tree.total, async () => {
      const counter = countExecs(device);
      const r = await putTree(device.fs, tree.root, '/app');
      const heaps = r.files.map((f) => f.stats?.boardHeap ?? 0);
      return { wire: r.wireBytes, heap: Math.max(...heaps), trips: counter.n };
    });
    await scenario(label, 'no-change re-upload of the tree', tree.total, async () => {
      const counter = countExecs(device);
      const r = await putTree(device.fs, tree.root, '/app');
      if (r.files.some((f) => f.action !== 'skip')) throw new Error('re-upload sent files');
      return { trips: `${counter.n} (1 for hashes)` };
    });
  } finally {
    await close();
    rmSync(flash, { recursive: true, force: true });
    rmSync(tree.root, { recursive: true, force: true });
  }
}

console.error(`belay transfer benchmark (window: ${window === undefined ? "as the board reports" : `${window} bytes`})`);
await benchLink('memory', 'in-process');
if (socatAvailable()) await benchLink('pty', 'pty (serialport)');
else console.error('  (socat missing: pty link skipped)');
await benchLink('baud', '115200 baud');
console.table(rows);
