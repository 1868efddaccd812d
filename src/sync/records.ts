/**
 * Where belay keeps its own records on the board: one reserved folder that
 * no config may deploy into and no plan ever lists (paths/board.ts
 * `isReserved`, which also folds case, as FAT does). Writers reach these
 * records only through `reservedPath()` (paths/reserved.ts); the planner,
 * which is pure, needs only the names.
 */
import { RESERVED_BOARD_DIR, isReserved } from '../paths/board.js';

export const BELAY_DIR = RESERVED_BOARD_DIR;
/** What belay last applied (manifest.ts). */
export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_PATH = `${BELAY_DIR}/${MANIFEST_NAME}`;
/** The id belay gives a board whose port has no machine.unique_id (board-identity.ts). */
export const BOARD_ID_NAME = 'board-id';
export const BOARD_ID_PATH = `${BELAY_DIR}/${BOARD_ID_NAME}`;

export { isReserved };
