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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ChannelReader, type ChannelBuffers } from './channel.js';
import { Flash, PowerCut } from './flash.js';
import { firmwarePatch } from './firmware-patch.js';
import { Output } from './output.js';
import { MidProgramCollector, loadInterpreter, locateInterruptState, type InterruptState, type MicroPython } from './interpreter.js';
import type { BoardSettings, WorkerMessage } from './options.js';

interface WorkerData {
  options: BoardSettings;
  channel: ChannelBuffers;
  /** Where an earlier power-on found the interrupt state (checked, not trusted). */
  knownInterrupt?: InterruptState;
  /** Where an earlier power-on found the interpreter's call depth (checked, not trusted). */
  knownDepthIndex?: number;
}

const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_E = 0x05;
/** mp_js_repl_process_char's result when Ctrl-D asks for a soft reset. */
const PYEXEC_FORCED_EXIT = 0x100;

const { options, channel, knownInterrupt, knownDepthIndex } = workerData as WorkerData;
const input = new ChannelReader(channel);
const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);

const output = new Output(post);

/* ---------------------------------------------------------- interpreter */

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
/** On a fixed heap: collections the port would not make by itself (see interpreter.ts). */
let collector: MidProgramCollector | undefined;
let flash: Flash;
/** The interpreter's interrupt character (mp_interrupt_char), as an Int32 view of its word. */
let interruptChar: { memory: Int32Array; index: number };
/** The words a Ctrl-C sets (see InterruptState), with their values when nothing is pending. */
let idleInterruptWords: Array<[number, number]> = [];

async function startInterpreter(): Promise<void> {
  output.muted = true;
  const loaded = await loadInterpreter({ stdout: (byte) => output.byte(byte), stdin: stdinByte }, options.heapSize);
  mp = loaded.mp;
  flash = new Flash(mp.FS, {
    dir: options.dir,
    sizeBytes: options.flashSize,
    blockSize: options.blockSize,
    filesystem: options.filesystem,
    listSystemEntries: options.listSystemEntries,
    powerCutAt: options.powerCutAtWrite,
    corruptAt: options.corruptAtWrite,
    onMutation: (count) => post({ type: 'mutations', count }),
  });
  flash.mount();
  // A fixed heap needs gc.collect() to collect at once, as on a board.
  collector = options.heapSize !== undefined ? MidProgramCollector.locate(mp, knownDepthIndex) : undefined;
  mp.registerJsModule('_belay_emulator', {
    ...(collector ? { collect: () => collector?.collect() } : {}),
    // Real firmware does not say how big its receive buffer is; this board
    // does (unless asked to be as opaque as hardware), so hosts can use all of it.
    ...(options.announceRxBuffer ? { rx_buffer: options.rxBuffer } : {}),
    hard_reset: () => {
      output.flush();
      post({ type: 'hard-reset' });
      // The host terminates this worker and powers the board on again.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    },
  });
  // The host reaches KeyboardInterrupt through this instance's memory: tell it where.
  const interrupt = locateInterruptState(mp, knownInterrupt);
  interruptChar = { memory: new Int32Array(loaded.memory), index: interrupt.charIndex };
  idleInterruptWords = interrupt.words.map(([index]) => [index, interruptChar.memory[index]]);
  post({ type: 'ready', memory: loaded.memory, interruptWords: interrupt.words, interruptCharIndex: interrupt.charIndex, depthIndex: collector?.depthIndex });
  mp.runPython(firmwarePatch({ uniqueId: options.uniqueId, hide: options.hide, fixedHeap: collector !== undefined }));
  mp.replInit();
  output.muted = false;
}

/**
 * What pyexec does when a program ends (mp_handle_pending(false)): a Ctrl-C
 * that arrived while the program was still ending must not interrupt the
 * next one. The interpreter's own call also gives KeyboardInterrupt a fresh
 * traceback (the host sets only the pending words, so tracebacks would
 * otherwise pile up); the idle values then drop what it made pending.
 */
function dropPendingInterrupt(): void {
  mp._module._mp_sched_keyboard_interrupt();
  for (const [index, value] of idleInterruptWords) Atomics.store(interruptChar.memory, index, value);
}

/**
 * Marks a program as running. The host stores a Ctrl-C into the
 * interpreter when it sees a program running; if that program ended between
 * its look and its store, the store lands after the drop above: clear it
 * here, before this program runs (no Ctrl-C can be meant for a program not
 * yet running; one already running keeps what the host sent it).
 */
function startProgram(): void {
  if (!input.executing) for (const [index, value] of idleInterruptWords) Atomics.store(interruptChar.memory, index, value);
  input.executing = true;
}

/** Runs Python source from the flash (boot.py, main.py) as the firmware does at start-up. */
function runScript(file: string): void {
  // The flash folder is the truth (writes go through at once): look there.
  if (!existsSync(join(options.dir, file))) return;
  startProgram();
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
    dropPendingInterrupt();
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
  startProgram();
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
    if (byte === CTRL_C) {
      // As the firmware's stdin reader: the input ends ("\x04") and the
      // program is a KeyboardInterrupt before it ran, reported the usual way.
      // A host that died mid-paste leaves a board the next host can reach.
      output.text('\x04\x04KeyboardInterrupt: \r\n\x04>');
      output.flush();
      return;
    }
    // Control characters would steer the wasm REPL rather than be source text.
    if (byte > CTRL_E || byte === 0x00) code.push(byte);
    sinceGrant += 1;
    if (sinceGrant === window) {
      sinceGrant = 0;
      output.byte(CTRL_A);
      output.flush();
    }
  }
  // Busy from before the acknowledgement: a host may hang up as soon as it
  // has it (`run --no-follow`, machine.reset()), and closing waits only for
  // a board it sees busy.
  startProgram();
  output.byte(CTRL_D);
  output.flush();
  // Run it through the plain raw REPL, minus the "OK" that mode prints first.
  runPasted(Uint8Array.from(code));
}

/**
 * Runs a raw-paste program. A board compiles raw-paste input as it arrives and
 * never holds the text in its heap, so the program is compiled from a buffer
 * outside the Python heap (where the plain raw REPL would first collect it in
 * a heap string); a small heap then costs here what it costs on a board. The
 * reply is the raw REPL's: output, `\x04`, traceback, `\x04`, `>`.
 */
function runPasted(code: Uint8Array): void {
  const source = Buffer.from(code).toString('utf8');
  if (!Buffer.from(source, 'utf8').equals(code)) {
    // Not UTF-8: let the raw REPL read the bytes as they are.
    output.swallowNext('OK');
    execute([...code, CTRL_D]);
    return;
  }
  input.executing = true;
  collector?.collectBetweenPrograms();
  const { memory, index } = interruptChar;
  Atomics.store(memory, index, CTRL_C); // as pyexec arms Ctrl-C around a program
  let traceback = '';
  try {
    mp.runPython(source);
  } catch (err) {
    if (err instanceof PowerCut) throw err;
    traceback = (err as { message?: string }).message ?? String(err);
  } finally {
    Atomics.store(memory, index, -1);
    input.executing = false;
    dropPendingInterrupt();
  }
  output.text(`\x04${traceback}\x04>`);
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
        try {
          execute([byte]);
        } finally {
          // A plain raw REPL program ended: as after a raw-paste one.
          dropPendingInterrupt();
        }
        rawLineEmpty = true;
        return undefined;
      case CTRL_E:
        if (rawLineEmpty) rawPaste();
        return undefined;
      default:
        // The first byte of a plain raw REPL program: collect the last
        // program's garbage now, as before a raw-paste one (runPasted), in
        // the same idle state (no line pending). A board would collect at
        // the first allocation that failed; the emulator cannot (see
        // docs/emulator.md).
        if (rawLineEmpty) collector?.collectBetweenPrograms();
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
  // A power-on runs boot.py and main.py; a safe boot skips them; a host
  // connecting to a board that has been running finds it idle at its prompt.
  if (options.start === 'power-on') {
    runScript('/boot.py');
    if (options.runMain) runScript('/main.py');
  }
  if (options.start !== 'connect') output.text(banner());
  output.flush();
  post({ type: 'started' });
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
