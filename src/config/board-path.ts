/**
 * Board paths: POSIX, absolute, normalised, and never above `/`. Every path a
 * config names on the board passes through here, so the layers below only
 * ever see clean paths like `/lib/util.py`.
 */

/** belay's own folder on the board (manifest, journal): no source may write there. */
export const RESERVED_BOARD_DIR = '/.belay';

/** littlefs and FAT both limit one name to 255 bytes. */
const MAX_NAME_BYTES = 255;

export type BoardPathResult = { ok: true; path: string } | { ok: false; reason: string; suggestion?: string };

export function normaliseBoardPath(input: string): BoardPathResult {
  if (input.length === 0) return { ok: false, reason: 'is empty' };
  if (/[\u0000-\u001f\u007f]/.test(input)) return { ok: false, reason: 'contains a control character' };
  if (input.includes('\\')) {
    const fixed = normaliseBoardPath(input.replace(/\\/g, '/'));
    return { ok: false, reason: 'uses "\\"; board paths use "/"', suggestion: fixed.ok ? fixed.path : undefined };
  }
  if (!input.startsWith('/')) {
    const fixed = normaliseBoardPath(`/${input}`);
    return { ok: false, reason: 'must be absolute (start with "/")', suggestion: fixed.ok ? fixed.path : undefined };
  }
  const parts: string[] = [];
  for (const segment of input.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return { ok: false, reason: 'escapes the board root "/"' };
      parts.pop();
      continue;
    }
    if (Buffer.byteLength(segment, 'utf8') > MAX_NAME_BYTES) return { ok: false, reason: `has a name longer than ${MAX_NAME_BYTES} bytes` };
    parts.push(segment);
  }
  return { ok: true, path: `/${parts.join('/')}` };
}

/** True when `path` is `dir` or inside it (both normalised). */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(`${dir}/`);
}

export function joinBoard(dir: string, rel: string): string {
  if (rel === '') return dir;
  return dir === '/' ? `/${rel}` : `${dir}/${rel}`;
}

/** `/a/b/c` -> [`/a`, `/a/b`] (proper ancestors, root excluded). */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}
