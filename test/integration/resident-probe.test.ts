// The capability probe stays on a board with heap to spare (probe.py), so
// a later connection asks in a few bytes instead of sending it again. What
// it answers is computed anew each time (an interrupted transaction left
// since is still seen); a copy of another version is removed, never called;
// a small board keeps nothing; a reset forgets it and the whole probe goes.
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { probeProgram, residentProbeCall, residentProbeName } from '../../src/device/probe-program.js';
import { boardPool } from '../helpers/boards.js';

const boards = boardPool();
afterEach(boards.closeAll);

/** A new session on the board behind `transport` and the bytes its probe sent. */
async function session(transport: Parameters<typeof Device.over>[0]): Promise<{ device: Device; sent: number }> {
  const before = transport.wire.sent;
  const device = await Device.over(transport);
  return { device, sent: transport.wire.sent - before };
}

const globalsNamed = async (device: Device, prefix: string): Promise<string[]> =>
  JSON.parse((await device.exec(`import json\nprint(json.dumps(sorted(k for k in globals() if k.startswith(${JSON.stringify(prefix)}))))`)).stdout.toString());

describe('the resident capability probe', () => {
  it('a second session asks in a few bytes and learns the same, pending records included', async () => {
    const { transport } = await boards.open('in-process');
    const first = await session(transport);
    expect(first.sent).toBeGreaterThan(probeProgram({ resident: false }).length);
    expect(await globalsNamed(first.device, '_bp_')).toEqual([residentProbeName()]);
    // Something a cut left since: the short call still reports it, as the whole probe would.
    await first.device.exec("import os\nos.mkdir('/.belay')\nopen('/.belay/intent.log', 'w').close()");
    const second = await session(transport);
    expect(second.sent).toBeLessThan(140);
    // (bootCopy says how the answer came: the first session asked for a boot copy on flash, which this board has not.)
    expect(first.device.capabilities.bootCopy).toBe(false);
    expect(second.device.capabilities.bootCopy).toBeUndefined();
    const { memFree: _a, pending: before, bootCopy: _c, ...firstFacts } = first.device.capabilities;
    const { memFree: _b, pending: after, ...secondFacts } = second.device.capabilities;
    expect(secondFacts).toEqual(firstFacts);
    expect(before).toEqual([]);
    expect(after).toEqual(['intent.log']);
  });

  // The raw REPL collects only when an allocation fails: a board kept between
  // commands holds the garbage of the last one's programs. Counted as used,
  // the board looked several times smaller than it is (smaller batches,
  // frames and compression windows, no kept helpers). The emulated board
  // collects between programs (docs/emulator.md), so the garbage is made in
  // the same program as the probe, as a board would still hold it.
  it.each([
    ['the whole probe', () => probeProgram({ resident: false }), (out: string) => (JSON.parse(out) as unknown[])[6]],
    ['the first question', () => residentProbeCall(), (out: string) => JSON.parse(out) as unknown],
  ])('reports the free heap after collecting what earlier programs left (%s)', async (_name, program, memFree) => {
    const { transport } = await boards.open('in-process', { heapSize: 128 * 1024 });
    const setup = await Device.over(transport, { probe: false });
    const collected = Number((await setup.exec('import gc\ngc.collect()\nprint(gc.mem_free())')).stdout.toString());
    const garbage = 'for i in range(300):\n    x = bytearray(200)\ndel x\n';
    const reported = Number(memFree((await setup.exec(garbage + program())).stdout.toString().trim()));
    // Less only what the probe itself holds (its code, json): the 60 KB of garbage is not counted.
    expect(reported).toBeGreaterThan(collected - 16 * 1024);
  });

  it('removes a copy another version left and never calls it', async () => {
    const { transport } = await boards.open('in-process');
    const setup = await Device.over(transport, { probe: false });
    await setup.exec("def _bp_000000000000(name):\n    raise RuntimeError('the old probe ran')\n");
    const { device, sent } = await session(transport);
    expect(sent).toBeGreaterThan(probeProgram({ resident: false }).length);
    expect(device.capabilities.platform).toBe('webassembly');
    expect(await globalsNamed(device, '_bp_')).toEqual([residentProbeName()]);
  });

  it('a board with little heap keeps nothing and is sent the whole probe each time', async () => {
    const { transport } = await boards.open('in-process', { heapSize: 32 * 1024 });
    const first = await session(transport);
    expect(await globalsNamed(first.device, '_bp')).toEqual([]);
    const second = await session(transport);
    expect(second.sent).toBeGreaterThan(probeProgram({ resident: false }).length);
    expect(second.device.capabilities.hash).toBe(first.device.capabilities.hash);
  });

  it('after a soft reset the whole probe goes again', async () => {
    const { transport } = await boards.open('in-process');
    const first = await session(transport);
    await first.device.softReset();
    const second = await session(transport);
    expect(second.sent).toBeGreaterThan(probeProgram({ resident: false }).length);
    expect(second.device.capabilities.platform).toBe('webassembly');
    expect(await globalsNamed(second.device, '_bp_')).toEqual([residentProbeName()]);
  });
});
