// The link kind a port leads to (USB ids, from a sysfs tree on disk) and
// the upload window each kind gets: a UART bridge and an unknown link never
// more than 256 bytes; native USB, a board that reports its buffer, or the
// user's setting more; out-of-range settings refused. The frame size,
// which follows the board's heap rather than the window.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkKindOfUsb, linkOfPort, usbIdsOf } from '../../src/transport/link.js';
import { chooseWindow, SAFE_WINDOW, USB_WINDOW } from '../../src/device/link-window.js';
import { tempDir } from '../helpers/boards.js';
import { MIN_FRAME, frameSizeFor } from '../../src/device/fs/upload-binary.js';
import { MAX_FRAME } from '../../src/device/fs/frames.js';

describe('link kind by USB id', () => {
  it.each([
    ['10c4', 'ea60', 'uart'], // CP2102
    ['1A86', '7523', 'uart'], // CH340, upper case as some listings give it
    ['1a86', '55d4', 'uart'], // CH9102
    ['0403', '6001', 'uart'], // FTDI
    ['2e8a', '000c', 'uart'], // Raspberry Pi Debug Probe: a bridge despite the Pi vendor id
    ['2e8a', '0005', 'usb'], // MicroPython on RP2040
    ['303a', '1001', 'usb'], // ESP32-S3 USB-Serial/JTAG
    ['f055', '9800', 'usb'], // pyboard
    ['dead', 'beef', 'unknown'],
  ])('%s:%s is %s', (vendor, product, kind) => {
    expect(linkKindOfUsb(vendor, product)).toBe(kind);
  });

  it('no vendor id is unknown', () => {
    expect(linkKindOfUsb(undefined, undefined)).toBe('unknown');
  });
});

describe('USB ids of a port from sysfs', () => {
  const root = tempDir('belay-sysfs-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** /dev/NAME -> /sys/class/tty/NAME/device -> usb interface, whose parent holds idVendor/idProduct. */
  function fakePort(name: string, ids?: { vendor: string; product?: string }): { dev: string; sys: string } {
    const dev = join(root, 'dev', name);
    const sys = join(root, 'sys', 'class', 'tty');
    const usbDevice = join(root, 'sys', 'devices', name, 'usb1');
    const usbInterface = join(usbDevice, '1-1:1.0');
    mkdirSync(usbInterface, { recursive: true });
    mkdirSync(join(sys, name), { recursive: true });
    mkdirSync(join(root, 'dev'), { recursive: true });
    writeFileSync(dev, '');
    symlinkSync(usbInterface, join(sys, name, 'device'));
    if (ids) {
      writeFileSync(join(usbDevice, 'idVendor'), `${ids.vendor}\n`);
      if (ids.product) writeFileSync(join(usbDevice, 'idProduct'), `${ids.product}\n`);
    }
    return { dev, sys };
  }

  it('reads vendor and product of a USB serial device', () => {
    const { dev, sys } = fakePort('ttyUSB0', { vendor: '10c4', product: 'ea60' });
    expect(usbIdsOf(dev, sys)).toEqual({ vendorId: '10c4', productId: 'ea60' });
    expect(linkOfPort(dev, 115200, usbIdsOf(dev, sys))).toMatchObject({ kind: 'uart', baud: 115200 });
  });

  it('a port without USB ids (a pty, a board UART) is unknown', () => {
    const { dev, sys } = fakePort('ttyS0');
    expect(usbIdsOf(dev, sys)).toBeUndefined();
    expect(usbIdsOf(join(root, 'dev', 'missing'), sys)).toBeUndefined();
    expect(linkOfPort(dev, 115200, undefined).kind).toBe('unknown');
  });
});

describe('the upload window', () => {
  const uart = { kind: 'uart' as const, baud: 115200, source: 'USB 10c4:ea60' };
  const unknown = { kind: 'unknown' as const, baud: 115200, source: 'no USB ids' };
  const usb = { kind: 'usb' as const, baud: 115200, source: 'USB 2e8a:0005' };

  it('is 256 bytes on a UART bridge and on an unknown link, whatever the board', () => {
    expect(SAFE_WINDOW).toBe(256);
    for (const link of [uart, unknown, undefined]) {
      expect(chooseWindow({ link }).window).toBe(256);
      expect(chooseWindow({ link, platform: 'esp8266' }).window).toBe(256);
      expect(chooseWindow({ link, platform: 'esp32' }).window).toBe(256);
    }
  });

  it('is larger where nothing can drop: native USB, a reported buffer, the unix port', () => {
    expect(chooseWindow({ link: usb }).window).toBe(USB_WINDOW);
    expect(chooseWindow({ link: uart, reported: 1024 }).window).toBe(1024);
    expect(chooseWindow({ link: unknown, platform: 'linux' }).window).toBe(USB_WINDOW);
  });

  it('is the user setting when there is one, and refuses one out of range', () => {
    expect(chooseWindow({ explicit: 512, link: uart })).toMatchObject({ window: 512, reason: 'set by the user' });
    for (const explicit of [0, 35, 65537, 100.5, Number.NaN]) {
      expect(() => chooseWindow({ explicit, link: uart })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});

describe('frame size (the board frame buffer), separate from the window', () => {
  it('grows with the free heap up to the largest frame, even when the window is small', () => {
    expect(frameSizeFor(256)).toBe(MIN_FRAME); // heap unknown: the smallest buffer
    expect(frameSizeFor(256, 4 * 1024)).toBe(MIN_FRAME); // a board short of heap
    expect(frameSizeFor(256, 20 * 1024)).toBe(1280); // an ESP8266 after the helpers
    expect(frameSizeFor(256, 190 * 1024)).toBe(MAX_FRAME); // a Pico
    expect(frameSizeFor(1024)).toBe(1024);
  });

  it('a large window gets the largest frame whatever the heap (the link, not the buffer, bounds it)', () => {
    expect(frameSizeFor(USB_WINDOW)).toBe(MAX_FRAME);
    expect(frameSizeFor(USB_WINDOW, 4 * 1024)).toBe(MAX_FRAME);
  });
});
