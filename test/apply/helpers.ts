// Projects, boards and plans for the apply tests: a project folder with a
// belay.yaml and its sources, a flash folder holding a board's old state,
// and a plan made against it (no hash cache, no diffs: only what apply uses).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import type { LoadedConfig } from '../../src/config/types.js';
import type { Device } from '../../src/device/device.js';
import { makePlan } from '../../src/sync/make-plan.js';
import type { Plan } from '../../src/sync/types.js';
import { tempDir } from '../helpers/boards.js';

/** Files by relative path; null removes one. */
export type Files = Record<string, string | Buffer | null>;

export function writeFiles(root: string, files: Files): void {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(root, relative);
    if (content === null) {
      rmSync(path, { force: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

export const BASIC_CONFIG = ['sources:', '  - from: src', '    to: /', ''].join('\n');

/** A project folder: belay.yaml (default: src/ -> /) and `files` under it. */
export function makeProject(files: Files, config = BASIC_CONFIG): string {
  const root = tempDir('belay-apply-project-');
  writeFileSync(join(root, 'belay.yaml'), config);
  writeFiles(root, files);
  return root;
}

/** A flash folder holding `files` (board paths without the leading "/"). */
export function makeFlash(files: Files): string {
  const flash = join(tempDir('belay-apply-flash-'), 'flash');
  mkdirSync(flash, { recursive: true });
  writeFiles(flash, files);
  return flash;
}

export async function configOf(root: string, profile?: string): Promise<LoadedConfig> {
  return loadConfig({ cwd: root, profile });
}

/** A plan for `device` from the project at `root`, as `belay plan` makes it (fixed time; no cache, no diffs). */
export async function planOn(device: Device, root: string, profile?: string): Promise<{ plan: Plan; config: LoadedConfig }> {
  const config = await configOf(root, profile);
  const { plan } = await makePlan(device, config, { cache: false, diff: false, now: new Date('2025-01-01T00:00:00Z') });
  return { plan, config };
}
