/**
 * The built binary across processes: `emulator serve` puts a board on a
 * pseudo-terminal that another belay opens as a serial port (Ctrl-C and
 * its kin: interrupts.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { belay, exitOf, spawnBelay, tempProject, waitFor } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';

describeWithSocat('emulator serve across processes', () => {
  it('emulator serve --json says where the board is; belay opens that pty as a serial port', async () => {
    const cwd = tempProject('belay-serve-');
    const link = join(cwd, 'tty-board');
    const server = spawnBelay(['emulator', 'serve', '--link', link, '--json'], { cwd });
    try {
      // The announcement is one JSON object; the board is ready once it is printed.
      const announced = JSON.parse(await waitFor(server.stdout!, '\n}\n'));
      const flash = (await belay(['emulator', 'path'], { cwd })).stdout.trim();
      expect(announced).toEqual({ name: 'default', link, flash });
      const first = await belay(['exec', "open('/via-pty.txt','w').write('ok')\nprint(6*7)", '--port', link], { cwd });
      expect(first).toMatchObject({ code: 0, stdout: '42\n' });
      // written through to the announced flash folder
      expect(readFileSync(join(announced.flash, 'via-pty.txt'), 'utf8')).toBe('ok');
      // a second connection to the same running board
      const second = await belay(['exec', "print(open('/via-pty.txt').read())", '--port', link], { cwd });
      expect(second).toMatchObject({ code: 0, stdout: 'ok\n' });
      const info = JSON.parse((await belay(['info', '--json', '--port', link], { cwd })).stdout);
      expect(info.port).toBe(link);
    } finally {
      server.kill('SIGINT');
      await exitOf(server);
    }
  });
}, { timeout: 180_000 });
