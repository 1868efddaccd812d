// What the benchmarks share: a project of small Python files to deploy, and
// a counter of the programs a session runs on the board (its round trips).
import { mkdtempSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Older than the hash cache's racy window, as files in a real project are. */
const LONG_AGO = new Date(Date.now() - 3600_000);

/**
 * A project (belay.yaml: src/ -> /) of `count` Python files of about 600
 * bytes, `perFolder` to a folder (src/pkgN/moduleI.py).
 * @param {string} prefix temp folder name
 * @param {number} count
 * @param {number} perFolder
 */
export function makeBenchProject(prefix, count, perFolder) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'src', `pkg${Math.floor(i / perFolder)}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `module${i}.py`);
    writeFileSync(file, `# module ${i}\n${'def f(x):\n    return x * 2  # padding padding padding\n'.repeat(11)}`);
    utimesSync(file, LONG_AGO, LONG_AGO);
  }
  writeFileSync(join(root, 'belay.yaml'), 'sources:\n  - from: src\n    to: /\n');
  return root;
}

/**
 * Counts programs run on the board (round trips): `counter.n` grows with each.
 * @param {import('#dist/device/device.js').Device} device
 */
export function countExecs(device) {
  const counter = { n: 0 };
  const exec = device.exec.bind(device);
  const execInteractive = device.execInteractive.bind(device);
  device.exec = /** @type {typeof device.exec} */ (
    (...args) => {
      counter.n += 1;
      return exec(...args);
    }
  );
  device.execInteractive = (...args) => {
    counter.n += 1;
    return execInteractive(...args);
  };
  return counter;
}
