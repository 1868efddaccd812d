/**
 * Opens the board a port spec names (see spec.ts): a serial port, the one
 * MicroPython board plugged in (`auto`), or an emulated board whose flash
 * folder emulator-dir.ts decides. This sits above both transport/ (serial
 * links, discovery) and emulator/ (a board), so neither imports the other.
 * Each kind of link loads when it is opened: the emulator never loads the
 * serialport native bindings, and a serial port never loads the emulator.
 */
import { BelayError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import type { ListOptions, PortInfo } from '../transport/discovery.js';
import type { EmulatorOptions } from '../emulator/options.js';
import { emulatorDir } from './emulator-dir.js';
import { parsePort } from './spec.js';

export interface OpenOptions {
  /** A port spec (default `auto`). The CLI fills it from --port, BELAY_PORT or belay.yaml. */
  port?: string;
  baud?: number;
  /** The project's root (the folder of its belay.yaml), where emulated boards keep their flash; omit outside a project. */
  projectDir?: string;
  /** Folder holding every emulated board's flash folder; wins over projectDir (the CLI's BELAY_EMULATOR_DIR). */
  emulatorHome?: string;
  /** The per-user data folder, used outside a project (default: the OS convention). */
  dataDir?: string;
  /** Extra settings for an emulated board (faults, hidden features...); `dir` overrides the flash folder. */
  emulator?: Partial<EmulatorOptions>;
  discovery?: ListOptions;
}

function describe(port: PortInfo): string {
  const ids = port.vendorId ? ` (${port.vendorId}:${port.productId ?? '????'}${port.manufacturer ? `, ${port.manufacturer}` : ''})` : '';
  return `${port.path}${ids}`;
}

/** Picks the single board for `--port auto`, or explains why it cannot. */
export async function autoPort(discovery?: ListOptions): Promise<string> {
  const { listPorts } = await import('../transport/discovery.js');
  const listing = await listPorts(discovery);
  const boards = listing.ports.filter((port) => port.kind === 'micropython');
  const candidates = boards.length > 0 ? boards : listing.ports.filter((port) => port.kind === 'usb-serial');
  if (candidates.length === 1) return candidates[0].path;
  if (candidates.length === 0) {
    const others = listing.ports.map(describe);
    throw new BelayError('PORT_NOT_FOUND', 'no connected board looks like MicroPython', {
      detail: others.length > 0 ? `serial ports seen:\n  ${others.join('\n  ')}` : listing.fallback,
      hint: 'plug the board in, name it with --port PATH, or use --port emulator for the emulated board',
    });
  }
  throw new BelayError('PORT_AMBIGUOUS', `${candidates.length} boards are connected; choose one with --port`, {
    detail: `candidates:\n  ${candidates.map(describe).join('\n  ')}`,
    data: { candidates: candidates.map((port) => port.path) },
  });
}

export async function openTransport(options: OpenOptions = {}): Promise<Transport> {
  const spec = parsePort(options.port ?? 'auto');
  if (spec.kind === 'emulator') {
    const dir = options.emulator?.dir ?? emulatorDir(spec.name, { projectDir: options.projectDir, home: options.emulatorHome, dataDir: options.dataDir });
    // Connecting is not a power-on: boot.py and main.py run on a reset only.
    const { EmulatorTransport } = await import('../emulator/emulator-transport.js');
    return EmulatorTransport.open({ start: 'connect', ...options.emulator, dir }, spec.name);
  }
  const path = spec.kind === 'auto' ? await autoPort(options.discovery) : spec.path;
  const { SerialTransport, DEFAULT_BAUD } = await import('../transport/serial.js');
  return SerialTransport.open(path, options.baud ?? DEFAULT_BAUD);
}
