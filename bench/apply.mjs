// Apply benchmark: `belay apply` of a 40-file project to the emulated board,
// the first time (empty board) and after one file changed, next to a plain
// `put -r` of the same tree (each file its own verified write and commit:
// no plan check, no manifest, no journal). Each run is a fresh session; the
// figures count from after the connection (the apply's, after the plan made
// in its session, with the board helpers installed again as `belay apply
// FILE` does). Figures: wall time (median of 3), bytes on the wire both
// ways, round trips (programs run), and the apply's bytes by phase, so the
// transaction's overhead (checking the board and the sources, the manifest,
// the journaled commit, the confirmation) stands next to the bytes of the
// files themselves. Prints figures only.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '#dist/device/device.js';
import { EmulatorTransport } from '#dist/emulator/emulator-transport.js';
import { putTree } from '#dist/device/fs/tree-transfer.js';
import { loadConfig } from '#dist/config/index.js';
import { makePlan } from '#dist/sync/make-plan.js';
import { applyPlan } from '#dist/sync/apply.js';
import { MANIFEST_PATH } from '#dist/sync/records.js';
import { countExecs, makeBenchProject } from './common.mjs';

const FILES = 40;

/** @param {string} root */
function changeOne(root) {
  writeFileSync(join(root, 'src', 'pkg0', 'module5.py'), `# module 5, changed\n${'def g(x):\n    return x * 3  # padding padding padding\n'.repeat(11)}`);
}

/**
 * Runs `work` in a fresh session on a copy of `flash` (so every run starts from the same board).
 * @template T
 * @param {string} flash
 * @param {(device: Device, wire: () => number, trips: { n: number }) => Promise<T>} work
 * @returns {Promise<{ value: T, seconds: number, wire: number, trips: number, after: string }>}
 */
async function session(flash, work) {
  const copy = join(mkdtempSync(join(tmpdir(), 'belay-bench-apply-flash-')), 'flash');
  cpSync(flash, copy, { recursive: true });
  const transport = await EmulatorTransport.open({ dir: copy, runMain: false });
  const wire = () => transport.bytesToBoard + transport.bytesToHost;
  const started = performance.now();
  const device = await Device.over(transport, { timeoutMs: 120_000 });
  const counter = countExecs(device);
  try {
    const value = await work(device, wire, counter);
    return { value, seconds: (performance.now() - started) / 1000, wire: wire(), trips: counter.n, after: copy };
  } finally {
    await device.close();
    await transport.close();
  }
}

/**
 * The median of three sessions by wall time (the machine is shared).
 * @template T
 * @param {string} flash
 * @param {(device: Device, wire: () => number, trips: { n: number }) => Promise<T>} work
 */
async function median(flash, work) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await session(flash, work));
  return runs.sort((a, b) => a.seconds - b.seconds)[1];
}

/** @type {Array<Record<string, string | number>>} */
const rows = [];
/** @type {Array<Record<string, string | number>>} */
const phases = [];

/**
 * @param {string} label
 * @param {{ seconds: number, wire: number, trips: number }} run
 * @param {string} note
 */
function row(label, run, note) {
  rows.push({ operation: label, 'wall s': run.seconds.toFixed(2), 'wire bytes': run.wire, 'round trips': run.trips, note });
  console.error(`  ${label}: ${run.seconds.toFixed(2)} s, ${run.wire} bytes`);
}

/**
 * An apply in a session that plans first (as `belay plan --out` would have), measuring only the apply.
 * @param {string} flash
 * @param {string} root
 * @param {string} label
 */
async function benchApply(flash, root, label) {
  const config = await loadConfig({ cwd: root });
  const run = await median(flash, async (device, wire, trips) => {
    const { plan } = await makePlan(device, config, { cache: false, diff: false });
    device.fs.reset(); // apply in its own session: the helpers are installed again, as in `belay apply FILE`
    const from = wire();
    const tripsFrom = trips.n;
    const started = performance.now();
    /** @type {Record<string, number>} */
    const at = {};
    const result = await applyPlan(device, plan, config, {
      afterApply: 'none',
      hooks: {
        onStart: (phase) => void (at[`${phase} start`] = wire()),
        onDone: (phase) => void (at[`${phase} done`] = wire()),
        onProgress: (_phase, p) => {
          if (p.path === MANIFEST_PATH && p.fileDone === 0) at['manifest start'] = wire();
        },
      },
    });
    return { result, from, at, end: wire(), seconds: (performance.now() - started) / 1000, trips: trips.n - tripsFrom };
  });
  const { result, from, at, end, seconds, trips } = run.value;
  const files = result.created.length + result.updated.length + result.deleted.length;
  row(label, { seconds, wire: end - from, trips }, `${files} files changed, ${result.bytes} B staged (manifest included)`);
  const stageFiles = (at['manifest start'] ?? at['stage done']) - at['stage start'];
  phases.push({
    apply: label,
    'check (list, identity, manifest, fresh plan)': at['check done'] - from,
    'stage: the files': stageFiles,
    'stage: the manifest': at['stage done'] - (at['manifest start'] ?? at['stage done']),
    'commit (journal, renames, deletes)': at['commit done'] - at['commit start'],
    'cleanup (confirming listing)': at['cleanup done'] - at['cleanup start'],
    total: end - from,
    'overhead vs the files': end - from - stageFiles,
  });
  return run.after;
}

/**
 * `put -r src /` in a fresh session.
 * @param {string} flash
 * @param {string} root
 * @param {string} label
 */
async function benchPut(flash, root, label) {
  const run = await median(flash, async (device, wire, trips) => {
    // Measured from after the connection, like the apply (whose session also planned first).
    const from = wire();
    const tripsFrom = trips.n;
    const started = performance.now();
    const result = await putTree(device.fs, join(root, 'src'), '/');
    return { result, wire: wire() - from, trips: trips.n - tripsFrom, seconds: (performance.now() - started) / 1000 };
  });
  const { result, ...figures } = run.value;
  const uploaded = result.files.filter((/** @type {{ action: string }} */ f) => f.action === 'upload');
  row(label, figures, `${uploaded.length} files uploaded, ${result.bytes} B`);
  return run.after;
}

console.error(`belay apply benchmark (${FILES} files)`);
const empty = mkdtempSync(join(tmpdir(), 'belay-bench-apply-empty-'));

// put -r: first time, then after one file changed.
{
  const root = makeBenchProject('belay-bench-apply-', FILES, FILES / 4);
  const deployed = await benchPut(empty, root, 'put -r, first time');
  changeOne(root);
  await benchPut(deployed, root, 'put -r, one file changed');
  rmSync(root, { recursive: true, force: true });
}
// apply: first time, then after one file changed.
{
  const root = makeBenchProject('belay-bench-apply-', FILES, FILES / 4);
  const deployed = await benchApply(empty, root, 'apply, first time');
  changeOne(root);
  await benchApply(deployed, root, 'apply, one file changed');
  rmSync(root, { recursive: true, force: true });
}
console.table(rows);
console.log('Wire bytes of apply by phase (both directions):');
console.table(phases);
