/**
 * Ctrl-C (SIGINT) at the real `belay apply`, on a board that keeps running
 * when belay lets go (the emulated board served on a pseudo-terminal): while
 * staging, the staged files are discarded and the board is unchanged; during
 * the commit, belay finishes it and says so; a second Ctrl-C exits at once,
 * and the next command leaves a whole state.
 *
 * The moment is set by the bytes, not by a clock: a gate between the pty
 * and the board holds the program that starts the phase (the upload of one
 * file, or the commit) until belay has answered the first Ctrl-C, so the
 * signal lands inside that phase however busy the machine is.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmulatorTransport } from '../../src/emulator/emulator-transport.js';
import { servePty, type PtyBridge } from '../../src/emulator/pty-bridge.js';
import type { Transport } from '../../src/transport/types.js';
import { snapshot } from '../transaction/helpers.js';
import { tempDir } from '../helpers/boards.js';
import { BIN, cliEnv, runBelay } from '../helpers/cli.js';
import { describeWithSocat } from '../helpers/socat.js';
import { makeProject } from '../apply/helpers.js';

const BIG = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 13) & 0xff));

/**
 * The board's link with a gate: once the host's bytes match `pattern`, the
 * write that completed the match waits (undelivered) until `open()` delivers
 * it or `drop()` discards it, as bytes lost with a host that died.
 */
class Gate {
  private tail = '';
  private pattern: RegExp | undefined;
  private held: { deliver: () => Promise<void>; done: () => void } | undefined;
  private onHeld: (() => void) | undefined;

  /** The board as the pty bridge sees it. */
  readonly transport: Transport;

  constructor(private readonly board: Transport) {
    this.transport = {
      description: 'gated board',
      closed: false,
      wire: board.wire,
      write: (bytes) => this.write(bytes),
      onData: (listener) => board.onData(listener),
      onClose: (listener) => board.onClose(listener),
      close: async () => undefined,
    };
  }

  /** Holds the next write that makes the host's bytes match `pattern`; resolves when one is held. */
  arm(pattern: RegExp): Promise<void> {
    this.pattern = pattern;
    this.tail = '';
    return new Promise((resolve) => (this.onHeld = resolve));
  }

  async open(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (held) await held.deliver().finally(held.done);
  }

  drop(): void {
    const held = this.held;
    this.held = undefined;
    held?.done();
  }

  /** Writes go through in order: what the bridge reads after a held write waits behind it, as on a link. */
  private queue: Promise<void> = Promise.resolve();

  private write(bytes: Uint8Array): Promise<void> {
    const passing = this.queue.then(() => this.pass(bytes));
    this.queue = passing.catch(() => undefined);
    return passing;
  }

  private pass(bytes: Uint8Array): Promise<void> {
    if (this.pattern) {
      this.tail = (this.tail + Buffer.from(bytes).toString('latin1')).slice(-400);
      if (this.pattern.test(this.tail)) {
        this.pattern = undefined;
        return new Promise((done) => {
          this.held = { deliver: () => this.board.write(bytes), done };
          this.onHeld?.();
        });
      }
    }
    return this.board.write(bytes);
  }
}

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `belay apply -y --json`; once the gate holds, sends SIGINT and, when
 * belay has said what it does about it, either a second SIGINT (`twice`;
 * two sent at once would merge into one) or opens the gate.
 */
function applyInterrupted(cwd: string, link: string, gate: Gate, held: Promise<void>, twice = false): Promise<Interrupted> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--port', link, 'apply', '-y', '--json'], { cwd, env: cliEnv(cwd) });
    let stdout = '';
    let stderr = '';
    let answered = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (answered || !stderr.includes('Ctrl-C')) return;
      answered = true;
      if (twice) child.kill('SIGINT');
      else void gate.open();
    });
    void held.then(() => child.kill('SIGINT'));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeWithSocat('Ctrl-C at belay apply', () => {
  let board: EmulatorTransport;
  let gate: Gate;
  let bridge: PtyBridge;
  let flash: string;
  let link: string;
  beforeAll(async () => {
    flash = join(tempDir('belay-interrupt-'), 'flash');
    board = await EmulatorTransport.open({ dir: flash, runMain: false });
    gate = new Gate(board);
    link = join(tempDir('belay-interrupt-pty-'), 'board');
    bridge = await servePty(gate.transport, link);
  }, 60_000);
  afterAll(async () => {
    gate?.drop();
    await bridge?.close();
    await board?.close();
  });

  const isTransactionFile = (path: string) => /\.belay-tmp-|intent\.log|journal\.json/.test(path);
  const withoutRecords = (state: Record<string, string>) => Object.fromEntries(Object.entries(state).filter(([p]) => !p.startsWith('/.belay')));
  const commitCall = /json\.dumps\(_bcommit\(/;
  const project = () => makeProject({ 'src/main.py': 'print(1)\n', 'src/lib/a.py': 'A = 1\n', 'src/lib/big.bin': BIG, 'src/z.py': 'Z = 1\n' });

  it('while staging: the staged files are discarded, the board is unchanged, exit 130', async () => {
    const before = snapshot(flash);
    const cwd = project();
    // Held: the upload of the second file, so the first one is staged already.
    const held = gate.arm(/_bup\([^)]{0,200}big\.bin/);
    const run = await applyInterrupted(cwd, link, gate, held);
    expect(run.code, run.stderr).toBe(130);
    // Under --json the error is the last line of stdout, a JSON object like the events.
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({ error: { code: 'ABORTED' } });
    expect(run.stdout).toContain('"path":"/lib/a.py","index":1,"files":5,"fileDone":6');
    expect(run.stdout).toContain('{"event":"interrupt","phase":"stage"}');
    expect(run.stdout).not.toContain('"phase":"commit"');
    const after = snapshot(flash);
    expect(Object.keys(after).filter(isTransactionFile)).toEqual([]);
    // Only belay's records may have changed (the plan this apply made stored the board's id).
    expect(withoutRecords(after)).toEqual(withoutRecords(before));
  }, 120_000);

  it('during the commit: belay finishes it and says so, exit 130; the board holds the plan', async () => {
    const cwd = project();
    const held = gate.arm(commitCall);
    const run = await applyInterrupted(cwd, link, gate, held);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stdout).toContain('{"event":"interrupt","phase":"commit"}');
    expect(run.stdout).toContain('"interruptedDuringCommit":true');
    expect(run.stdout).toContain('"afterApply":"skipped"');
    const plan = await runBelay(cwd, ['--port', link, 'plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(Object.keys(snapshot(flash)).filter(isTransactionFile)).toEqual([]);
  }, 120_000);

  it('a second Ctrl-C exits at once, mid-commit; the next command recovers a whole state', async () => {
    const before = snapshot(flash);
    const cwd = makeProject({ 'src/main.py': 'print(2)\n', 'src/lib/b.py': 'B = 1\n', 'src/z.py': 'Z = 2\n' });
    const held = gate.arm(commitCall);
    const run = await applyInterrupted(cwd, link, gate, held, true);
    expect(run.code).toBe(130);
    expect(run.stdout).not.toContain('"event":"result"');
    // belay is gone halfway through sending the commit: the board never got all of it.
    gate.drop();
    const staged = Object.keys(snapshot(flash)).filter(isTransactionFile);
    expect(staged.length).toBeGreaterThan(0);
    const ls = await runBelay(cwd, ['--port', link, 'ls', '/']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout + ls.stderr).toContain('recovered: undid interrupted staging');
    expect(Object.keys(snapshot(flash)).filter(isTransactionFile)).toEqual([]);
    expect(withoutRecords(snapshot(flash))).toEqual(withoutRecords(before));
    // The whole old state: a new apply does all of this plan again.
    const plan = await runBelay(cwd, ['--port', link, 'plan', '--detailed-exitcode', '--json']);
    expect(plan.code).toBe(2);
    const changes = (JSON.parse(plan.stdout) as { changes: Array<{ path: string; action: string }> }).changes.map((c) => `${c.action} ${c.path}`);
    expect(changes).toEqual(['delete /lib/a.py', 'create /lib/b.py', 'delete /lib/big.bin', 'update /main.py', 'update /z.py']);
  }, 120_000);
});
