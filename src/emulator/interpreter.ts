/**
 * Loads the MicroPython webassembly port with shared linear memory, and finds
 * where in that memory the interpreter keeps its KeyboardInterrupt state, so
 * the host thread can raise KeyboardInterrupt in a busy loop (see
 * shared-wasm.ts for why the memory must be shared).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { withSharedMemory } from './shared-wasm.js';
import { withFixedHeap } from './fixed-heap.js';
import { linuxErrno } from './wasi-errno.js';

const require = createRequire(import.meta.url);
const packageMain = require.resolve('@micropython/micropython-webassembly-pyscript');

/** The few WebAssembly APIs used here (Node's type definitions leave them out). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
const wasmBytes = withSharedMemory(readFileSync(join(dirname(packageMain), 'micropython.wasm')));
const modules: { growing?: object; fixed?: object } = {};
/** The compiled module: the port's own (heap grows) or one whose heap stays the size it was given. */
function moduleFor(fixedHeap: boolean): object {
  if (fixedHeap) return (modules.fixed ??= new wasm.Module(withFixedHeap(wasmBytes)));
  return (modules.growing ??= new wasm.Module(wasmBytes));
}
let wasmModule: object;

// The package instantiates its wasm itself; hand it our shared-memory build.
let lastMemory: { buffer: SharedArrayBuffer } | undefined;
let lastExports: Record<string, unknown> = {};
const originalInstantiate = wasm.instantiate.bind(wasm);
wasm.instantiate = async (_source: object, imports: object) => {
  const instance = await originalInstantiate(wasmModule, withBoardErrno(imports as Record<string, Record<string, unknown>>));
  lastMemory = instance.exports.memory as { buffer: SharedArrayBuffer };
  lastExports = instance.exports;
  return { instance, module: wasmModule } as unknown as { exports: Record<string, unknown> };
};

/**
 * The interpreter reaches the filesystem through Emscripten's syscalls, which
 * answer with WASI errno numbers (ENOENT 44) while MicroPython's own errors
 * and its `errno` module use a board's numbers (ENOENT 2). Translating at this
 * boundary, as a board's C library would number them, makes every OSError
 * carry the number `errno` names.
 */
function withBoardErrno(imports: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const translated: Record<string, Record<string, unknown>> = {};
  for (const [moduleName, functions] of Object.entries(imports)) {
    const copy: Record<string, unknown> = { ...functions };
    for (const [name, value] of Object.entries(functions)) {
      if (typeof value !== 'function') continue;
      const call = value as (...args: unknown[]) => unknown;
      // __syscall_*: result or -errno; fd_* (WASI calls): 0 or errno.
      if (name.startsWith('__syscall_')) {
        copy[name] = (...args: unknown[]) => {
          const result = call(...args);
          return typeof result === 'number' && result < 0 ? -linuxErrno(-result) : result;
        };
      } else if (name.startsWith('fd_')) {
        copy[name] = (...args: unknown[]) => {
          const result = call(...args);
          return typeof result === 'number' && result > 0 ? linuxErrno(result) : result;
        };
      }
    }
    translated[moduleName] = copy;
  }
  return translated;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the package ships no types */
export interface MicroPython {
  _module: any;
  FS: any;
  runPython(code: string): unknown;
  replInit(): void;
  replProcessChar(char: number): number;
  registerJsModule(name: string, module: object): void;
}
const { loadMicroPython: load } = (await import('@micropython/micropython-webassembly-pyscript')) as unknown as {
  loadMicroPython(options: object): Promise<MicroPython>;
};

export interface InterpreterIo {
  stdout: (byte: number) => void;
  stdin: () => number | null;
}

/** The heap the interpreter starts with when no size is fixed (it grows as needed). */
const GROWING_HEAP = 256 * 1024;

/**
 * A fresh interpreter (a power-on): new instance, new memory. With
 * `heapSize`, the MicroPython heap is that many bytes and never grows.
 */
export async function loadInterpreter(io: InterpreterIo, heapSize?: number): Promise<{ mp: MicroPython; memory: SharedArrayBuffer }> {
  wasmModule = moduleFor(heapSize !== undefined);
  const mp = await load({
    heapsize: heapSize ?? GROWING_HEAP,
    linebuffer: false,
    stdout: (bytes: Uint8Array) => io.stdout(bytes[0]),
    stderr: (bytes: Uint8Array) => io.stdout(bytes[0]),
    stdin: io.stdin,
  });
  return { mp, memory: lastMemory!.buffer };
}

export interface InterruptState {
  /** [Int32 index, value] pairs that mp_sched_keyboard_interrupt() writes. */
  words: Array<[number, number]>;
  /** Int32 index of mp_interrupt_char (3 while code runs, -1 when disabled). */
  charIndex: number;
}

/**
 * Where KeyboardInterrupt lives in wasm memory: found by watching the
 * interpreter set it. The places are static data, the same in every instance
 * of the module, so a `known` answer from an earlier power-on is only checked
 * (a full search of the memory takes a fifth of a second).
 */
export function locateInterruptState(mp: MicroPython, known?: InterruptState): InterruptState {
  if (known && confirmInterruptState(mp, known)) return known;
  const memory = new Int32Array(lastMemory!.buffer);
  const before = memory.slice();
  mp._module._mp_sched_keyboard_interrupt();
  const words: Array<[number, number]> = [];
  for (let i = 0; i < before.length; i++) {
    if (memory[i] !== before[i]) {
      words.push([i, memory[i]]);
      memory[i] = before[i];
    }
  }
  // mp_interrupt_char: the word that follows micropython.kbd_intr() through two distinct values.
  const original: number = mp._module._mp_hal_get_interrupt_char();
  // Words inside the C stack are call arguments, not interpreter state.
  const bound = (name: string) => (lastExports[name] as () => number)();
  const stackRange = [bound('emscripten_stack_get_end'), bound('emscripten_stack_get_base')];
  const setChar = (char: number) => mp.runPython(`import micropython\nmicropython.kbd_intr(${char})`);
  // A candidate must follow every setting and keep it across unrelated code.
  setChar(0x7e);
  let candidates: number[] = [];
  for (let i = 0; i < memory.length; i++) {
    const onStack = i * 4 >= stackRange[0] && i * 4 < stackRange[1];
    if (memory[i] === 0x7e && !onStack) candidates.push(i);
  }
  mp.runPython('_probe = [12345, 67890]\ndel _probe');
  candidates = candidates.filter((i) => memory[i] === 0x7e);
  setChar(0x7d);
  candidates = candidates.filter((i) => memory[i] === 0x7d);
  setChar(original);
  candidates = candidates.filter((i) => memory[i] === original);
  const charIndex = candidates.length === 1 ? candidates[0] : -1;
  if (words.length === 0 || charIndex < 0) throw new Error(`could not locate the interrupt state (${words.length} words, candidates ${candidates.join(',')}, stack ${stackRange.join('-')})`);
  return { words, charIndex };
}

/** True when `state` is where this instance keeps its interrupt state (checked, then left as it was). */
function confirmInterruptState(mp: MicroPython, state: InterruptState): boolean {
  const memory = new Int32Array(lastMemory!.buffer);
  if (state.words.some(([index]) => index >= memory.length) || state.charIndex >= memory.length) return false;
  const before = state.words.map(([index]) => memory[index]);
  mp._module._mp_sched_keyboard_interrupt();
  const wordsMatch = state.words.every(([index, value]) => memory[index] === value);
  state.words.forEach(([index], i) => (memory[index] = before[i]));
  if (!wordsMatch) return false;
  const original: number = mp._module._mp_hal_get_interrupt_char();
  mp.runPython('import micropython\nmicropython.kbd_intr(126)');
  const follows = memory[state.charIndex] === 126;
  mp.runPython(`import micropython\nmicropython.kbd_intr(${original})`);
  return follows && memory[state.charIndex] === original;
}

/**
 * A garbage collection in the middle of a running program, for boards with a
 * fixed heap. The port collects only at its "top level", when no call from
 * JavaScript into the interpreter is under way (it counts them in a static
 * `external_call_depth`), because it cannot see pointers the C code keeps in
 * wasm registers. A board collects whenever a program calls gc.collect().
 * This finds that counter once, and `collect()` sets it to zero around a
 * tiny nested program that asks for a collection, so the port collects at
 * once, with the running program's frames (kept on the Python stack, which
 * the collector scans) as roots. Called only from gc.collect() in Python
 * code, where no C function holds objects of its own.
 */
/** The port's own gc.collect(), also when the firmware patch has put a wrapper in place of `gc`. */
const COLLECT = "import sys\nsys.modules.get('_belay_gc', __import__('gc')).collect()";

export class MidProgramCollector {
  private constructor(
    private readonly mp: MicroPython,
    readonly depthIndex: number,
  ) {}

  /** Finds the call-depth counter (checking `known` first). */
  static locate(mp: MicroPython, known?: number): MidProgramCollector {
    const memory = new Int32Array(lastMemory!.buffer);
    // The counter reads 1 inside a call from JavaScript, 2 in a call nested in
    // it, 0 at the top level; words inside the C stack are call arguments.
    let inOuter: number[] = [];
    let inNested: number[] = [];
    const bound = (name: string) => (lastExports[name] as () => number)();
    const [stackEnd, stackBase] = [bound('emscripten_stack_get_end'), bound('emscripten_stack_get_base')];
    const probe = {
      outer: () => {
        inOuter = known !== undefined ? (memory[known] === 1 ? [known] : []) : ones(memory, stackEnd, stackBase);
        mp.runPython('import _belay_probe\n_belay_probe.nested()');
      },
      nested: () => {
        inNested = inOuter.filter((i) => memory[i] === 2);
      },
      allocated: 0,
      report: (bytes: number) => {
        probe.allocated = bytes;
      },
      collect: () => candidate?.collect(),
    };
    let candidate: MidProgramCollector | undefined;
    mp.registerJsModule('_belay_probe', probe);
    mp.runPython('import _belay_probe\n_belay_probe.outer()');
    // Other counters nest alike: the one that matters is the one whose zero lets a collection happen.
    const collects = (index: number): boolean => {
      candidate = new MidProgramCollector(mp, index);
      mp.runPython('import gc, _belay_probe\n_g = [bytes(64) for i in range(64)]\n_g = None\n_belay_probe.report(gc.mem_alloc())\n_belay_probe.collect()\n_belay_probe.report(gc.mem_alloc() - _belay_probe.allocated)');
      return probe.allocated < -2048;
    };
    const found = inNested.filter((i) => memory[i] === 0).filter(collects);
    mp.runPython("import sys\ndel sys.modules['_belay_probe']");
    if (found.length !== 1) {
      if (known !== undefined) return MidProgramCollector.locate(mp);
      throw new Error(`could not locate the interpreter's call depth (${found.length} candidates)`);
    }
    return new MidProgramCollector(mp, found[0]);
  }

  collect(): void {
    const memory = new Int32Array(lastMemory!.buffer);
    const depth = memory[this.depthIndex];
    memory[this.depthIndex] = 0;
    try {
      // The port's gc.collect() asks for a collection; leaving the call at depth 0 performs it.
      this.mp.runPython(COLLECT);
    } finally {
      memory[this.depthIndex] = depth;
    }
  }
}

/** Indexes of words holding 1, outside the C stack [end, base). */
function ones(memory: Int32Array, stackEnd: number, stackBase: number): number[] {
  const found: number[] = [];
  for (let i = 0; i < memory.length; i++) if (memory[i] === 1 && (i * 4 < stackEnd || i * 4 >= stackBase)) found.push(i);
  return found;
}
