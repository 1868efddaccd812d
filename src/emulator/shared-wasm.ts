/**
 * Makes the MicroPython wasm module's linear memory shareable.
 *
 * The host must be able to raise KeyboardInterrupt in a board that is busy in
 * a `while True: pass` loop. The wasm build has no periodic hook into
 * JavaScript, so the only way in is the interpreter's own memory: the host
 * writes the words that `mp_sched_keyboard_interrupt()` would write, and the
 * VM notices at its next pending-exception check, as on a real board where the
 * UART interrupt handler does the same. For the host thread to reach that
 * memory it has to be a SharedArrayBuffer, so the module's memory section is
 * rewritten to declare shared memory (with a maximum, as shared memory needs).
 * Nothing else in the module changes.
 */

const MEMORY_SECTION = 5;
/** Pages of 64 KiB; shared memory must declare a maximum (1 GiB here). */
const MAX_PAGES = 16384;

function readLeb(bytes: Uint8Array, start: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let pos = start;
  for (;;) {
    const byte = bytes[pos++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value >>> 0, pos];
  }
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/** Returns a copy of `wasm` whose single defined memory is shared. */
export function withSharedMemory(wasm: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  let pos = 8;
  let patched = false;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, bodyStart] = readLeb(wasm, pos + 1);
    const end = bodyStart + size;
    if (id === MEMORY_SECTION) {
      const [count, limitsAt] = readLeb(wasm, bodyStart);
      if (count !== 1) throw new Error(`expected one memory, found ${count}`);
      const [minimum] = readLeb(wasm, limitsAt + 1);
      const body = [...writeLeb(1), 0x03, ...writeLeb(minimum), ...writeLeb(Math.max(MAX_PAGES, minimum))];
      parts.push(Uint8Array.from([MEMORY_SECTION, ...writeLeb(body.length), ...body]));
      patched = true;
    } else {
      parts.push(wasm.subarray(pos, end));
    }
    pos = end;
  }
  if (!patched) throw new Error('wasm module defines no memory');
  const total = parts.reduce((n, part) => n + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
