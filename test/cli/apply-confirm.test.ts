/**
 * `belay apply` without a plan file, on a terminal: it plans, shows the plan
 * and asks. Only "yes" (or "y") applies; any other answer changes nothing
 * and exits 1. The terminal is a real pseudo-terminal (socat runs belay on
 * one), so stdin and stderr are TTYs as for a person at a keyboard. The
 * progress stays legible whether the terminal reports its width (the listr2
 * task list) or not (plain lines, rather than one character a line).
 */
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../helpers/boards.js';
import { BIN, cliEnv, runBelay } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';
import { makeProject } from '../apply/helpers.js';

const QUESTION = 'Only "yes" (or "y") applies';

/**
 * Runs belay on a pseudo-terminal `columns` wide (0: a terminal that reports
 * no width, as socat's), types `answer` at the question; what it printed
 * there and its exit status.
 */
function onTerminal(cwd: string, args: string[], answer: string, columns = 0): Promise<{ code: number; output: string }> {
  // socat reports no exit status of its own child: a wrapper prints it last.
  const wrapper = join(tempDir('belay-tty-'), 'belay.sh');
  writeFileSync(wrapper, '#!/bin/sh\nstty cols "$BELAY_COLUMNS"\n"$BELAY_NODE" "$BELAY_BIN" "$@"\necho "EXIT=$?"\n');
  chmodSync(wrapper, 0o755);
  const env = cliEnv(cwd, { BELAY_NODE: process.execPath, BELAY_BIN: BIN, BELAY_COLUMNS: String(columns) });
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-', `EXEC:${[wrapper, ...args].join(' ')},pty,setsid,ctty,stderr,raw,echo=0`], { cwd, env });
    let output = '';
    let asked = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!asked && output.includes(QUESTION)) {
        asked = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      const status = /EXIT=(\d+)\s*$/.exec(output);
      if (!status) reject(new Error(`belay on a terminal printed no exit status:\n${output}`));
      else resolve({ code: Number(status[1]), output });
    });
  });
}

/** Lines of the output holding a single visible character: progress broken into one character a line. */
function characterLines(output: string): number {
  // Escape sequences (cursor moves, colours) are not visible characters.
  return output.split('\n').filter((line) => line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').trim().length === 1).length;
}

describeWithSocat('belay apply on a terminal', () => {
  it('asks: "no" changes nothing (exit 1), "y" applies (then plan exits 0), with legible progress', async () => {
    const cwd = makeProject({ 'src/main.py': 'print(1)\n', 'src/lib/a.py': 'A = 1\n' });
    const declined = await onTerminal(cwd, ['--port', 'emulator', 'apply'], 'no');
    expect(declined.code, declined.output).toBe(1);
    expect(declined.output).toContain('+ /main.py');
    const stillToDo = await runBelay(cwd, ['--port', 'emulator', 'plan', '--detailed-exitcode']);
    expect(stillToDo.code, stillToDo.stderr).toBe(2);

    const accepted = await onTerminal(cwd, ['--port', 'emulator', 'apply'], 'y');
    expect(accepted.code, accepted.output).toBe(0);
    expect(characterLines(accepted.output), accepted.output).toBe(0);
    const done = await runBelay(cwd, ['--port', 'emulator', 'plan', '--detailed-exitcode']);
    expect(done.code, done.stdout + done.stderr).toBe(0);

    // A terminal 100 columns wide: the task list.
    writeFileSync(join(cwd, 'src', 'main.py'), 'print(2)\n');
    const wide = await onTerminal(cwd, ['--port', 'emulator', 'apply'], 'yes', 100);
    expect(wide.code, wide.output).toBe(0);
    expect(characterLines(wide.output), wide.output).toBe(0);
    expect(wide.output).toContain('\u2714'); // the task list's tick
  }, 120_000);
});
