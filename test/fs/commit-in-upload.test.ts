// A lone write (put, and each file of put -r) commits inside its upload
// program once the host accepts the hash read back from flash: one program
// per file instead of two. On FAT the rename goes under the journal as
// before, so a power cut at any flash write still leaves the old file or the
// new one, never neither, and the next session cleans up.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { cleanup, programsRunBy, randomPayload, tempDir } from './helpers.js';

const opened: EmulatorTransport[] = [];
const flashes: string[] = [];
async function open(flash: string, options: Partial<EmulatorOptions> = {}) {
  const board = await EmulatorTransport.open({ dir: flash, runMain: false, ...options });
  opened.push(board);
  return { board, device: await Device.over(board, { fs: { helperCache: false } }) };
}
afterEach(async () => {
  for (const board of opened.splice(0)) await board.close().catch(() => undefined);
  for (const flash of flashes.splice(0)) cleanup(flash);
});
function newFlash(): string {
  const flash = tempDir('flash');
  flashes.push(flash);
  return flash;
}


describe.each(['littlefs', 'fat'] as const)('a lone write on %s', (filesystem) => {
  it('is checked and committed in one program, leaving no temp or record', async () => {
    const flash = newFlash();
    const { board, device } = await open(flash, { filesystem });
    await device.fs.write('/warm.txt', Buffer.from('helpers in place\n'));
    const data = randomPayload(20_000);
    // One program looks at the target, checks names and space, uploads,
    // verifies and commits (lone-write.test.ts counts the other cases).
    expect(await programsRunBy(board, () => device.fs.write('/lib/new.bin', data, { parents: true }))).toBe(1);
    expect(readFileSync(join(flash, 'lib', 'new.bin')).equals(data)).toBe(true);
    const replacement = randomPayload(5_000);
    expect(await programsRunBy(board, () => device.fs.write('/lib/new.bin', replacement))).toBe(1);
    expect(readFileSync(join(flash, 'lib', 'new.bin')).equals(replacement)).toBe(true);
    expect(readdirSync(flash).sort()).toEqual(['lib', 'warm.txt']);
    expect(readdirSync(join(flash, 'lib'))).toEqual(['new.bin']);
  });

  it('a power cut at any flash write of a replacement leaves the old or the new file; the next session cleans up', async () => {
    const old = Buffer.from('the old content\n');
    const replacement = randomPayload(3_000);
    // Count the flash writes of one replacement on a board without faults.
    const counting = newFlash();
    writeFileSync(join(counting, 'app.py'), old);
    const probe = await open(counting, { filesystem });
    await probe.device.fs.write('/warm.txt', Buffer.from('x'));
    const before = probe.board.mutations;
    await probe.device.fs.write('/app.py', replacement);
    const writes = probe.board.mutations - before;
    expect(writes).toBeGreaterThan(3);

    const outcomes = new Set<string>();
    for (let step = 1; step <= writes; step++) {
      const flash = newFlash();
      writeFileSync(join(flash, 'app.py'), old);
      // The same steps as the count: power on, a first write (helpers), then the replacement.
      const cut = await open(flash, { filesystem, powerCutAtWrite: before + step });
      await cut.device.fs.write('/warm.txt', Buffer.from('x'));
      const result = await cut.device.fs.write('/app.py', replacement).then(
        () => 'done',
        (err: { code?: string }) => err.code ?? 'error',
      );
      await cut.board.close().catch(() => undefined);
      const after = await open(flash, { filesystem });
      await after.device.fs.recover();
      const now = readFileSync(join(flash, 'app.py'));
      const which = now.equals(old) ? 'old' : now.equals(replacement) ? 'new' : 'neither';
      expect(which, `power cut at write ${step} of ${writes} (${result})`).not.toBe('neither');
      outcomes.add(which);
      expect(readdirSync(flash).sort(), `leftovers after a cut at write ${step}`).toEqual(['app.py', 'warm.txt']);
      await after.board.close();
    }
    // The sweep reached both sides of the commit.
    expect([...outcomes].sort()).toEqual(['new', 'old']);
  });
});
