/**
 * FAT semantics for the emulated flash, as MicroPython's FAT driver
 * (extmod/vfs_fat.c over oofatfs) shows them to a program. Installed above
 * the write-through hooks of flash.ts, so each step still lands in the
 * flash folder and counts as a mutation.
 *
 * What a program sees differ from littlefs:
 * - names are read by the FAT rules (fat-names.ts): cut at a control
 *   character, `\` separates, `"*:<>?|` refused with EINVAL, trailing dots
 *   and spaces dropped, 255 characters at most, case folded on lookup and
 *   kept as first written;
 * - rename onto an existing file removes that file first, then renames: two
 *   filesystem steps, so a power cut between them leaves no file under the
 *   target name (renaming onto a folder: EISDIR);
 * - the errors the driver maps from FatFs results: removing a non-empty
 *   folder is EACCES (not ENOTEMPTY), opening a folder as a file ENOENT
 *   (EACCES when writing), a file used as a folder ENOENT;
 * - `os.statvfs` counts clusters left after the FAT and the root folder
 *   (see fatClusterCount).
 */
import * as path from 'node:path';
import { FatNameError, fatFold, parseFatPath } from './fat-names.js';
import { WASI } from './wasi-errno.js';

const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_DIRECTORY = 0o200000;

const SECTOR = 512;
/** FatFs formats small volumes with one FAT and a 512-entry root folder. */
const ROOT_ENTRIES = 512;
const FAT12_MAX_CLUSTERS = 4085;

/** Clusters a FAT volume of `size` bytes offers, as FatFs' f_mkfs lays it out (one reserved sector, one FAT). */
export function fatClusterCount(size: number, clusterSize: number): number {
  const sectors = Math.floor(size / SECTOR);
  const perCluster = Math.max(1, Math.floor(clusterSize / SECTOR));
  const fixed = 1 + (ROOT_ENTRIES * 32) / SECTOR;
  let clusters = Math.floor((sectors - fixed) / perCluster);
  for (let round = 0; round < 3; round++) {
    const fatBytes = clusters < FAT12_MAX_CLUSTERS ? Math.ceil(((clusters + 2) * 3) / 2) : (clusters + 2) * 2;
    clusters = Math.max(0, Math.floor((sectors - fixed - Math.ceil(fatBytes / SECTOR)) / perCluster));
  }
  return clusters;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Emscripten's FS object is untyped. */
type EmscriptenFS = any;

interface Resolved {
  /** The path as stored: each existing name in the spelling it was created with. */
  path: string;
  /** The folder holding the last name, as stored. */
  parent: string;
  /** The last name as the program spelled it (after FAT's own clean-up). */
  given: string;
  /** The node the path names, if it exists. */
  node: any;
}

export function installFat(FS: EmscriptenFS): void {
  const below = {
    open: FS.open,
    stat: FS.stat,
    lstat: FS.lstat,
    mkdir: FS.mkdir,
    rmdir: FS.rmdir,
    unlink: FS.unlink,
    rename: FS.rename,
    readdir: FS.readdir,
    chdir: FS.chdir,
    truncate: FS.truncate,
  };
  const fail = (errno: number): never => {
    throw new FS.ErrnoError(errno);
  };
  const isDir = (node: any) => node !== undefined && FS.isDir(node.mode);

  /** Reads `raw` as the FAT driver does and finds what it names, folding case. */
  function resolve(raw: string): Resolved {
    let parsed;
    try {
      parsed = parseFatPath(raw);
    } catch (err) {
      if (err instanceof FatNameError) fail(WASI.EINVAL);
      throw err;
    }
    const names: string[] = parsed.absolute ? [] : FS.cwd().split('/').filter(Boolean);
    for (const name of parsed.names) {
      if (name === '..') names.pop();
      else if (name !== '.') names.push(name);
    }
    const stored: string[] = [];
    let node: any = FS.lookupPath('/').node;
    for (const name of names) {
      if (node === undefined) {
        stored.push(name);
        continue;
      }
      if (!isDir(node)) fail(WASI.ENOENT); // a file used as a folder: FR_NO_PATH
      const key = fatFold(name);
      const match = Object.keys(node.contents ?? {}).find((existing) => fatFold(existing) === key);
      stored.push(match ?? name);
      node = match === undefined ? undefined : node.contents[match];
    }
    const full = `/${stored.join('/')}`;
    return { path: full, parent: path.posix.dirname(full), given: names[names.length - 1] ?? '', node };
  }

  FS.open = (target: any, flags: any, mode?: number) => {
    if (typeof target !== 'string' || typeof flags !== 'number') return below.open(target, flags, mode);
    const found = resolve(target);
    if (isDir(found.node)) {
      if (flags & O_DIRECTORY) return below.open(found.path, flags, mode);
      // FatFs: FR_DENIED where the open would create or truncate, FR_NO_FILE otherwise.
      return fail(flags & (O_CREAT | O_TRUNC) ? WASI.EACCES : WASI.ENOENT);
    }
    if (found.node !== undefined && flags & O_DIRECTORY) fail(WASI.ENOENT); // listing a file
    return below.open(found.path, flags, mode);
  };

  FS.stat = (target: any, dontFollow?: boolean) =>
    typeof target === 'string' ? below.stat(resolve(target).path, dontFollow) : below.stat(target, dontFollow);
  FS.lstat = (target: any) => (typeof target === 'string' ? below.lstat(resolve(target).path) : below.lstat(target));
  FS.truncate = (target: any, length: number) =>
    typeof target === 'string' ? below.truncate(resolve(target).path, length) : below.truncate(target, length);
  FS.chdir = (target: string) => below.chdir(resolve(target).path);

  FS.readdir = (target: string) => {
    const found = resolve(target);
    if (found.node !== undefined && !isDir(found.node)) fail(WASI.ENOENT);
    return below.readdir(found.path);
  };

  FS.mkdir = (target: string, mode?: number) => {
    const found = resolve(target);
    if (found.node !== undefined) fail(WASI.EEXIST);
    return below.mkdir(found.path, mode);
  };

  // vfs_fat's remove and rmdir check the kind first, then FatFs refuses a non-empty folder.
  FS.unlink = (target: string) => {
    const found = resolve(target);
    if (found.node === undefined) fail(WASI.ENOENT);
    if (isDir(found.node)) fail(WASI.EISDIR);
    return below.unlink(found.path);
  };

  FS.rmdir = (target: string) => {
    const found = resolve(target);
    if (found.node === undefined) fail(WASI.ENOENT);
    if (!isDir(found.node)) fail(WASI.ENOTDIR);
    if (Object.keys(found.node.contents ?? {}).length > 0) fail(WASI.EACCES);
    return below.rmdir(found.path);
  };

  // vfs_fat: f_rename; when the new name exists, remove it (files only) and rename again.
  FS.rename = (from: string, to: string) => {
    const source = resolve(from);
    if (source.node === undefined) fail(WASI.ENOENT);
    const target = resolve(to);
    if (target.node !== undefined && target.node !== source.node) {
      if (isDir(target.node)) fail(WASI.EISDIR);
      FS.unlink(target.path); // its own filesystem step: a power cut can land after it
    }
    // A rename onto itself in another case changes the stored case, as FAT does.
    return below.rename(source.path, path.posix.join(target.parent, target.given));
  };
}
