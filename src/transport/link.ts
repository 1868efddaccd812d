/**
 * What kind of link a board sits behind, which decides how many bytes the
 * host may have in flight to it:
 *
 *   usb      native USB-CDC (RP2040/RP2350, ESP32-S2/S3/C3 USB, STM32 USB,
 *            SAMD, nRF): USB flow-controls every packet, nothing is dropped
 *   uart     a USB-UART bridge chip (CP210x, CH340/CH9102, FTDI, PL2303) in
 *            front of the board's UART: ~256-byte buffers that drop bytes
 *            past them
 *   unknown  anything else (a pty, a port without USB ids): treated as uart
 *
 * The USB vendor/product id says it where the port has one (Linux sysfs,
 * serialport's listing elsewhere); the board's platform can add to it
 * (device/link-window.ts).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type LinkKind = 'usb' | 'uart' | 'unknown';

export interface LinkInfo {
  kind: LinkKind;
  /** The baud rate the port was opened with (UART bridges run at it; USB-CDC ignores it); undefined: unpaced. */
  baud?: number;
  /** How the kind was found, for --verbose and errors ("USB 2e8a:0005", "no USB ids"). */
  source: string;
}

/** [vendor, product or any, kind]: the first match wins, so specific products go first. */
const USB_LINKS: Array<[vendor: string, product: string | undefined, kind: Exclude<LinkKind, 'unknown'>]> = [
  ['2e8a', '000c', 'uart'], // Raspberry Pi Debug Probe: a UART bridge
  ['2e8a', undefined, 'usb'], // Raspberry Pi RP2040/RP2350 (MicroPython rp2: 2e8a:0005)
  ['f055', undefined, 'usb'], // MicroPython's own id (pyboard/STM32, SAMD, nRF, mimxrt, renesas)
  ['303a', undefined, 'usb'], // Espressif native USB and USB-Serial/JTAG (ESP32-S2/S3/C3/C6)
  ['239a', undefined, 'usb'], // Adafruit (native USB boards)
  ['2341', undefined, 'usb'], // Arduino (Nano RP2040 Connect, Nano ESP32)
  ['1b4f', undefined, 'usb'], // SparkFun (native USB boards)
  ['2886', undefined, 'usb'], // Seeed (XIAO)
  ['10c4', undefined, 'uart'], // Silicon Labs CP210x
  ['1a86', undefined, 'uart'], // WCH CH340/CH341/CH9102
  ['0403', undefined, 'uart'], // FTDI
  ['067b', undefined, 'uart'], // Prolific PL2303
];

/** The link kind a USB vendor/product id tells, or unknown. */
export function linkKindOfUsb(vendorId?: string, productId?: string): LinkKind {
  if (!vendorId) return 'unknown';
  const v = vendorId.toLowerCase();
  const p = productId?.toLowerCase();
  for (const [vendor, product, kind] of USB_LINKS) if (vendor === v && (product === undefined || product === p)) return kind;
  return 'unknown';
}

/**
 * USB ids of a serial device on Linux, from sysfs (cheap: no listing of all
 * ports). Undefined where there are none: a pty, a non-USB UART, or no sysfs.
 */
export function usbIdsOf(path: string, sysClassTty = '/sys/class/tty'): { vendorId: string; productId?: string } | undefined {
  try {
    const name = basename(realpathSync(path));
    // ttyACM0/device links to the USB interface; its parent holds the device's ids.
    const usb = dirname(realpathSync(join(sysClassTty, name, 'device')));
    const read = (file: string) => readFileSync(join(usb, file), 'utf8').trim() || undefined;
    const vendorId = read('idVendor');
    if (!vendorId) return undefined;
    let productId: string | undefined;
    try {
      productId = read('idProduct');
    } catch {
      productId = undefined;
    }
    return { vendorId, productId };
  } catch {
    return undefined;
  }
}

/** The link a port path leads to, from its USB ids when it has them. */
export function linkOfPort(path: string, baud: number | undefined, ids = usbIdsOf(path)): LinkInfo {
  if (!ids) return { kind: 'unknown', baud, source: 'no USB ids' };
  const kind = linkKindOfUsb(ids.vendorId, ids.productId);
  return { kind, baud, source: `USB ${ids.vendorId}:${ids.productId ?? '????'}` };
}
