/**
 * The engine's way into /.belay, belay's own records on the board (journal,
 * manifest). Every writer refuses a board path inside /.belay when it is
 * given as a string, however it is spelled ("/./.BELAY//x", "/a/../.belay"):
 * a path from a user, a config or a board listing is always a string. The
 * engine names its records with `reservedPath("journal.json")` instead,
 * which returns a ReservedPath object that the filesystem writers accept.
 *
 * Why an object and not an option such as `{ allowReserved: true }`: an
 * option is easy to pass along together with a user's path; a ReservedPath
 * can only be made here, from names the engine spells itself, and it cannot
 * point anywhere but below /.belay. Only src/device/ and src/sync/ may
 * import this module (the dependency check in scripts/check-layers.mjs
 * enforces it), and index.ts does not export it.
 */
import { BelayError } from '../errors.js';

/** belay's own folder on the board (manifest, journal): only the engine writes there. */
export const RESERVED_BOARD_DIR = '/.belay';

// A ReservedPath is recognised by identity, so a look-alike object built elsewhere is not one.
const issued = new WeakSet<object>();

export interface ReservedPath {
  /** Canonical absolute board path, inside /.belay. */
  readonly path: string;
}

/**
 * A board path inside /.belay for the engine's records: `reservedPath()` is
 * /.belay itself, `reservedPath('journal.json')` is /.belay/journal.json.
 * Names are single plain path segments (no "/", ".", ".." or control characters).
 */
export function reservedPath(...names: string[]): ReservedPath {
  for (const name of names) {
    // eslint-disable-next-line no-control-regex
    if (name === '' || name === '.' || name === '..' || name.includes('/') || /[\u0000-\u001f\u007f]/.test(name)) {
      throw new BelayError('INTERNAL', `${JSON.stringify(name)} is not a name for a record in /.belay`);
    }
  }
  const value: ReservedPath = Object.freeze({ path: [RESERVED_BOARD_DIR, ...names].join('/') });
  issued.add(value);
  return value;
}

export function isReservedPath(value: unknown): value is ReservedPath {
  return typeof value === 'object' && value !== null && issued.has(value);
}
