import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { LINKS, boardPool, failure, openBoard } from '../helpers/boards.js';
import { describeWithSocat } from '../helpers/socat.js';

const boards = boardPool();
const board = boards.open;
afterEach(boards.closeAll);

describe.each(LINKS)('device over %s link', (link) => {
  it('runs code and returns its output', async () => {
    const b = await board(link);
    const device = await Device.over(b.transport);
    expect((await device.exec('print(6*7)')).stdout.toString().trim()).toBe('42');
    expect(device.boardPlatform).toBe('webassembly');
  });

  it('carries 1 MiB of printed output intact', async () => {
    const b = await board(link);
    const device = await Device.over(b.transport);
    const { stdout } = await device.exec("for i in range(16384):\n    print('%063d' % i)");
    const lines = stdout.toString().split(/\r?\n/).filter(Boolean);
    expect(lines).toHaveLength(16384);
    expect(lines[12345]).toBe(String(12345).padStart(63, '0'));
    expect(stdout.length).toBeGreaterThanOrEqual(1024 * 1024);
  });

  it('names errno values of board exceptions', async () => {
    const b = await board(link);
    const device = await Device.over(b.transport);
    const enoent = await failure(device.exec("import os\nos.stat('/missing')"));
    expect(enoent.code).toBe('BOARD_EXCEPTION');
    expect(enoent.data).toMatchObject({ type: 'OSError', errnoName: 'ENOENT' });
    await device.exec("import os\nos.mkdir('/d')\nopen('/d/f','w').close()");
    expect((await failure(device.exec("import os\nos.mkdir('/d')"))).data.errnoName).toBe('EEXIST');
    expect((await failure(device.exec("import os\nos.rmdir('/d')"))).data.errnoName).toBe('ENOTEMPTY');
    const value = await failure(device.exec("raise ValueError('nope')"));
    expect(value.data).toMatchObject({ type: 'ValueError', message: 'nope' });
  });

  it('interrupts a running while-True loop and stays usable', async () => {
    const b = await board(link);
    const device = await Device.over(b.transport);
    const controller = new AbortController();
    const running = device.exec('while True:\n    pass', { signal: controller.signal, timeoutMs: Infinity });
    setTimeout(() => controller.abort(), 300);
    expect((await failure(running)).code).toBe('ABORTED');
    expect((await device.exec('print(1+1)')).stdout.toString().trim()).toBe('2');
  });

  it('soft reset restarts the interpreter and keeps the files', async () => {
    const b = await board(link);
    writeFileSync(join(b.flash, 'boot.py'), "print('booted')\n");
    const device = await Device.over(b.transport);
    await device.exec("x = 5\nopen('/kept.txt','w').write('still here')");
    const bootOutput = await device.softReset();
    expect(bootOutput).toContain('booted');
    expect((await failure(device.exec('print(x)'))).data.type).toBe('NameError');
    expect((await device.exec("print(open('/kept.txt').read())")).stdout.toString().trim()).toBe('still here');
  });

  it('reports ENOSPC when the flash is full, and statvfs reports the flash size', async () => {
    const b = await board(link, { flashSize: 64 * 1024 });
    const device = await Device.over(b.transport);
    const info = await device.info();
    expect(info.fs_size).toBe(64 * 1024);
    const full = await failure(device.exec("f = open('/big', 'wb')\nfor i in range(200):\n    f.write(bytes(1024))"));
    expect(full.data.errnoName).toBe('ENOSPC');
  });

  it('fails fast with LINK_LOST when the link drops mid-command', async () => {
    const b = await board(link, { dropAfterBytes: 2000 });
    const device = await Device.over(b.transport, { timeoutMs: 60_000 });
    const error = await failure(device.exec(`x = '${'a'.repeat(5000)}'`));
    expect(error.code).toBe('LINK_LOST');
  });
});

describe('the emulated board', () => {
  it('keeps its files between power cycles (the flash folder)', async () => {
    const first = await openBoard('in-process');
    const d1 = await Device.over(first.transport);
    await d1.exec("open('/x','w').write('1')");
    await d1.close();
    expect(readFileSync(join(first.flash, 'x'), 'utf8')).toBe('1');
    const second = await board('in-process', { dir: first.flash });
    const d2 = await Device.over(second.transport);
    expect((await d2.exec("print(open('/x').read())")).stdout.toString().trim()).toBe('1');
  });

  it('refuses a second host on the same board', async () => {
    const b = await board('in-process');
    const second = await failure(openBoard('in-process', { dir: b.flash }));
    expect(second.code).toBe('PORT_BUSY');
  });

  it('cuts the power at the Nth filesystem write and restarts with the files as they were', async () => {
    const script = "open('/a','w').write('A')\nopen('/b','w').write('B')\nopen('/c','w').write('C')";
    // count the writes of the script on a board without faults
    const probe = await board('in-process');
    const counter = await Device.over(probe.transport);
    const before = probe.board.mutations;
    await counter.exec(script);
    const writes = probe.board.mutations - before;
    expect(writes).toBeGreaterThanOrEqual(3);

    const victim = await openBoard('in-process');
    const setupDevice = await Device.over(victim.transport);
    const boot = victim.board.mutations;
    await setupDevice.close();
    // second power-on with the fault: the 2nd mutation of the script never happens
    const cut = await openBoard('in-process', { dir: victim.flash, powerCutAtWrite: boot + 3 });
    const device = await Device.over(cut.transport);
    const error = await failure(device.exec(script));
    expect(error.code).toBe('LINK_LOST');
    expect(cut.transport.closed).toBe(true);
    expect(existsSync(join(victim.flash, 'a'))).toBe(true);
    expect(existsSync(join(victim.flash, 'c'))).toBe(false);
    // and the board comes back with exactly those files
    const again = await board('in-process', { dir: victim.flash });
    const revived = await Device.over(again.transport);
    expect((await revived.exec("import os\nprint(sorted(os.listdir('/')))")).stdout.toString()).toContain("'a'");
  });

  it('queues concurrent calls instead of interleaving them', async () => {
    const b = await board('in-process');
    const device = await Device.over(b.transport);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => device.exec(`print(${i}*${i})`)));
    expect(results.map((r) => Number(r.stdout.toString().trim()))).toEqual([0, 1, 4, 9, 16, 25, 36, 49]);
  });

  it.each(['refused', 'unknown'] as const)('falls back when raw-paste is %s', async (rawPaste) => {
    const b = await board('in-process', { rawPaste });
    const device = await Device.over(b.transport);
    const code = `print(len('${'x'.repeat(3000)}'))`;
    expect((await device.exec(code)).stdout.toString().trim()).toBe('3000');
    expect((await device.info()).features.raw_paste).toBe(false);
  });

  it('uses raw-paste when the firmware has it', async () => {
    const b = await board('in-process');
    const device = await Device.over(b.transport);
    expect((await device.exec(`print(len('${'y'.repeat(3000)}'))`)).stdout.toString().trim()).toBe('3000');
    expect((await device.info()).features.raw_paste).toBe(true);
    expect(b.board.droppedBytes).toBe(0);
  });

  it('the probe reads the receive buffer a board announces, and none from one that does not', async () => {
    const announced = await Device.over((await board('in-process', { rxBuffer: 2048 })).transport);
    expect(announced.capabilities).toMatchObject({ rxBuffer: 2048, hashlib: true, deflate: true, stdinBuffer: true, pending: [] });
    const opaque = await Device.over((await board('in-process', { rxBuffer: 2048, announceRxBuffer: false, hide: ['deflate'] })).transport);
    expect(opaque.capabilities.rxBuffer).toBeUndefined();
    expect(opaque.capabilities.deflate).toBe(false);
  });

  it('hides features on request', async () => {
    const b = await board('in-process', { hide: ['hashlib', 'stdin.buffer'] });
    const device = await Device.over(b.transport);
    const info = await device.info();
    expect(info.features.hashlib).toBe(false);
    expect(info.features.stdin_buffer).toBe(false);
    expect(info.features.binascii).toBe(true);
  });
});

describe.each(LINKS)('connecting to a busy board over %s link', (link) => {
  it('interrupts a main.py that never ends, without resetting the board', async () => {
    const first = await openBoard('in-process');
    const setup = await Device.over(first.transport);
    await setup.exec("open('/main.py','w').write('counter = 0\\nwhile True:\\n    counter += 1\\n')");
    await setup.close();
    // power on with main.py running, as a board does
    const busy = await board(link, { dir: first.flash, runMain: true });
    const device = await Device.over(busy.transport);
    // the interrupted program's state is still there: no reset happened
    const counter = Number((await device.exec('print(counter)')).stdout.toString());
    expect(counter).toBeGreaterThan(0);
  });
});

describe('the quoting helper against the real parser', () => {
  it('gives back every hostile string exactly, as data', async () => {
    const { pyLiteral } = await import('../../src/device/snippets.js');
    const b = await board('in-process');
    const device = await Device.over(b.transport);
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f';
    const hostile = [
      "a'); import os; os.remove('main.py') #",
      '"""triple""" \'\'\'quotes\'\'\'',
      'back\\slash\\',
      '\\x41 \\n \\u0041 not escapes',
      controls,
      'ünïcødé 名前 🙂 \u2028\u2029',
      '{}%s%d{0}',
    ];
    const literal = `[${hostile.map((text) => pyLiteral(text)).join(', ')}]`;
    const { stdout } = await device.exec(`import json\nprint(json.dumps(${literal}))`);
    expect(JSON.parse(stdout)).toEqual(hostile);
  });
});

describeWithSocat('serial ports', () => {
  it('are opened exclusively: a second belay gets PORT_BUSY', async () => {
    const b = await board('pty');
    const { SerialTransport } = await import('../../src/transport/serial.js');
    const link = b.transport.description;
    const second = await failure(SerialTransport.open(link));
    expect(second.code).toBe('PORT_BUSY');
    // the first connection is unaffected
    const device = await Device.over(b.transport);
    expect((await device.exec('print(5)')).stdout.toString().trim()).toBe('5');
  });

  it('a port whose device node vanishes is LINK_LOST at once, though no hang-up came through', async () => {
    const b = await board('pty');
    const device = await Device.over(b.transport, { timeoutMs: 60_000 });
    // The pty itself stays open (the bridge holds it), as when a driver
    // fails to pass on an unplug: only the device node is gone.
    const running = failure(device.exec('import time\ntime.sleep(10)'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(b.transport.description);
    const lost = await running;
    expect(lost.code).toBe('LINK_LOST');
    expect(b.transport.closed).toBe(true);
  });
});

describe('connecting without the capability probe', () => {
  const sentBy = (log: Buffer[]) => Buffer.concat(log).toString('latin1');

  it('runs code at once; capabilities and the filesystem come with probe(), which info() runs itself', async () => {
    const b = await board('in-process');
    const sent: Buffer[] = [];
    const device = await Device.over(b.transport, { probe: false, fs: { helperCache: false }, log: (direction, bytes) => direction === 'send' && sent.push(Buffer.from(bytes)) });
    expect((await device.exec('print(6*7)')).stdout.trim()).toBe('42');
    expect(sentBy(sent)).not.toContain('_bprobe');
    expect(device.boardPlatform).toBeUndefined();
    for (const read of [() => device.capabilities, () => device.fs]) {
      expect(read).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    }
    expect((await device.info()).features.hashlib).toBe(true);
    expect(sentBy(sent)).toContain('_bprobe');
    expect(device.capabilities.platform).toBe('webassembly');
    await device.fs.write('/x.txt', Buffer.from('x'));
    expect((await device.fs.list('/')).map((entry) => entry.path)).toEqual(['/x.txt']);
    // probed once per session, however often asked
    const probes = sentBy(sent).split('_bprobe').length;
    await device.probe();
    expect(sentBy(sent).split('_bprobe').length).toBe(probes);
  });

  it('names an errno the ports read differently by asking the board its platform', async () => {
    const b = await board('in-process');
    const device = await Device.over(b.transport, { probe: false });
    // A board that says it is an ESP32 (newlib numbers): 90 is ENOTEMPTY there, nothing on Linux.
    const fakePlatform = "import sys\nclass _P:\n    platform = 'esp32'\nsys.modules['sys'] = _P()\n";
    const err = await failure(device.exec(`${fakePlatform}raise OSError(90)`));
    expect(err.data).toMatchObject({ type: 'OSError', errno: 90, errnoName: 'ENOTEMPTY' });
    expect(device.boardPlatform).toBe('esp32');
    // a name the board prints itself needs no platform
    const other = await Device.over((await board('in-process')).transport, { probe: false });
    expect((await failure(other.exec("import os\nos.stat('/missing')"))).data.errnoName).toBe('ENOENT');
    expect(other.boardPlatform).toBeUndefined();
  });
});

describe('a program that outlives its timeout', () => {
  it('is stopped, and the session answers the next command', async () => {
    const b = await board('in-process');
    const device = await Device.over(b.transport);
    const timedOut = await failure(device.exec('while True:\n    pass', { timeoutMs: 300 }));
    expect(timedOut.code).toBe('TIMEOUT');
    expect((await device.exec('print(3*3)')).stdout.toString().trim()).toBe('9');
  });
});
