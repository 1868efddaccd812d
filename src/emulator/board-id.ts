// The emulated board's factory serial number: what machine.unique_id()
// returns. Real boards each carry their own, and belay tells boards apart by
// it (a plan made for one board is refused on another), so each flash folder
// gets a random id on first use, kept beside it (`<folder>.id`, next to the
// lock file) so that it survives power cycles and never shows on the board's
// own filesystem.

import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const ID_PATTERN = /^[0-9a-f]{16}$/;

/** The id of the board whose flash lives in `flashDir`, made on first use. */
export function boardUniqueId(flashDir: string): string {
  const idFile = `${flashDir.replace(/[\\/]+$/, '')}.id`;
  const existing = readId(idFile);
  if (existing) return existing;
  const made = randomBytes(8).toString('hex');
  mkdirSync(dirname(idFile), { recursive: true });
  // Written whole under a temp name, then linked into place: a link never
  // replaces an existing file, so when two processes power the same board at
  // once the first id stays and both read it, never a half-written one.
  const temp = `${idFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${made}\n`);
  try {
    linkSync(temp, idFile);
  } catch {
    // Another process was first, and what is on file wins; a damaged file
    // (not an id) is replaced so that the board keeps one id from now on.
    if (!readId(idFile)) renameSync(temp, idFile);
  } finally {
    rmSync(temp, { force: true });
  }
  return readId(idFile) ?? made;
}

function readId(idFile: string): string | undefined {
  try {
    const text = readFileSync(idFile, 'utf8').trim();
    return ID_PATTERN.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
