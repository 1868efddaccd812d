// The byte-corruption fault: one byte changed in transit, either way, and
// nothing else about the stream.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { tempDir } from '../helpers/boards.js';

const open: EmulatorTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((board) => board.close()));
});
async function board(options: Partial<EmulatorOptions> = {}) {
  const transport = await EmulatorTransport.open({ dir: join(tempDir(), 'flash'), runMain: false, ...options });
  open.push(transport);
  return { transport, device: await Device.over(transport) };
}

const PROGRAM = `x = '${'b'.repeat(1000)}'\nprint(x.count('b'), x.count('c'), x.count('r'))`;

describe('the corruption fault', () => {
  it('flips one bit of one byte on its way to the board', async () => {
    const { transport, device } = await board();
    const before = transport.bytesToBoard;
    transport.corruptAfter('to-board', 600);
    expect((await device.exec(PROGRAM)).stdout.toString().trim()).toBe('999 1 0'); // 'b' ^ 0x01 = 'c'
    expect(transport.bytesToBoard - before).toBeGreaterThan(1000);
    // One-shot: the next program arrives intact.
    expect((await device.exec(PROGRAM)).stdout.toString().trim()).toBe('1000 0 0');
  });

  it('replaces one byte on its way to the host', async () => {
    const { transport, device } = await board();
    transport.corruptAfter('to-host', 500, { value: 0x3f });
    const { stdout } = await device.exec("print('a' * 1000)");
    const text = stdout.toString().trim();
    expect(text).toHaveLength(1000);
    expect([...text].filter((c) => c === '?')).toHaveLength(1);
    expect([...text].filter((c) => c === 'a')).toHaveLength(999);
  });

  it('can be set when the board is opened, counting from the opening', async () => {
    // How many bytes connecting sends, on a board without the fault.
    const probe = await board();
    const connect = probe.transport.bytesToBoard;
    const { device } = await board({ corrupt: [{ direction: 'to-board', after: connect + 600, xor: 0x10 }] });
    expect((await device.exec(PROGRAM)).stdout.toString().trim()).toBe('999 0 1'); // 'b' ^ 0x10 = 'r'
  });

  it('refuses a direction that does not exist', async () => {
    await expect(board({ corrupt: [{ direction: 'sideways' as 'to-host', after: 1 }] })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
