/**
 * The emulated board itself, running in a worker thread: real MicroPython
 * (the webassembly port) behind the byte stream a USB-serial board presents.
 *
 * The wasm port's event-driven REPL already speaks the friendly and raw REPL.
 * This file adds what a board's firmware does around it and the port lacks:
 * raw-paste with flow control (or a refusal, or old-firmware silence), soft
 * reset that restarts the interpreter and keeps the files, boot.py/main.py at
 * start-up, `sys.stdin` fed from the link, a `machine` module, KeyboardInterrupt
 * delivered by the host into a busy loop, and features hidden on request.
 *
 * The worker runs synchronously: it blocks on Atomics while waiting for bytes,
 * which is what lets Python code block in `sys.stdin.buffer.read()`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ChannelReader, type ChannelBuffers } from './channel.js';
import { Flash, PowerCut } from './flash.js';
import { withSharedMemory } from './shared-wasm.js';
import { firmwarePatch } from './firmware-patch.js';
import type { EmulatorOptions, WorkerMessage } from './options.js';

interface WorkerData {
  options: Required<Omit<EmulatorOptions, 'baud' | 'dropAfterBytes' | 'powerCutAtWrite'>> & Pick<EmulatorOptions, 'powerCutAtWrite'>;
  channel: ChannelBuffers;
  /** True when this start is a hard reset rather than a power-on (same behaviour, kept for clarity). */
  reset: boolean;
}

const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_E = 0x05;
/** mp_js_repl_process_char's result when Ctrl-D asks for a soft reset. */
const PYEXEC_FORCED_EXIT = 0x100;

const { options, channel } = workerData as WorkerData;
const input = new ChannelReader(channel);
const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);

/* ---------------------------------------------------------------- output */

/** Collects board output and hands it to the host in chunks, promptly. */
class Output {
  private buffer = new Uint8Array(16384);
  private length = 0;
  /** Bytes of a fixed prefix still to be swallowed (the raw REPL's "OK" after raw-paste). */
  private swallow: number[] = [];
  /** While muted, output is discarded (interpreter restarts print their own banner). */
  muted = false;

  byte(value: number): void {
    if (this.muted) return;
    if (this.swallow.length > 0) {
      if (value === this.swallow[0]) {
        this.swallow.shift();
        return;
      }
      this.swallow = [];
    }
    this.buffer[this.length++] = value;
    // Lines go out as they end: the program may compute for a long time after
    // printing, and the worker runs no JavaScript meanwhile to flush later.
    if (value === 0x0a || this.length === this.buffer.length) this.flush();
  }

  text(value: string): void {
    for (const byte of Buffer.from(value, 'utf8')) this.byte(byte);
  }

  swallowNext(prefix: string): void {
    this.swallow = [...Buffer.from(prefix, 'latin1')];
  }

  flush(): void {
    if (this.length === 0) return;
    post({ type: 'output', bytes: this.buffer.slice(0, this.length) });
    this.length = 0;
  }
}
const output = new Output();

/* ---------------------------------------------------------- interpreter */

const require = createRequire(import.meta.url);
const packageMain = require.resolve('@micropython/micropython-webassembly-pyscript');

/** The few WebAssembly APIs used here (Node's type definitions leave them out). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
const wasmModule = new wasm.Module(withSharedMemory(readFileSync(join(dirname(packageMain), 'micropython.wasm'))));

// The package instantiates its wasm itself; hand it our shared-memory build.
let lastMemory: { buffer: SharedArrayBuffer } | undefined;
let lastExports: Record<string, unknown> = {};
const originalInstantiate = wasm.instantiate.bind(wasm);
wasm.instantiate = async (_source: object, imports: object) => {
  const instance = await originalInstantiate(wasmModule, imports);
  lastMemory = instance.exports.memory as { buffer: SharedArrayBuffer };
  lastExports = instance.exports;
  return { instance, module: wasmModule } as unknown as { exports: Record<string, unknown> };
};

/* eslint-disable @typescript-eslint/no-explicit-any -- the package ships no types */
interface MicroPython {
  _module: any;
  FS: any;
  runPython(code: string): unknown;
  replInit(): void;
  replProcessChar(char: number): number;
  registerJsModule(name: string, module: object): void;
}
const { loadMicroPython } = (await import('@micropython/micropython-webassembly-pyscript')) as unknown as {
  loadMicroPython(options: object): Promise<MicroPython>;
};

/** Reads one byte from the link for Python's sys.stdin, blocking like a UART read. */
function stdinByte(): number | null {
  for (;;) {
    const byte = input.next();
    if (byte >= 0) return byte;
    if (input.takeInterrupt()) return null;
    output.flush();
    input.wait(50);
  }
}

let mp: MicroPython;
let flash: Flash;

async function startInterpreter(): Promise<void> {
  output.muted = true;
  mp = await loadMicroPython({
    heapsize: 256 * 1024,
    linebuffer: false,
    stdout: (bytes: Uint8Array) => output.byte(bytes[0]),
    stderr: (bytes: Uint8Array) => output.byte(bytes[0]),
    stdin: stdinByte,
  });
  flash = new Flash(mp.FS, {
    dir: options.dir,
    sizeBytes: options.flashSize,
    blockSize: options.blockSize,
    powerCutAt: options.powerCutAtWrite,
    onMutation: (count) => post({ type: 'mutations', count }),
  });
  flash.mount();
  mp.registerJsModule('_belay_emulator', {
    hard_reset: () => {
      output.flush();
      post({ type: 'hard-reset' });
      // The host terminates this worker and powers the board on again.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    },
  });
  // The host reaches KeyboardInterrupt through this instance's memory: tell it where.
  const interrupt = locateInterruptState();
  post({ type: 'ready', memory: lastMemory!.buffer, interruptWords: interrupt.words, interruptCharIndex: interrupt.charIndex });
  mp.runPython(firmwarePatch({ uniqueId: options.uniqueId, hide: options.hide }));
  mp.replInit();
  output.muted = false;
}

/** Where KeyboardInterrupt lives in wasm memory: found once by watching the interpreter set it. */
function locateInterruptState(): { words: Array<[number, number]>; charIndex: number } {
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

/** Runs Python source from the flash (boot.py, main.py) as the firmware does at start-up. */
function runScript(file: string): void {
  // The flash folder is the truth (writes go through at once): look there.
  if (!existsSync(join(options.dir, file))) return;
  input.executing = true;
  try {
    // As pyexec does for a file: Ctrl-C armed, run in __main__'s globals.
    mp.runPython(
      `import micropython\nmicropython.kbd_intr(3)\ntry:\n    exec(open(${JSON.stringify(file)}).read(), globals())\nfinally:\n    micropython.kbd_intr(-1)`,
    );
  } catch (err) {
    if (err instanceof PowerCut) throw err;
    // The firmware prints the traceback and carries on to the REPL.
    const detail = (err as { message?: string }).message ?? String(err);
    output.text(`Traceback (most recent call last):\r\n  File "${file.slice(1)}"\r\n${detail.trim().split('\n').pop()}\r\n`);
  } finally {
    input.executing = false;
  }
}

/* ------------------------------------------------------------ firmware */

type Mode = 'friendly' | 'raw';
let mode: Mode = 'friendly';
/** True while the raw REPL's line buffer is empty (a Ctrl-D then means soft reset). */
let rawLineEmpty = true;

function feed(byte: number): number {
  return mp.replProcessChar(byte);
}

/** Feeds bytes that make the interpreter run code, with Ctrl-C delivery enabled. */
function execute(bytes: Iterable<number>): number {
  input.executing = true;
  try {
    let result = 0;
    for (const byte of bytes) result = feed(byte);
    return result;
  } finally {
    input.executing = false;
  }
}

function blockingByte(): number {
  for (;;) {
    const byte = input.next();
    if (byte >= 0) return byte;
    output.flush();
    input.wait(1000);
  }
}

/** `\x05A\x01` at an empty raw prompt: answer as the configured firmware would. */
function rawPaste(): void {
  if (options.rawPaste === 'unknown') return; // old firmware ignores Ctrl-E; 'A' and Ctrl-A follow as usual
  const a = blockingByte();
  const b = a === 0x41 ? blockingByte() : -1;
  if (a !== 0x41 || b !== CTRL_A) {
    if (a >= 0) handleByte(a);
    if (b >= 0) handleByte(b);
    return;
  }
  if (options.rawPaste === 'refused') {
    output.text('R\x00');
    return;
  }
  const window = options.rawPasteWindow;
  output.text('R\x01');
  output.byte(window & 0xff);
  output.byte(window >> 8);
  output.flush();
  const code: number[] = [];
  let sinceGrant = 0;
  for (;;) {
    const byte = blockingByte();
    if (byte === CTRL_D) break;
    // Control characters would steer the wasm REPL rather than be source text.
    if (byte > CTRL_E || byte === 0x00) code.push(byte);
    sinceGrant += 1;
    if (sinceGrant === window) {
      sinceGrant = 0;
      output.byte(CTRL_A);
      output.flush();
    }
  }
  output.byte(CTRL_D);
  output.flush();
  // Run it through the plain raw REPL, minus the "OK" that mode prints first.
  output.swallowNext('OK');
  execute([...code, CTRL_D]);
}

async function softReset(from: Mode): Promise<void> {
  output.text(from === 'raw' ? 'OK\r\nMPY: soft reboot\r\n' : 'MPY: soft reboot\r\n');
  output.flush();
  await startInterpreter();
  runScript('/boot.py');
  if (from === 'raw') {
    output.muted = true;
    feed(CTRL_A);
    output.muted = false;
    output.text('raw REPL; CTRL-B to exit\r\n>');
    rawLineEmpty = true;
  } else {
    if (options.runMain) runScript('/main.py');
    output.muted = true;
    feed(0x0d);
    output.muted = false;
    output.text(banner());
  }
}

function banner(): string {
  return 'MicroPython v1.27.0 on 2025-12-10; belay emulated board with wasm\r\nType "help()" for more information.\r\n>>> ';
}

/** Returns a promise only when the byte needs asynchronous work (a restart). */
function handleByte(byte: number): Promise<void> | undefined {
  if (mode === 'raw') {
    switch (byte) {
      case CTRL_A:
        rawLineEmpty = true;
        feed(byte);
        return undefined;
      case CTRL_B:
        mode = 'friendly';
        feed(byte);
        return undefined;
      case CTRL_C:
        rawLineEmpty = true;
        feed(byte);
        return undefined;
      case CTRL_D:
        if (rawLineEmpty) return softReset('raw');
        execute([byte]);
        rawLineEmpty = true;
        return undefined;
      case CTRL_E:
        if (rawLineEmpty) rawPaste();
        return undefined;
      default:
        rawLineEmpty = false;
        feed(byte);
        return undefined;
    }
  }
  if (byte === CTRL_A) {
    mode = 'raw';
    rawLineEmpty = true;
    feed(byte);
    return undefined;
  }
  if (execute([byte]) === PYEXEC_FORCED_EXIT) return softReset('friendly');
  return undefined;
}

async function main(): Promise<void> {
  await startInterpreter();
  runScript('/boot.py');
  if (options.runMain) runScript('/main.py');
  output.text(banner());
  for (;;) {
    const byte = input.next();
    if (byte < 0) {
      output.flush();
      input.wait(1000);
      continue;
    }
    const pending = handleByte(byte);
    if (pending) await pending;
  }
}

main().catch((err: unknown) => {
  output.flush();
  if (err instanceof PowerCut) {
    post({ type: 'power-cut' });
  } else {
    post({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  // Stop here, as a board without power does; the host ends the worker.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
