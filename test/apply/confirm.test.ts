/**
 * After its commit, apply confirms with one listing that the board holds
 * what the plan says and that nothing of the transaction is left. Here a
 * program on the board undoes part of the work right after the commit (as
 * a running main.py could): the apply fails with VERIFY_FAILED naming what
 * is wrong, instead of reporting success.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Device } from '../../src/device/device.js';
import { pyLiteral } from '../../src/device/snippets.js';
import { isBelayError } from '../../src/errors.js';
import { applyPlan } from '../../src/sync/apply.js';
import { tempDir } from '../helpers/boards.js';
import { withBoard } from '../transaction/helpers.js';
import { makeProject, planOn, writeFiles } from './helpers.js';

/** Plans and applies, running `program` on the board as soon as the commit is done; the error it ends with. */
async function applyThenRun(device: Device, root: string, program: string): Promise<unknown> {
  const { plan, config } = await planOn(device, root);
  // Queued at once, so it runs before the confirming listing.
  const hooks = { onDone: (phase: string) => void (phase === 'commit' && device.exec(program)) };
  return applyPlan(device, plan, config, { afterApply: 'none', hooks }).then(
    () => undefined,
    (err: unknown) => err,
  );
}

it('apply confirms the result: a file gone or a staged file left after the commit is VERIFY_FAILED', async () => {
  const root = makeProject({ 'src/main.py': 'print(1)\n', 'src/lib/a.py': 'A = 1\n' });
  await withBoard(join(tempDir('belay-confirm-'), 'flash'), {}, async (device) => {
    const gone = await applyThenRun(device, root, `import os\nos.remove(${pyLiteral('/lib/a.py')})`);
    expect(isBelayError(gone, 'VERIFY_FAILED'), String(gone)).toBe(true);
    expect((gone as { data: { problems: string[] } }).data.problems).toEqual(['/lib/a.py: not the planned file']);

    writeFiles(root, { 'src/lib/b.py': 'B = 1\n' });
    const left = await applyThenRun(device, root, `f = open(${pyLiteral('/lib/.belay-tmp-left')}, 'w')\nf.write('x')\nf.close()`);
    expect(isBelayError(left, 'VERIFY_FAILED'), String(left)).toBe(true);
    expect((left as { data: { problems: string[] } }).data.problems).toEqual(['/lib/.belay-tmp-left: a staged file was left']);
  });
});
