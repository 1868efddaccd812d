// The capability probe stays on a board with heap to spare (probe.py), so
// a later connection asks in a few bytes instead of sending it again. What
// it answers is computed anew each time (an interrupted transaction left
// since is still seen); a copy of another version is removed, never called;
// a small board keeps nothing; a reset forgets it and the whole probe goes.
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { probeProgram, residentProbeName } from '../../src/device/probe-program.js';
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
    expect(second.sent).toBeLessThan(120);
    const { memFree: _a, pending: before, ...firstFacts } = first.device.capabilities;
    const { memFree: _b, pending: after, ...secondFacts } = second.device.capabilities;
    expect(secondFacts).toEqual(firstFacts);
    expect(before).toEqual([]);
    expect(after).toEqual(['intent.log']);
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
