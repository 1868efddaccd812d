/**
 * Turns a --port value into an open Transport:
 *   emulator | emulator:NAME  the emulated board whose flash is
 *                             <project>/.belay/emulator/NAME (or $BELAY_EMULATOR_DIR/NAME)
 *   auto                      the one connected board that looks like MicroPython
 *   anything else             a serial device path (/dev/ttyACM0, COM3)
 */
import { join } from 'node:path';
import { BelayError } from '../errors.js';
import type { Transport } from './types.js';
import { listPorts, type ListOptions, type PortInfo } from './discovery.js';
import { SerialTransport, DEFAULT_BAUD } from './serial.js';
import { EmulatorTransport } from '../emulator/emulator-transport.js';
import type { EmulatorOptions } from '../emulator/options.js';

export interface OpenOptions {
  /** Defaults to $BELAY_PORT, then `auto`. */
  port?: string;
  baud?: number;
  /** Folder the emulator's flash lives under (the project's root). */
  projectDir?: string;
  /** Extra settings for an emulated board (faults, hidden features...). */
  emulator?: Partial<EmulatorOptions>;
  discovery?: ListOptions;
}

const EMULATOR_NAME = /^[A-Za-z0-9._-]+$/;

export function parsePort(port: string): { kind: 'emulator'; name: string } | { kind: 'auto' } | { kind: 'serial'; path: string } {
  if (port === 'auto' || port === '') return { kind: 'auto' };
  const emulator = /^emulator(?::(.*))?$/.exec(port);
  if (emulator) {
    const name = emulator[1] ?? 'default';
    if (!EMULATOR_NAME.test(name) || name === '.' || name === '..') {
      throw new BelayError('USAGE', `invalid emulator name ${JSON.stringify(name)}`, { hint: 'use letters, digits, ".", "_" or "-"' });
    }
    return { kind: 'emulator', name };
  }
  return { kind: 'serial', path: port };
}

export function emulatorDir(name: string, projectDir = process.cwd()): string {
  const base = process.env.BELAY_EMULATOR_DIR || join(projectDir, '.belay', 'emulator');
  return join(base, name);
}

function describe(port: PortInfo): string {
  const ids = port.vendorId ? ` (${port.vendorId}:${port.productId ?? '????'}${port.manufacturer ? `, ${port.manufacturer}` : ''})` : '';
  return `${port.path}${ids}`;
}

/** Picks the single board for `--port auto`, or explains why it cannot. */
export async function autoPort(discovery?: ListOptions): Promise<string> {
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
  const spec = parsePort(options.port ?? process.env.BELAY_PORT ?? 'auto');
  if (spec.kind === 'emulator') {
    return EmulatorTransport.open({ ...options.emulator, dir: options.emulator?.dir ?? emulatorDir(spec.name, options.projectDir) }, spec.name);
  }
  const path = spec.kind === 'auto' ? await autoPort(options.discovery) : spec.path;
  return SerialTransport.open(path, options.baud ?? DEFAULT_BAUD);
}
