/**
 * Makes the MicroPython heap of the wasm module a fixed size, as on a board.
 *
 * The webassembly port grows its heap whenever it runs short
 * (MICROPY_GC_SPLIT_HEAP_AUTO: `gc_try_add_heap` asks `gc_get_max_new_split()`
 * how much it may add, and that answers 128 MiB). A board has the heap it was
 * given and raises MemoryError past it. This rewrites the one function that
 * answers 128 MiB to answer 0, so the heap never grows. The function is found
 * by its exact body (no locals, `i32.const 134217728`, `end`); the constant is
 * rewritten in place with the same number of bytes, so nothing else moves.
 */

/** Body of gc_get_max_new_split: size 8, no locals, i32.const 0x8000000 (5-byte LEB), end. */
const BODY = [0x08, 0x00, 0x41, 0x80, 0x80, 0x80, 0xc0, 0x00, 0x0b];
/** The same body answering 0, the LEB padded to the same length. */
const ZERO = [0x08, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b];

export function withFixedHeap(wasm: Uint8Array): Uint8Array {
  const pattern = Buffer.from(BODY);
  const bytes = Buffer.from(wasm);
  const at = bytes.indexOf(pattern);
  if (at < 0 || bytes.indexOf(pattern, at + 1) >= 0) {
    throw new Error('cannot fix the heap size: gc_get_max_new_split not found exactly once in this MicroPython build');
  }
  const out = Uint8Array.from(wasm);
  out.set(ZERO, at);
  return out;
}
