// Plan benchmark: a no-change `belay plan` of a 200-file and a 1,000-file
// project on the emulated board, next to a plain recursive listing of the
// board (names only, and with hashes as `ls -r -l` does), with the number of
// board round trips (programs run) of each; and local hashing of the
// project with a cold hash cache vs a warm one. Prints figures only.
// BENCH_PLAN_BAUD=1 adds the 200-file plan over an emulated 115200-baud UART.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '#dist/device/device.js';
import { EmulatorTransport } from '#dist/emulator/emulator-transport.js';
import { loadConfig } from '#dist/config/index.js';
import { makePlan } from '#dist/sync/make-plan.js';
import { readDesired } from '#dist/sync/desired.js';
import { HashCache, hashCacheFile } from '#dist/sync/hash-cache.js';
import { reservedPath } from '#dist/paths/reserved.js';
import { MANIFEST_NAME } from '#dist/sync/records.js';
import { countExecs, makeBenchProject } from './common.mjs';

/**
 * The median of three runs (the machine is shared: one run can be unlucky).
 * @template T
 * @param {() => Promise<T>} run
 * @param {() => Promise<void> | void} [before]
 * @returns {Promise<{ value: T, seconds: number }>}
 */
async function timed(run, before = async () => {}) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    await before();
    const started = performance.now();
    const value = await run();
    runs.push({ value, seconds: (performance.now() - started) / 1000 });
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[1];
}

/** @type {Array<Record<string, string | number>>} */
const rows = [];

/**
 * @param {number} count
 * @param {'in-process' | '115200 baud'} link
 */
async function benchProject(count, link) {
  const root = makeBenchProject(`belay-bench-plan-${count}-`, count, 20);
  const flash = mkdtempSync(join(tmpdir(), 'belay-bench-plan-flash-'));
  const transport = await EmulatorTransport.open({ dir: flash, flashSize: 16 * 1024 * 1024, runMain: false, ...(link === '115200 baud' ? { baud: 115200 } : {}) });
  const device = await Device.over(transport, { timeoutMs: 120_000 });
  try {
    const config = await loadConfig({ cwd: root });
    // Deploy the project as apply would: files, then the manifest the plan computed.
    const first = (await makePlan(device, config, { cache: false })).plan;
    for (const change of first.changes.filter((c) => c.action === 'mkdir')) await device.fs.mkdir(change.path);
    for (const change of first.changes.filter((c) => c.action === 'create')) {
      const source = /** @type {{ kind: 'local', path: string }} */ (change.source);
      await device.fs.write(change.path, { file: join(root, source.path) });
    }
    const manifest = { formatVersion: 1, board: first.board.id, applyId: 'bench', appliedAt: new Date().toISOString(), belayVersion: first.belayVersion, profile: null, hashAlgorithm: first.hashAlgorithm, ...first.manifest };
    await device.fs.mkdir(reservedPath(), { parents: true });
    await device.fs.write(reservedPath(MANIFEST_NAME), Buffer.from(JSON.stringify(manifest)));
    await makePlan(device, config); // fills the hash cache

    const counter = countExecs(device);
    /**
     * @param {string} label
     * @param {() => Promise<Record<string, string>>} run
     */
    const measure = async (label, run) => {
      const { value, seconds } = await timed(run, () => {
        device.fs.reset(); // a new session: the fs helpers are installed again, as in a fresh `belay plan`
        counter.n = 0;
      });
      rows.push({ link, project: `${count} files`, operation: label, 'wall s': seconds.toFixed(2), 'round trips': counter.n, ...value });
      console.error(`  ${link} ${count} files: ${label} ${seconds.toFixed(2)} s`);
    };
    await measure('no-change plan', async () => {
      const made = await makePlan(device, config);
      if (made.plan.changes.length) throw new Error(`expected no changes, got ${made.plan.changes.length}`);
      return { note: `cache ${made.cache.hits} hits / ${made.cache.misses} misses` };
    });
    await measure('listing, names only', async () => ({ note: `${(await device.fs.list('/', { recursive: true })).length} entries` }));
    await measure('listing with hashes (ls -r -l)', async () => ({ note: `${(await device.fs.list('/', { recursive: true, hash: true })).length} entries` }));

    if (link === 'in-process') {
      // Cold: no cache file (every file read and hashed). Warm: the saved cache (stat only).
      /** @type {HashCache | undefined} */
      let cache;
      /**
       * @param {string} label
       * @param {boolean} warm
       */
      const hashing = async (label, warm) => {
        const { seconds } = await timed(
          () => readDesired(config, { algorithm: 'sha256', cache }),
          async () => {
            if (!warm) rmSync(hashCacheFile(root), { force: true });
            cache = await HashCache.load(root);
          },
        );
        const used = /** @type {HashCache} */ (cache);
        rows.push({ link: 'local', project: `${count} files`, operation: label, 'wall s': seconds.toFixed(3), 'round trips': 0, note: `${used.hits} hits / ${used.misses} misses` });
        await used.save();
      };
      await hashing('local hashing, cold cache', false);
      await hashing('local hashing, warm cache', true);
    }
  } finally {
    await device.close();
    rmSync(flash, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}

console.error('belay plan benchmark');
await benchProject(200, 'in-process');
await benchProject(1000, 'in-process');
if (process.env.BENCH_PLAN_BAUD) await benchProject(200, '115200 baud');
console.table(rows);
