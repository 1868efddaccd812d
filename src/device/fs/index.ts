/** The board filesystem API (device.fs): listing, hashing, verified transfers. */
export { DeviceFs, type DeviceFsOptions, type ReadOptions } from './device-fs.js';
export type { UploadSource } from './source.js';
export { createHasher, hashBytes, hashLocalFile, sameHash } from '../../hashing/hashing.js';
export * from './types.js';
export { putTree, getTree, getFile, type TreeOptions, type TreeResult, type FileEvent } from './tree-transfer.js';
