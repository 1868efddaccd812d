import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, listPorts } from '../../src/transport/discovery.js';
import { autoPort } from '../../src/port/open.js';
import { parsePort } from '../../src/port/spec.js';
import { BelayError } from '../../src/errors.js';

/** A fake /dev and /sys/class/tty with USB ids, as Linux lays them out. */
function fakeSystem(devices: Array<{ name: string; vendor?: string; product?: string }>) {
  const root = mkdtempSync(join(tmpdir(), 'belay-discovery-'));
  const dev = join(root, 'dev');
  const sys = join(root, 'sys');
  mkdirSync(dev);
  writeFileSync(join(dev, 'null'), '');
  for (const device of devices) {
    writeFileSync(join(dev, device.name), '');
    const usb = join(sys, device.name, 'usbdev');
    mkdirSync(join(usb, 'iface'), { recursive: true });
    // /sys/class/tty/NAME/device -> the USB interface, whose parent is the device
    symlinkSync(join(usb, 'iface'), join(sys, device.name, 'device'));
    if (device.vendor) writeFileSync(join(usb, 'idVendor'), `${device.vendor}\n`);
    if (device.product) writeFileSync(join(usb, 'idProduct'), `${device.product}\n`);
  }
  return { dev, sys };
}

const failingList = async (): Promise<never> => {
  throw new Error('spawn udevadm ENOENT');
};

describe('device discovery', () => {
  it('classifies USB ids', () => {
    expect(classify('2E8A', '0005')).toBe('micropython');
    expect(classify('f055', '9800')).toBe('micropython');
    expect(classify('10c4', 'ea60')).toBe('usb-serial');
    expect(classify('1234', '5678')).toBe('other');
    expect(classify(undefined, undefined)).toBe('other');
  });

  it('uses the system listing when it works', async () => {
    const listing = await listPorts({ systemList: async () => [{ path: '/dev/ttyACM7', vendorId: '2e8a', productId: '0005' }] });
    expect(listing.fallback).toBeUndefined();
    expect(listing.ports).toEqual([expect.objectContaining({ path: '/dev/ttyACM7', kind: 'micropython' })]);
  });

  it('falls back to scanning device names when the system listing fails (no udevadm)', async () => {
    const { dev, sys } = fakeSystem([{ name: 'ttyACM0', vendor: '2e8a', product: '0005' }, { name: 'ttyUSB3' }]);
    const listing = await listPorts({ systemList: failingList, scanDirs: { dev, sysClassTty: sys } });
    expect(listing.fallback).toMatch(/udevadm/);
    expect(listing.ports).toEqual([
      expect.objectContaining({ path: join(dev, 'ttyACM0'), vendorId: '2e8a', productId: '0005', kind: 'micropython' }),
      expect.objectContaining({ path: join(dev, 'ttyUSB3'), vendorId: undefined, kind: 'other' }),
    ]);
    // and auto can still choose from the scan
    expect(await autoPort({ systemList: failingList, scanDirs: { dev, sysClassTty: sys } })).toBe(join(dev, 'ttyACM0'));
  });

  it('works on this machine whatever it has', async () => {
    const listing = await listPorts();
    expect(Array.isArray(listing.ports)).toBe(true);
  });

  it('auto picks the only MicroPython board, and explains zero or several', async () => {
    const one = async () => [
      { path: '/dev/ttyS0' },
      { path: '/dev/ttyACM0', vendorId: '2e8a', productId: '0005' },
    ];
    expect(await autoPort({ systemList: one })).toBe('/dev/ttyACM0');

    const none = async () => [{ path: '/dev/ttyS0' }];
    const zero = await autoPort({ systemList: none }).catch((e: BelayError) => e);
    expect(zero).toMatchObject({ code: 'PORT_NOT_FOUND' });

    const two = async () => [
      { path: '/dev/ttyACM0', vendorId: '2e8a', productId: '0005' },
      { path: '/dev/ttyACM1', vendorId: 'f055', productId: '9800' },
    ];
    const several = await autoPort({ systemList: two }).catch((e: BelayError) => e);
    expect(several).toMatchObject({ code: 'PORT_AMBIGUOUS', data: { candidates: ['/dev/ttyACM0', '/dev/ttyACM1'] } });
  });

  it('parses --port values and rejects unsafe emulator names', () => {
    expect(parsePort('auto')).toEqual({ kind: 'auto' });
    expect(parsePort('emulator')).toEqual({ kind: 'emulator', name: 'default' });
    expect(parsePort('emulator:dev-1')).toEqual({ kind: 'emulator', name: 'dev-1' });
    expect(parsePort('COM3')).toEqual({ kind: 'serial', path: 'COM3' });
    expect(() => parsePort('emulator:../x')).toThrow(BelayError);
  });
});
