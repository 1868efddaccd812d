/**
 * How MicroPython's FAT driver reads a path (oofatfs `create_name`, with
 * long names on and code page 437, as MicroPython builds it), so the
 * emulated FAT flash reads names exactly as a board does:
 *
 * - `/` and `\` both separate folders, and repeated separators count once;
 * - a control character (below 0x20) ends the whole path: `main.py\tx` is
 *   `main.py`, `a\nb/c` is `a`;
 * - `"*:<>?|` and DEL make the name invalid (EINVAL);
 * - trailing spaces and dots are dropped (`main.py.` is `main.py`), and a
 *   name left empty is invalid;
 * - a name holds at most 255 characters, and a character is a byte: the
 *   driver reads UTF-8 as code page 437, one character per byte;
 * - names compare case-insensitively, byte by byte through code page 437
 *   (so even some UTF-8 names fold together, as they do on a board).
 *
 * Pure functions, no filesystem: fat.ts applies them.
 */

/** FatFs' longest long name, in characters (here: bytes). */
export const FAT_MAX_NAME = 255;

/** Characters FatFs refuses in a long name. */
const REFUSED = new Set([...'"*:<>?|\x7f'].map((c) => c.charCodeAt(0)));
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

/** Code page 437, bytes 0x80-0xFF, as Unicode. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export class FatNameError extends Error {
  constructor(readonly reason: 'refused-character' | 'too-long' | 'empty', name: string) {
    super(`FAT cannot hold the name ${JSON.stringify(name)} (${reason})`);
  }
}

export interface FatPath {
  absolute: boolean;
  /** The names the driver sees, in order ("." and ".." kept as they are). */
  names: string[];
}

/** Reads a path as the FAT driver does; throws FatNameError where it answers FR_INVALID_NAME. */
export function parseFatPath(path: string): FatPath {
  const bytes = Buffer.from(path, 'utf8');
  const names: string[] = [];
  let start = 0;
  let end = bytes.length;
  const finish = (from: number, to: number) => {
    if (to === from) return; // repeated separators
    const raw = bytes.subarray(from, to);
    const text = raw.toString('utf8');
    if (text === '.' || text === '..') {
      names.push(text);
      return;
    }
    if (raw.length > FAT_MAX_NAME) throw new FatNameError('too-long', text);
    let keep = raw.length;
    while (keep > 0 && (raw[keep - 1] === 0x20 || raw[keep - 1] === 0x2e)) keep -= 1;
    if (keep === 0) throw new FatNameError('empty', text);
    names.push(raw.subarray(0, keep).toString('utf8'));
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte < 0x20) {
      end = i; // the path ends here, whatever follows
      break;
    }
    if (byte === SLASH || byte === BACKSLASH) {
      finish(start, i);
      start = i + 1;
    } else if (REFUSED.has(byte)) {
      throw new FatNameError('refused-character', bytes.subarray(start).toString('utf8'));
    }
  }
  finish(start, end);
  const first = bytes[0];
  return { absolute: first === SLASH || first === BACKSLASH, names };
}

/** The key two names share when FAT takes them for the same name. */
export function fatFold(name: string): string {
  let key = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
    const upper = char.toUpperCase();
    key += upper.length === 1 ? upper : char;
  }
  return key;
}
