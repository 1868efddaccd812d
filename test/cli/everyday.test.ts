/**
 * The everyday file commands over both links (the CLI's own emulated board,
 * and a board on a pty opened with serialport): mkdir -p on an existing
 * folder, rm -r / only with --force, mv, cp, touch, get to stdout and into
 * missing folders, run of a file holding control bytes, run --no-follow.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_LINKS, cliBoard, tempProject, type CliBoard } from '../helpers/cli.js';

const boards: CliBoard[] = [];
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
});

async function setup(link: (typeof CLI_LINKS)[number]) {
  const cwd = tempProject('belay-everyday-');
  const board = await cliBoard(link, cwd);
  boards.push(board);
  return { cwd, board };
}

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

// Each test runs belay a dozen times: allow for a busy machine.
describe.each(CLI_LINKS)('everyday commands over %s link', { timeout: 180_000 }, (link) => {
  it('mkdir -p on an existing folder says so; rm -r / needs --force and names what it removes', async () => {
    const { board } = await setup(link);
    expect(json((await board.run(['mkdir', '-p', '/a/b', '--json'])).stdout)).toEqual({ path: '/a/b', created: true });
    expect(json((await board.run(['mkdir', '-p', '/a/b', '--json'])).stdout)).toEqual({ path: '/a/b', created: false });
    await board.run(['touch', '/top.txt']);
    const refused = await board.run(['rm', '-r', '/']);
    expect(refused.code).toBe(2);
    expect((await board.run(['ls', '/', '--json'])).stdout).toContain('/top.txt');
    const wiped = await board.run(['rm', '-r', '/', '--force', '--json']);
    expect(wiped.code).toBe(0);
    const removed = (json(wiped.stdout).removed as Array<{ path: string }>).map((r) => r.path).sort();
    expect(removed).toEqual(['/a', '/top.txt']);
    expect(JSON.parse((await board.run(['ls', '/', '--json'])).stdout)).toEqual([]);
    // --force also means "fine if it is not there"
    expect((await board.run(['rm', '/nothing', '--force'])).code).toBe(0);
    expect((await board.run(['rm', '/nothing'])).code).toBe(1);
  });

  it("ls and get -r / leave belay's own folder out unless asked: -a, or a path inside it", async () => {
    const { cwd, board } = await setup(link);
    await board.run(['touch', '/top.txt']);
    // The put saved the helpers' copies under /.belay/helpers (a board with room).
    expect(JSON.parse((await board.run(['ls', '-r', '/', '--json'])).stdout)).toEqual([expect.objectContaining({ path: '/top.txt' })]);
    const all = (JSON.parse((await board.run(['ls', '-a', '/', '--json'])).stdout) as Array<{ path: string }>).map((e) => e.path);
    expect(all).toEqual(['/.belay', '/top.txt']);
    const inside = (JSON.parse((await board.run(['ls', '/.belay', '--json'])).stdout) as Array<{ path: string }>).map((e) => e.path);
    expect(inside).toContain('/.belay/helpers');
    // get -r of the whole board copies the user's tree, not belay's folder; named, it is copied.
    expect((await board.run(['get', '-r', '/', 'whole'])).code).toBe(0);
    expect(readdirSync(join(cwd, 'whole'))).toEqual(['top.txt']);
    expect((await board.run(['get', '-r', '/.belay', 'records'])).code).toBe(0);
    expect(readdirSync(join(cwd, 'records'))).toContain('helpers');
  });

  it('mv renames, and moves into a folder, never into itself', async () => {
    const { board } = await setup(link);
    await board.run(['exec', "import os\nos.mkdir('/app')\nos.mkdir('/old')\nopen('/app/main.py','w').write('hi')"]);
    expect((await board.run(['mv', '/app/main.py', '/app/start.py'])).code).toBe(0);
    expect(json((await board.run(['mv', '/app/start.py', '/old', '--json'])).stdout)).toEqual({ from: '/app/start.py', to: '/old/start.py' });
    expect((await board.run(['cat', '/old/start.py'])).stdout).toBe('hi');
    expect((await board.run(['mv', '/old', '/old/inside'])).code).toBe(1);
  });

  it('cp copies a file, and with -r a tree, never into itself', async () => {
    const { board } = await setup(link);
    await board.run(['exec', "import os\nos.mkdir('/app')\nos.mkdir('/app/lib')\nopen('/app/main.py','w').write('hi')\nopen('/app/lib/util.py','w').write('X = 1')"]);
    expect((await board.run(['cp', '/app/main.py', '/copy.py'])).code).toBe(0);
    expect((await board.run(['cp', '/app', '/app2'])).code).toBe(2); // a folder needs -r
    expect((await board.run(['cp', '-r', '/app', '/app2'])).code).toBe(0);
    expect((await board.run(['cp', '-r', '/app', '/app/lib'])).code).toBe(1); // into itself
    const files = await board.run(['exec', "print(open('/copy.py').read(), open('/app2/lib/util.py').read(), open('/app2/main.py').read())"]);
    expect(files.stdout).toBe('hi X = 1 hi\n');
  });

  it('touch creates an empty file and leaves an existing one alone', async () => {
    const { board } = await setup(link);
    await board.run(['exec', "open('/kept.txt','w').write('content')"]);
    expect(json((await board.run(['touch', '/kept.txt', '--json'])).stdout)).toEqual({ path: '/kept.txt', created: false });
    expect(json((await board.run(['touch', '/empty.txt', '--json'])).stdout)).toEqual({ path: '/empty.txt', created: true });
    expect((await board.run(['exec', "print(repr(open('/kept.txt').read()), repr(open('/empty.txt').read()))"])).stdout).toBe("'content' ''\n");
  });

  it('get REMOTE - writes to stdout; get never creates folders above its target', async () => {
    const { cwd, board } = await setup(link);
    writeFileSync(join(cwd, 'data.bin'), Buffer.from([0, 1, 2, 3, 4, 255, 10, 13]));
    expect((await board.run(['put', 'data.bin', '/data.bin'])).code).toBe(0);
    const out = await board.run(['get', '/data.bin', '-'], { binary: true });
    expect(out.code).toBe(0);
    expect(Buffer.from(out.stdout, 'latin1')).toEqual(Buffer.from([0, 1, 2, 3, 4, 255, 10, 13]));
    const missing = await board.run(['get', '/data.bin', 'no/such/folder/data.bin']);
    expect(missing.code).toBe(1);
    expect(existsSync(join(cwd, 'no'))).toBe(false);
    await board.run(['mkdir', '-p', '/tree/sub']);
    await board.run(['touch', '/tree/sub/f.txt']);
    expect((await board.run(['get', '-r', '/tree', 'far/away/tree'])).code).toBe(1);
    expect(existsSync(join(cwd, 'far'))).toBe(false);
    expect((await board.run(['get', '-r', '/tree', 'tree'])).code).toBe(0);
    expect(readdirSync(join(cwd, 'tree', 'sub'))).toEqual(['f.txt']);
  });

  it('run sends a file holding \\x03 and \\x04 intact, and its traceback names the file', async () => {
    const { cwd, board } = await setup(link);
    writeFileSync(join(cwd, 'ctl.py'), 's = "a\x04b\x03c"\nprint(len(s), ord(s[1]), ord(s[3]))\nx = 1 / 0\n');
    const run = await board.run(['run', 'ctl.py', '--json']);
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as { stdout: string; error: { code: string; data: { traceback: string; type: string } } };
    expect(parsed.stdout.trim()).toBe('5 4 3');
    expect(parsed.error.data.type).toBe('ZeroDivisionError');
    expect(parsed.error.data.traceback).toContain('"ctl.py", line 3');
    expect(parsed.error.data.traceback).not.toContain('<stdin>');
    expect(readFileSync(join(cwd, 'ctl.py')).includes(4)).toBe(true);
  });

  it('run --no-follow returns once the board has the program, which keeps running until the next command', async () => {
    const { cwd, board } = await setup(link);
    writeFileSync(join(cwd, 'forever.py'), "open('/started.txt', 'w').write('yes')\nwhile True:\n    pass\n");
    const run = await board.run(['run', 'forever.py', '--no-follow', '--json']);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ file: 'forever.py', started: true });
    // The next command interrupts the program and finds the board usable.
    const next = await board.run(['exec', "import os\nprint('started.txt' in os.listdir('/'))"]);
    expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
    // A served board outlives the command, so the program surely ran; the CLI's own board may stop with it.
    if (link === 'pty') expect(next.stdout.trim()).toBe('True');
  });
});
