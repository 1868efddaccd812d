/**
 * How many bytes the host may have in flight to a board's receiver (the
 * credit window of binary uploads), decided once per connection from what
 * is known, most trusted first:
 *
 *   1. the user's setting (`--window`, `device.window`)
 *   2. a native USB link (USB flow-controls every packet: nothing can drop)
 *   3. the receive buffer the firmware reports (the emulated board does)
 *   4. a board whose own stdin is flow-controlled (the unix port on a pty)
 *   5. otherwise 256 bytes: UART bridges (CP210x, CH340, FTDI) and unknown
 *      links drop bytes past a ~256-byte buffer
 */
import { BelayError } from '../errors.js';
import type { LinkInfo } from '../transport/link.js';

export const SAFE_WINDOW = 256;
/** On links that cannot drop: four 2 KiB frames in flight. */
export const USB_WINDOW = 8192;
/** The largest window a user may set (the board's frames are at most 2 KiB; more gains nothing). */
export const MAX_WINDOW = 65536;
export const MIN_WINDOW = 36;

/** Platforms whose REPL reads a flow-controlled stream (the unix port's stdin is a pty or a pipe). */
const FLOW_CONTROLLED_PLATFORMS = new Set(['linux', 'darwin', 'freebsd']);

export interface WindowChoice {
  window: number;
  /** Why, for --verbose: "set by the user", "native USB (USB 2e8a:0005)", ... */
  reason: string;
}

/** Refuses a window the receiver cannot work with (too small for a frame header and a byte, or absurdly large). */
export function checkWindow(window: number, what = 'the upload window'): number {
  if (!Number.isInteger(window) || window < MIN_WINDOW || window > MAX_WINDOW) {
    throw new BelayError('USAGE', `${what} must be a whole number of bytes from ${MIN_WINDOW} to ${MAX_WINDOW}, not ${window}`, {
      hint: `${SAFE_WINDOW} is safe on every board; native USB boards take ${USB_WINDOW}`,
    });
  }
  return window;
}

export function chooseWindow(facts: { explicit?: number; link?: LinkInfo; reported?: number; platform?: string }): WindowChoice {
  if (facts.explicit !== undefined) return { window: checkWindow(facts.explicit), reason: 'set by the user' };
  if (facts.link?.kind === 'usb') return { window: USB_WINDOW, reason: `native USB (${facts.link.source})` };
  if (facts.reported !== undefined) return { window: facts.reported, reason: 'the receive buffer the board reports' };
  if (facts.platform !== undefined && FLOW_CONTROLLED_PLATFORMS.has(facts.platform)) return { window: USB_WINDOW, reason: `a ${facts.platform} board reads a flow-controlled stream` };
  const what = facts.link?.kind === 'uart' ? `a USB-UART bridge (${facts.link.source})` : 'an unknown link';
  return { window: SAFE_WINDOW, reason: `${what}: at most ${SAFE_WINDOW} bytes in flight` };
}
