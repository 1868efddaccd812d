/**
 * belay as a library: connect to a board (real or emulated), run code, read
 * its facts, load a project's belay.yaml, and plan what a deploy would change.
 * Named exports only.
 */
export { BelayError, isBelayError, type ErrorCode, type BelayErrorOptions, type ErrorData, type ErrorDataMap } from './errors.js';
export { Device, type ConnectOptions, type BoardInfo } from './device/device.js';
export type { Capabilities } from './device/capabilities.js';
export type { BoardSession } from './device/session.js';
export { DEFAULT_TIMEOUT_MS, type ExecOptions, type ExecResult, type ExecBytesResult } from './protocol/raw-repl.js';
export { copyOnBoard, type CopyOptions, type CopyResult } from './device/copy.js';
export { errnoName } from './protocol/errno.js';
export type { Transport } from './transport/types.js';
export { openTransport, autoPort, parsePort, emulatorDir, emulatorHome, userDataDir, checkEmulatorName, type OpenOptions, type EmulatorPlace, type PortSpec } from './port/index.js';
export { listPorts, type PortInfo, type PortListing } from './transport/discovery.js';
export { SerialTransport } from './transport/serial.js';
export { EmulatorTransport } from './emulator/emulator-transport.js';
export type { EmulatorOptions, HideableFeature, RawPasteSupport } from './emulator/options.js';
export { servePty, type PtyBridge } from './emulator/pty-bridge.js';
export * from './config/index.js';
export * from './device/fs/index.js';
export {
  boardPath,
  boardTarget,
  writePath,
  checkBoardPath,
  isReserved,
  tempPathFor,
  isTempName,
  TEMP_PREFIX,
  RESERVED_BOARD_DIR,
  MAX_NAME_BYTES,
  type BoardPathCheck,
  type BoardPathOptions,
  type PathPurpose,
} from './paths/board.js';
export { walkTree, DEFAULT_IGNORES, checkWriteTargets, writeFileAtomic, AtomicFile, type WalkOptions, type LocalTree, type LocalFile, type SkippedEntry } from './local/index.js';
export * from './sync/index.js';
