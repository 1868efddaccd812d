/**
 * The board's manifest (/.belay/manifest.json, shape in types.ts and
 * schemas/manifest.v1.schema.json): what belay last applied there. Reading
 * it is the third input of a plan; `apply` writes it as its last step.
 * A manifest is checked like a plan file: JSON, format version, schema. A
 * broken one stops the plan, since without it belay cannot tell its own
 * files from the board's.
 */
import type { Device } from '../device/device.js';
import { BelayError } from '../errors.js';
import { MANIFEST_PATH } from './records.js';
import { describeSchemaErrors, schemaValidator } from './schemas.js';
import type { ActualState, Manifest } from './types.js';

export const MANIFEST_FORMAT_VERSION = 1;

const FRESH_START = `if it is beyond repair, remove ${MANIFEST_PATH}: belay then treats every board file as one it did not deploy`;

/** Parses and checks a manifest's text; MANIFEST_INVALID when it is not one this belay reads. */
export function parseManifest(text: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BelayError('MANIFEST_INVALID', `the board's ${MANIFEST_PATH} is not JSON: ${(err as Error).message}`, { hint: FRESH_START, cause: err });
  }
  const version = value !== null && typeof value === 'object' ? (value as { formatVersion?: unknown }).formatVersion : undefined;
  if (typeof version === 'number' && version > MANIFEST_FORMAT_VERSION) {
    throw new BelayError('MANIFEST_INVALID', `the board's manifest has format ${version}; this belay reads format ${MANIFEST_FORMAT_VERSION}`, {
      data: { formatVersion: version, supported: MANIFEST_FORMAT_VERSION },
      hint: 'a newer belay applied to this board: upgrade belay',
    });
  }
  const validate = schemaValidator('manifest.v1');
  if (!validate(value)) {
    throw new BelayError('MANIFEST_INVALID', `the board's ${MANIFEST_PATH} is not a valid manifest`, {
      detail: describeSchemaErrors(validate.errors ?? []),
      hint: FRESH_START,
    });
  }
  return value as Manifest;
}

/**
 * Reads the manifest when the listing shows one (no round trip otherwise).
 * The bytes read must hash to what the listing said, or another belay
 * changed it meanwhile.
 */
export async function readManifest(device: Device, actual: ActualState, options: { signal?: AbortSignal } = {}): Promise<Manifest | null> {
  const listed = actual.entries.find((entry) => entry.path === MANIFEST_PATH);
  if (!listed) return null;
  if (listed.kind !== 'file') throw new BelayError('MANIFEST_INVALID', `the board's ${MANIFEST_PATH} is a folder`, { hint: FRESH_START });
  const { data, hash } = await device.fs.read(MANIFEST_PATH, { signal: options.signal });
  if (hash.digest !== listed.hash) {
    throw new BelayError('MANIFEST_INVALID', `the board's ${MANIFEST_PATH} changed while planning (another belay applying?)`, { hint: 'plan again once it is done' });
  }
  return parseManifest(data!.toString('utf8'));
}
