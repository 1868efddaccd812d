import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawRepl } from '../../src/protocol/raw-repl.js';
import { BelayError } from '../../src/errors.js';
import { ScriptedTransport, fakeBoard } from '../helpers/scripted-transport.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof BelayError) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('raw REPL framing', () => {
  it('finds the banner behind boot noise and splits stdout from the prompt', async () => {
    const board = fakeBoard({ garbage: 'ets Jan  8 2013,rst cause:2\r\n\xff\xfe>>> ', run: (code) => ({ stdout: code.includes('6*7') ? '42\r\n' : '' }) });
    const transport = new ScriptedTransport(board.script);
    const repl = new RawRepl(transport, { timeoutMs: 500 });
    const result = await repl.exec('print(6*7)');
    expect(result.stdout.toString()).toBe('42\r\n');
    expect(board.state.execs).toEqual(['print(6*7)']);
  });

  it('reassembles replies delivered one byte at a time', async () => {
    const board = fakeBoard({ run: () => ({ stdout: 'a\x05b'.repeat(50) }) });
    const repl = new RawRepl(new ScriptedTransport(board.script, 1), { timeoutMs: 500 });
    const result = await repl.exec('x');
    expect(result.stdout.toString('latin1')).toBe('a\x05b'.repeat(50));
  });

  it('never sends more raw-paste bytes than the board granted', async () => {
    const board = fakeBoard({ window: 8 });
    const transport = new ScriptedTransport(board.script, 3);
    const repl = new RawRepl(transport, { timeoutMs: 500 });
    const code = `print(${'1+'.repeat(200)}1)`;
    await repl.exec(code);
    expect(board.state.execs).toEqual([code]);
    expect(board.state.overrun).toBe(0);
    expect(repl.supportsRawPaste).toBe(true);
  });

  it('reports the error of a paste the board ended early (compiling ran out of heap), not a protocol error', async () => {
    const stderr = 'MemoryError: memory allocation failed, allocating 512 bytes\r\n';
    const board = fakeBoard({ window: 32, pasteFails: { after: 64, stderr } });
    const repl = new RawRepl(new ScriptedTransport(board.script, 5), { timeoutMs: 500 });
    const error = await repl.exec(`x = [${'1, '.repeat(200)}]`).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BelayError);
    expect((error as BelayError).code).toBe('BOARD_EXCEPTION');
    expect((error as BelayError).data.type).toBe('MemoryError');
    expect(board.state.mode).toBe('raw'); // the host acknowledged the early end
  });

  it('falls back to the plain raw REPL when the board refuses raw-paste', async () => {
    const board = fakeBoard({ rawPaste: 'refused', run: () => ({ stdout: 'ok' }) });
    const transport = new ScriptedTransport(board.script);
    const repl = new RawRepl(transport, { timeoutMs: 500 });
    const code = 'x = 1\n'.repeat(100);
    expect((await repl.exec(code)).stdout.toString()).toBe('ok');
    expect(repl.supportsRawPaste).toBe(false);
    expect(board.state.execs).toEqual([code]);
    // the second exec does not ask again
    const before = transport.allSent.toString('latin1').split('\x05A\x01').length;
    await repl.exec('y = 2\n'.repeat(50));
    expect(transport.allSent.toString('latin1').split('\x05A\x01').length).toBe(before);
  });

  it('falls back when the board does not answer the raw-paste request at all', async () => {
    const board = fakeBoard({ rawPaste: 'silent', run: () => ({ stdout: 'fine' }) });
    const repl = new RawRepl(new ScriptedTransport(board.script), { timeoutMs: 300 });
    const code = `print("fine")${' # padding'.repeat(30)}`;
    expect((await repl.exec(code)).stdout.toString()).toBe('fine');
    expect(repl.supportsRawPaste).toBe(false);
    expect(board.state.execs).toEqual([code]);
  });

  it('sends short code plainly, without the raw-paste round trip; longer code with it', async () => {
    const board = fakeBoard({ window: 64, run: () => ({ stdout: 'ran' }) });
    const transport = new ScriptedTransport(board.script);
    const repl = new RawRepl(transport, { timeoutMs: 500 });
    const pastes = () => transport.allSent.toString('latin1').split('\x05A\x01').length - 1;
    const short = `_bop('stat', '/${'a'.repeat(150)}', None)`;
    expect((await repl.exec(short)).stdout.toString()).toBe('ran');
    expect(pastes()).toBe(0);
    const long = `x = 1${' + 1'.repeat(60)}`;
    expect((await repl.exec(long)).stdout.toString()).toBe('ran');
    expect(pastes()).toBe(1);
    expect(board.state.execs).toEqual([short, long]);
    expect(board.state.overrun).toBe(0);
  });

  it('turns a traceback into BOARD_EXCEPTION with the errno name', async () => {
    const board = fakeBoard({
      run: () => ({ stderr: 'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nOSError: [Errno 2] ENOENT\r\n' }),
    });
    const repl = new RawRepl(new ScriptedTransport(board.script), { timeoutMs: 500 });
    const err = await repl.exec('open("nope")').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BelayError);
    expect((err as BelayError).code).toBe('BOARD_EXCEPTION');
    expect((err as BelayError).data).toMatchObject({ type: 'OSError', errno: 2, errnoName: 'ENOENT' });
  });

  it('times out with a clear error when the board never answers', async () => {
    const board = fakeBoard({ mute: true });
    const repl = new RawRepl(new ScriptedTransport(board.script), { timeoutMs: 200 });
    expect(await codeOf(repl.exec('print(1)'))).toBe('NOT_RAW_REPL');
  });

  /** A board that enters raw mode, then answers the first exec with `onExec`. */
  const startsThen = (onExec: (t: ScriptedTransport) => void) =>
    new ScriptedTransport((input, t) => {
      t.consume(input.length);
      if (input.includes(0x01) && !input.includes(0x04)) t.reply('raw REPL; CTRL-B to exit\r\n>');
      else if (input.includes(0x04)) onExec(t);
    });

  it('times out when a program goes silent, and honours an explicit timeout', async () => {
    const transport = startsThen((t) => t.reply('OK')); // and then nothing
    const repl = new RawRepl(transport, { timeoutMs: 300, rawPaste: false });
    expect(await codeOf(repl.exec('while True: pass', { timeoutMs: 150 }))).toBe('TIMEOUT');
  });

  it('fails at once with LINK_LOST when the cable is pulled mid-exec', async () => {
    const transport = startsThen((t) => {
      t.reply('OKpartial out');
      t.cut();
    });
    const repl = new RawRepl(transport, { timeoutMs: 60_000, rawPaste: false });
    expect(await codeOf(repl.exec('print(1)'))).toBe('LINK_LOST');
  });

  it('rejects at once when aborted before starting', async () => {
    const board = fakeBoard();
    const repl = new RawRepl(new ScriptedTransport(board.script), { timeoutMs: 500 });
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(repl.exec('1', { signal: controller.signal }))).toBe('ABORTED');
    expect(board.state.execs).toEqual([]);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('enters raw mode by reading until the prompt, without fixed pauses', async () => {
    // With timers frozen, any sleep in the entry path would never end.
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const board = fakeBoard({ garbage: 'Traceback...\r\nKeyboardInterrupt: \r\n>>> ', run: () => ({ stdout: 'webassembly\r\n' }) });
    const transport = new ScriptedTransport(board.script, 3);
    const repl = new RawRepl(transport, { timeoutMs: 500 });
    await repl.enter();
    expect(repl.isRaw).toBe(true);
    // the interrupt comes first, then Ctrl-A
    const sent = transport.allSent.toString('latin1');
    expect(sent.indexOf('\x03')).toBeLessThan(sent.indexOf('\x01'));
  });

  it("runs the caller's work once while the board answers: after Ctrl-A is out, before the prompt is matched", async () => {
    const board = fakeBoard({ garbage: '>>> ' });
    const transport = new ScriptedTransport(board.script, 3);
    const repl = new RawRepl(transport, { timeoutMs: 500 });
    const seen: Array<{ sent: string; raw: boolean }> = [];
    await repl.enter(undefined, () => seen.push({ sent: transport.allSent.toString('latin1'), raw: repl.isRaw }));
    expect(seen).toHaveLength(1);
    expect(seen[0].sent).toContain('\x01');
    expect(seen[0].raw).toBe(false);
    expect(repl.isRaw).toBe(true);
  });

  it('a board that answers both of its late Ctrl-A leaves no stale banner to misread', async () => {
    // Busy (Ctrl-C cannot reach its program) past the first try at the raw REPL:
    // it keeps every byte and answers them all when it is done, so belay's two
    // Ctrl-A each get a banner, the second after belay has already matched one.
    const board = fakeBoard({
      run: (code) => {
        const sync = /print\('belay-sync-' \+ '(\w+)'\)/.exec(code);
        return { stdout: sync ? `belay-sync-${sync[1]}\r\n` : code === 'print(6*7)' ? '42\r\n' : '' };
      },
    });
    const busyUntil = Date.now() + 2500;
    let woken = false;
    const transport = new ScriptedTransport((input, t) => {
      if (Date.now() >= busyUntil) return board.script(input, t);
      if (!woken) {
        woken = true;
        setTimeout(() => board.script(t.pending, t), busyUntil - Date.now());
      }
    });
    const repl = new RawRepl(transport, { timeoutMs: 8000 });
    expect((await repl.exec('print(6*7)')).stdout.toString()).toBe('42\r\n');
    expect((await repl.exec('print(6*7)')).stdout.toString()).toBe('42\r\n');
  });
});
