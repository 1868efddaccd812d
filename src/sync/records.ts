/**
 * Where belay keeps its own records on the board: one reserved folder that
 * no config may deploy into and no plan ever lists. Pure constants, so the
 * planner can know them without importing anything that does I/O.
 */
import { RESERVED_BOARD_DIR } from '../config/board-path.js';

export const BELAY_DIR = RESERVED_BOARD_DIR;
/** What belay last applied (manifest.ts). */
export const MANIFEST_PATH = `${BELAY_DIR}/manifest.json`;
/** The id belay gives a board whose port has no machine.unique_id (board-identity.ts). */
export const BOARD_ID_PATH = `${BELAY_DIR}/board-id`;

export function isReservedPath(path: string): boolean {
  return path === BELAY_DIR || path.startsWith(`${BELAY_DIR}/`);
}
