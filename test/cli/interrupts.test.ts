/**
 * Deadlines from the command line, over both links: Ctrl-C stops a program
 * and leaves the board usable; a program that disabled Ctrl-C costs a short
 * grace period, then exit 130 saying so; a second Ctrl-C exits at once;
 * --timeout is wall-clock; a reader that closes the pipe ends belay quietly
 * and stops the board's program; a board that prints without end and
 * ignores Ctrl-C fails the connection with NOT_RAW_REPL.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWithSocat } from '../helpers/socat.js';
import { CLI_LINKS, cliBoard, exitOf, tempProject, waitFor, type CliBoard } from '../helpers/cli.js';

const boards: CliBoard[] = [];
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
});

async function setup(link: (typeof CLI_LINKS)[number], options: Parameters<typeof cliBoard>[2] = {}) {
  const cwd = tempProject('belay-interrupt-');
  const board = await cliBoard(link, cwd, options);
  boards.push(board);
  return { cwd, board };
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const LOOP = "print('started')\nwhile True:\n    pass\n";
const DEAF_LOOP = "import micropython, time\nmicropython.kbd_intr(-1)\nprint('started')\nwhile True:\n    time.sleep_ms(10)\n";

describe.each(CLI_LINKS)('interrupts over %s link', (link) => {
  it('Ctrl-C stops `belay run`, exits 130, and the board answers the next command', async () => {
    const { cwd, board } = await setup(link);
    writeFileSync(join(cwd, 'loop.py'), LOOP);
    const child = board.spawn(['run', 'loop.py']);
    await waitFor(child.stdout!, 'started');
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    expect(await board.run(['exec', 'print(7*6)'])).toMatchObject({ code: 0, stdout: '42\n' });
  });

  it('a program that disabled Ctrl-C: exit 130 after the grace period, saying the board did not stop', async () => {
    const { cwd, board } = await setup(link);
    writeFileSync(join(cwd, 'deaf.py'), DEAF_LOOP.replace("print('started')", "open('/started','w').close()"));
    const child = board.spawn(['run', 'deaf.py', '--json']);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // --json holds the program's output back: wait for its mark on the flash.
    await until(() => existsSync(join(board.flash, 'started')));
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    const { error } = JSON.parse(stdout) as { error: { code: string; data: { boardStopped?: boolean } } };
    expect(error.code).toBe('ABORTED');
    expect(error.data.boardStopped).toBe(false);
  });

  it('a second Ctrl-C exits at once, without waiting for the board', async () => {
    const { cwd, board } = await setup(link);
    writeFileSync(join(cwd, 'deaf.py'), DEAF_LOOP);
    const child = board.spawn(['run', 'deaf.py']);
    await waitFor(child.stdout!, 'started');
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Again until it exits: a process the machine did not run meanwhile
    // receives two pending SIGINTs as one.
    const again = setInterval(() => child.kill('SIGINT'), 100);
    const code = await exitOf(child).finally(() => clearInterval(again));
    expect(code).toBe(130);
    // Gone before the grace period ran out: no "did not stop" report.
    expect(stderr).not.toContain('did not stop');
  });

  it('exec --timeout is a wall-clock limit for a program that keeps printing', async () => {
    const { board } = await setup(link);
    const run = await board.run(['exec', '--json', '--timeout', '1', 'import time\nwhile True:\n    print(1)\n    time.sleep_ms(50)']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'TIMEOUT', data: { deadline: true } });
    expect(await board.run(['exec', 'print(2)'])).toMatchObject({ code: 0, stdout: '2\n' });
  });

  it('a closed pipe ends exec quietly (exit 141) and stops the program on the board', async () => {
    const { board } = await setup(link);
    const child = board.spawn(['exec', "import time\ni = 0\nwhile True:\n    print('line', i)\n    i += 1\n    time.sleep_ms(5)"]);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(child.stdout!, 'line 3');
    child.stdout!.destroy(); // the reader goes away, as `| head -1` does
    expect(await exitOf(child)).toBe(141);
    expect(stderr).toBe('');
    expect(await board.run(['exec', 'print(3)'])).toMatchObject({ code: 0, stdout: '3\n' });
  });

  it('a closed pipe ends cat of a big file quietly', async () => {
    const { board } = await setup(link);
    expect((await board.run(['exec', "f = open('/big.bin', 'wb')\nfor i in range(64):\n    f.write(bytes(range(256)) * 64)\nf.close()"])).code).toBe(0);
    const child = board.spawn(['cat', '/big.bin']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    expect(await exitOf(child)).toBe(141);
    expect(stderr).toBe('');
    expect(await board.run(['exec', 'print(4)'])).toMatchObject({ code: 0, stdout: '4\n' });
  });
});

describeWithSocat('connecting to a board that prints without end and ignores Ctrl-C', () => {
  it('gives up with NOT_RAW_REPL in bounded time, with a hint that does not need the raw REPL', async () => {
    const flash = join(tempProject('belay-deaf-flash-'), 'flash');
    mkdirSync(flash, { recursive: true });
    writeFileSync(join(flash, 'main.py'), "import micropython, time\nmicropython.kbd_intr(-1)\nwhile True:\n    print('busy')\n    time.sleep_ms(20)\n");
    const { board } = await setup('pty', { dir: flash, runMain: true });
    const run = await board.run(['exec', '--json', 'print(1)']);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; hint: string } };
    expect(error.code).toBe('NOT_RAW_REPL');
    expect(error.hint).not.toMatch(/belay reset/);
  });
});

describeWithSocat('Ctrl-C during put -r', () => {
  it('stops the batch at a frame boundary: exit 130, nothing of it committed, no temp, the board at its prompt', async () => {
    // A slow link, so the batch is still on its way when Ctrl-C comes.
    const { cwd, board } = await setup('pty', { baud: 115200 });
    mkdirSync(join(cwd, 'tree'));
    for (let i = 0; i < 3; i++) writeFileSync(join(cwd, 'tree', `f${i}.bin`), randomBytes(30_000));
    const child = board.spawn(['put', '-r', 'tree', '/tree']);
    // The board has begun writing the batch (on littlefs its small files go into one pack under /.belay).
    const pack = join(board.flash, '.belay', '.belay-tmp-pack');
    await until(() => existsSync(pack) && statSync(pack).size > 0);
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    expect(existsSync(join(board.flash, 'tree'))).toBe(false);
    expect(existsSync(pack)).toBe(false);
    expect(await board.run(['exec', 'print(7*6)'])).toMatchObject({ code: 0, stdout: '42\n' });
  });
});
