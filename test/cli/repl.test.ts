/**
 * `belay repl` over both links: keys reach the board's friendly REPL, Ctrl-C
 * interrupts a running program through it, Ctrl-] (or Ctrl-X) leaves, and
 * the board is usable by the next command.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_LINKS, cliBoard, exitOf, tempProject, waitFor, type CliBoard } from '../helpers/cli.js';

const boards: CliBoard[] = [];
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
});

describe.each(CLI_LINKS)('belay repl over %s link', { timeout: 120_000 }, (link) => {
  it('runs what is typed, passes Ctrl-C to the board, leaves on Ctrl-], and the board stays usable', async () => {
    const cwd = tempProject('belay-repl-');
    const board = await cliBoard(link, cwd);
    boards.push(board);
    const child = board.spawn(['repl']);
    const stdout = child.stdout!;
    await waitFor(stdout, '>>> ');
    child.stdin!.write('print(6*7)\r');
    await waitFor(stdout, '42');
    child.stdin!.write('while True: pass\r\r');
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.stdin!.write('\x03');
    await waitFor(stdout, 'KeyboardInterrupt');
    child.stdin!.write('x = 5\r');
    child.stdin!.write('\x1d');
    expect(await exitOf(child)).toBe(0);
    expect(await board.run(['exec', 'print(2+2)'])).toMatchObject({ code: 0, stdout: '4\n' });
  });

  it('Ctrl-X leaves too', async () => {
    const cwd = tempProject('belay-repl-');
    const board = await cliBoard(link, cwd);
    boards.push(board);
    const child = board.spawn(['repl']);
    await waitFor(child.stdout!, '>>> ');
    child.stdin!.write('\x18');
    expect(await exitOf(child)).toBe(0);
  });
});
