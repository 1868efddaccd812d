// The built CLI on the emulated board: a command connects to the board
// (main.py does not run), `reset --hard` powers it on (main.py runs), and
// `reset --hard --safe-boot` skips boot.py and main.py. A main.py that
// disables Ctrl-C and never ends does not lock belay out.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBelay } from '../helpers/cli.js';
import { tempDir } from '../helpers/boards.js';

const belay = (cwd: string, boards: string, ...args: string[]) => runBelay(cwd, ['--port', 'emulator', ...args], { BELAY_EMULATOR_DIR: boards });

describe('belay and the emulated board start-up', () => {
  it('runs main.py on reset --hard only, skips it with --safe-boot, and is never locked out', async () => {
    const cwd = tempDir('belay-cli-');
    const boards = join(cwd, 'boards');
    const flash = join(boards, 'default');
    mkdirSync(flash, { recursive: true });
    // Records each run, then disables Ctrl-C and never ends.
    writeFileSync(join(flash, 'main.py'), "with open('/runs', 'a') as f:\n    f.write('m')\nimport micropython\nmicropython.kbd_intr(-1)\nwhile True:\n    pass\n");
    const runs = () => (existsSync(join(flash, 'runs')) ? readFileSync(join(flash, 'runs'), 'utf8') : '');

    expect(await belay(cwd, boards, 'exec', 'print(6*7)')).toMatchObject({ code: 0, stdout: '42\n' });
    expect(runs()).toBe('');
    expect((await belay(cwd, boards, 'reset', '--hard')).code).toBe(0);
    expect(runs()).toBe('m');
    expect((await belay(cwd, boards, 'reset', '--hard', '--safe-boot')).code).toBe(0);
    expect((await belay(cwd, boards, 'reset', '--safe-boot')).code).not.toBe(0); // a usage error: it goes with --hard
    expect(runs()).toBe('m');
    expect((await belay(cwd, boards, 'rm', '/main.py')).code).toBe(0);
    expect(existsSync(join(flash, 'main.py'))).toBe(false);
  }, 180_000); // six CLI runs, each a process and a power-on: a minute on a loaded machine
});
