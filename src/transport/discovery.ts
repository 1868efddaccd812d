/**
 * Finds serial ports and tells which look like MicroPython boards.
 *
 * serialport's list() needs udevadm on Linux, which containers and minimal
 * systems lack. When it fails we scan /dev for the usual names ourselves and
 * read USB vendor/product ids from sysfs, so discovery still works, and we
 * say that we fell back.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
  /** `micropython`: a USB id MicroPython firmware uses; `usb-serial`: a bridge chip common on ESP boards. */
  kind: 'micropython' | 'usb-serial' | 'other';
}

export interface PortListing {
  ports: PortInfo[];
  /** Set when the system listing failed and a scan was used instead. */
  fallback?: string;
}

/** USB vendor (and optionally product) ids seen on MicroPython boards. */
const MICROPYTHON_IDS: Array<[vendor: string, product?: string]> = [
  ['2e8a'], // Raspberry Pi (Pico, Pico W, Pico 2)
  ['f055', '9800'], // MicroPython pyboard and generic MicroPython USB
  ['303a'], // Espressif native USB (ESP32-S2/S3/C3/C6)
  ['239a'], // Adafruit
  ['1b4f'], // SparkFun
  ['2886'], // Seeed
];
const BRIDGE_IDS: Array<[vendor: string, product?: string]> = [
  ['10c4', 'ea60'], // Silicon Labs CP210x
  ['1a86'], // WCH CH340/CH9102
  ['0403'], // FTDI
];

function matches(table: Array<[string, string?]>, vendor?: string, product?: string): boolean {
  if (!vendor) return false;
  const v = vendor.toLowerCase();
  const p = product?.toLowerCase();
  return table.some(([tv, tp]) => tv === v && (tp === undefined || tp === p));
}

export function classify(vendorId?: string, productId?: string): PortInfo['kind'] {
  if (matches(MICROPYTHON_IDS, vendorId, productId)) return 'micropython';
  if (matches(BRIDGE_IDS, vendorId, productId)) return 'usb-serial';
  return 'other';
}

const DEVICE_NAME = /^(ttyACM\d+|ttyUSB\d+|cu\.usbmodem.*|cu\.usbserial.*|cu\.SLAB_USBtoUART.*|cu\.wchusbserial.*)$/;

export interface ScanDirs {
  dev: string;
  sysClassTty: string;
}

function readId(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Lists serial devices by name under /dev, with USB ids from sysfs where Linux has them. */
export function scanPorts(dirs: ScanDirs = { dev: '/dev', sysClassTty: '/sys/class/tty' }): PortInfo[] {
  let names: string[];
  try {
    names = readdirSync(dirs.dev).filter((name) => DEVICE_NAME.test(name));
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    // ttyACM0/device links to the USB interface; its parent holds the device's ids.
    // (Resolve the link first: joining '..' onto it would only strip the name.)
    let usb: string | undefined;
    try {
      usb = dirname(realpathSync(join(dirs.sysClassTty, name, 'device')));
    } catch {
      usb = undefined; // not a USB device, or no sysfs (macOS)
    }
    const id = (file: string) => (usb === undefined ? undefined : readId(join(usb, file)));
    const vendorId = id('idVendor');
    const productId = id('idProduct');
    return {
      path: join(dirs.dev, name),
      vendorId,
      productId,
      manufacturer: id('manufacturer'),
      serialNumber: id('serial'),
      kind: classify(vendorId, productId),
    };
  });
}

export interface ListOptions {
  /** The system listing (serialport's bindings by default); injectable for tests. */
  systemList?: () => Promise<Array<{ path: string; vendorId?: string; productId?: string; manufacturer?: string; serialNumber?: string }>>;
  scanDirs?: ScanDirs;
}

export async function listPorts(options: ListOptions = {}): Promise<PortListing> {
  const systemList = options.systemList ?? (async () => (await import('@serialport/bindings-cpp')).autoDetect().list());
  try {
    const found = await systemList();
    return {
      ports: found.map((port) => ({
        path: port.path,
        vendorId: port.vendorId,
        productId: port.productId,
        manufacturer: port.manufacturer,
        serialNumber: port.serialNumber,
        kind: classify(port.vendorId, port.productId),
      })),
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ports: scanPorts(options.scanDirs), fallback: `system port listing failed (${reason}); scanned device names instead` };
  }
}
