// The bound for a whole upload on a flow-controlled link: how long the
// board itself takes to take `bytes` from its link and write them to a
// file, with nothing of belay's in the way (no frames, no credit, no hash, no
// temp file, no verification). The bytes go straight into the board's
// transport, in-process (not even through the pty), so the figure is a
// floor for any tool. Timed on the board (ticks_ms), from its first read to
// the file closed: start-up and connection are not in it.
import { randomBytes } from 'node:crypto';

/**
 * Waits until the board's output from now on ends with `text`; resolves with that output.
 * @param {import('#dist/transport/types.js').Transport} board
 * @param {string} text
 * @returns {Promise<string>}
 */
function outputUntil(board, text, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the board did not print ${JSON.stringify(text)}; it printed ${JSON.stringify(seen.slice(-200))}`));
    }, timeoutMs);
    const off = board.onData((/** @type {Uint8Array} */ chunk) => {
      seen += Buffer.from(chunk).toString('latin1');
      if (seen.endsWith(text)) {
        clearTimeout(timer);
        off();
        resolve(seen);
      }
    });
  });
}

/**
 * Seconds the board takes to read `bytes` raw bytes from its link into a
 * file. Needs a board whose link cannot drop bytes (an emulated `usb`
 * link: writes wait for the board's room).
 * @param {import('#dist/transport/types.js').Transport} board
 * @param {number} bytes
 */
export async function streamFloorSeconds(board, bytes) {
  const program = [
    'import sys, time, micropython',
    'micropython.kbd_intr(-1)', // the data may hold 0x03, which would otherwise interrupt
    'b = bytearray(4096)',
    'm = memoryview(b)',
    'rd = sys.stdin.buffer.readinto',
    "f = open('/stream-floor-bench.bin', 'wb')",
    'n = 0',
    't = time.ticks_ms()',
    `while n < ${bytes}:`,
    ` k = rd(m[:min(4096, ${bytes} - n)])`,
    ' f.write(m[:k])',
    ' n += k',
    'f.close()',
    'micropython.kbd_intr(3)',
    "print('ms', time.ticks_diff(time.ticks_ms(), t))",
    "import os; os.remove('/stream-floor-bench.bin')",
  ].join('\n');
  const rawPrompt = outputUntil(board, 'raw REPL; CTRL-B to exit\r\n>');
  await board.write(Buffer.from('\r\x03\x03\x01', 'latin1'));
  await rawPrompt;
  const accepted = outputUntil(board, 'OK');
  await board.write(Buffer.from(`${program}\x04`, 'utf8'));
  await accepted;
  let over = false;
  const ended = outputUntil(board, '\x04>').finally(() => {
    over = true;
  });
  const data = randomBytes(bytes);
  // Stops writing if the program ends early (a full flash): the rest would land in the REPL.
  for (let at = 0; at < bytes && !over; at += 65536) await board.write(data.subarray(at, at + 65536));
  const output = await ended;
  await board.write(Buffer.from('\x02', 'latin1')); // back to the friendly REPL, where belay finds a board
  const ms = /ms (\d+)/.exec(output);
  if (!ms) throw new Error(`the stream floor program failed: ${JSON.stringify(output.slice(-300))}`);
  return Number(ms[1]) / 1000;
}
