/**
 * What a port spec says (`--port`, BELAY_PORT, belay.yaml `device.port`):
 *   auto | ""                 the one connected board that looks like MicroPython
 *   emulator | emulator:NAME  the emulated board NAME ("default" when unnamed)
 *   anything else             a serial device path (/dev/ttyACM0, COM3)
 * and the one rule for emulator names, the same from the command line and
 * from a config file: a letter or digit, then letters, digits, ".", "_" or
 * "-", at most 64 characters. A name becomes a folder name, so it can never
 * be "..", start with "." or "-", or hold a separator.
 */
import { BelayError } from '../errors.js';

export type PortSpec = { kind: 'emulator'; name: string } | { kind: 'auto' } | { kind: 'serial'; path: string };

export const DEFAULT_EMULATOR_NAME = 'default';
const EMULATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const EMULATOR_NAME_RULE = 'a letter or digit, then letters, digits, ".", "_" or "-" (at most 64)';

/** Why `name` cannot name an emulated board, or undefined when it can. */
export function emulatorNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (!EMULATOR_NAME.test(name)) return `is not ${EMULATOR_NAME_RULE}`;
  return undefined;
}

/** Throws USAGE unless `name` follows the emulator-name rule. */
export function checkEmulatorName(name: string): string {
  const problem = emulatorNameProblem(name);
  if (problem) throw new BelayError('USAGE', `emulator name ${JSON.stringify(name)} ${problem}`, { hint: `use ${EMULATOR_NAME_RULE}`, data: { name } });
  return name;
}

/** The emulator name in a spec ("emulator" -> "default"), or undefined when the spec is no emulator. Unchecked. */
export function emulatorNameIn(port: string): string | undefined {
  const emulator = /^emulator(?::([^]*))?$/.exec(port.trim());
  if (!emulator) return undefined;
  return emulator[1] ?? DEFAULT_EMULATOR_NAME;
}

/** Parses a port spec; an invalid emulator name is a USAGE error. */
export function parsePort(port: string): PortSpec {
  const spec = port.trim();
  if (spec === 'auto' || spec === '') return { kind: 'auto' };
  const name = emulatorNameIn(spec);
  if (name !== undefined) return { kind: 'emulator', name: checkEmulatorName(name) };
  return { kind: 'serial', path: port };
}
