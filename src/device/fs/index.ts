/** The board filesystem API (device.fs): listing, hashing, verified transfers. */
export { DeviceFs, type DeviceFsOptions, type ReadOptions, type StageOptions } from './device-fs.js';
export { buildJournal, type Staged, type CommitRequest, type CommitResult, type RecoveryReport, type Journal } from './transaction.js';
export { fatNameProblem, fatRefusals, type FilesystemKind, type NameRefusal } from './names.js';
export type { UploadSource } from './source.js';
export { createHasher, hashBytes, hashLocalFile, sameHash } from '../../hashing/hashing.js';
export * from './types.js';
export { putTree, getTree, getFile, type TreeOptions, type TreeResult, type FileEvent } from './tree-transfer.js';
