/**
 * Which board a plan is for. A plan made for one board must not be applied
 * to another (apply compares identities), so every board needs a stable id:
 * its hardware id (machine.unique_id()) where the port has one, otherwise a
 * random id belay stores once in /.belay/board-id. Storing that id is the
 * only write `belay plan` ever makes.
 */
import { randomUUID } from 'node:crypto';
import type { Device } from '../device/device.js';
import { reservedPath } from '../paths/reserved.js';
import { BOARD_ID_NAME, BOARD_ID_PATH } from './records.js';
import type { ActualState, BoardIdentity } from './types.js';

/** What a stored id may look like (random UUIDs; anything else is not belay's and is replaced). */
const STORED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Hardware ids that identify nothing (unset OTP, ports that fake one). */
function meaningful(uid: string | null): uid is string {
  return uid !== null && /^[0-9a-f]+$/i.test(uid) && !/^(0+|f+)$/i.test(uid);
}

export interface IdentityResult {
  identity: BoardIdentity;
  /** True when this call stored a new id on the board. */
  stored: boolean;
}

type About = Pick<BoardIdentity, 'platform' | 'machine'>;

/** The identity the board has now, or null with what to record about it when it has none. */
async function lookUp(device: Device, actual: ActualState, signal?: AbortSignal): Promise<{ identity: BoardIdentity | null; about: About }> {
  // belay stores an id only on boards without a hardware id, so a stored id
  // answers the question without asking the board for its unique_id.
  const listed = actual.entries.find((entry) => entry.path === BOARD_ID_PATH && entry.kind === 'file');
  if (listed) {
    const { data } = await device.fs.read(BOARD_ID_PATH, { signal });
    const text = data!.toString('utf8').trim();
    const platform = device.boardPlatform;
    const about = platform ? { platform } : {};
    if (STORED_ID.test(text)) return { identity: { id: `belay:${text}`, source: 'stored', ...about }, about };
  }
  const info = await device.info({ signal });
  const about = { platform: info.platform, ...(info.machine ? { machine: info.machine } : {}) };
  if (meaningful(info.unique_id)) return { identity: { id: `uid:${info.unique_id.toLowerCase()}`, source: 'machine', ...about }, about };
  return { identity: null, about };
}

/**
 * The board's identity as it stands, without writing anything: its stored
 * id, else its hardware id, else null (a board belay never planned for).
 * Apply checks a plan with this: a refusal must come before any write.
 */
export async function findBoardIdentity(device: Device, actual: ActualState, options: { signal?: AbortSignal } = {}): Promise<BoardIdentity | null> {
  return (await lookUp(device, actual, options.signal)).identity;
}

/** The board's identity; a board with neither a stored nor a hardware id gets a stored one now. */
export async function readBoardIdentity(device: Device, actual: ActualState, options: { signal?: AbortSignal } = {}): Promise<IdentityResult> {
  const { identity, about } = await lookUp(device, actual, options.signal);
  if (identity) return { identity, stored: false };
  const id = randomUUID();
  await storeBoardId(device, id, options.signal);
  return { identity: { id: `belay:${id}`, source: 'stored', ...about }, stored: true };
}

/**
 * The one place `plan` writes to the board: belay's own record of the
 * board's id, through the verified temp-and-rename write, by the reserved
 * path only the engine can name.
 */
async function storeBoardId(device: Device, id: string, signal?: AbortSignal): Promise<void> {
  // The folder first, by its reserved name: `parents` would name it by a plain string, which writers refuse.
  await device.fs.mkdir(reservedPath(), { parents: true, signal });
  await device.fs.write(reservedPath(BOARD_ID_NAME), new TextEncoder().encode(`${id}\n`), { signal });
}
