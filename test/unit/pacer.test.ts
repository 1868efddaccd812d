import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../src/transport/pacer.js';

describe('link pacing', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('moves 115200 baud at 11,520 bytes a second', async () => {
    let delivered = 0;
    const pacer = Pacer.forBaud(115200, (bytes) => (delivered += bytes.length));
    let done = false;
    const sending = pacer.send(new Uint8Array(11520)).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(500);
    expect(delivered).toBeGreaterThan(5600);
    expect(delivered).toBeLessThanOrEqual(5760);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(520);
    await sending;
    expect(delivered).toBe(11520);
  });

  it('keeps order across sends and delivers at once without a rate', async () => {
    const seen: number[] = [];
    const paced = Pacer.forBaud(9600, (bytes) => seen.push(...bytes));
    const a = paced.send(Uint8Array.from([1, 2, 3]));
    const b = paced.send(Uint8Array.from([4, 5]));
    await vi.advanceTimersByTimeAsync(20);
    await Promise.all([a, b]);
    expect(seen).toEqual([1, 2, 3, 4, 5]);

    const immediate: number[] = [];
    await Pacer.forBaud(undefined, (bytes) => immediate.push(...bytes)).send(Uint8Array.from([9]));
    expect(immediate).toEqual([9]);
  });

  it('an idle line sends a lone byte at once; what follows waits for the line', async () => {
    const seen: number[] = [];
    const pacer = Pacer.forBaud(115200, (bytes) => seen.push(...bytes));
    await vi.advanceTimersByTimeAsync(50);
    void pacer.send(Uint8Array.from([1, 2, 3]));
    // No timer has run: a real UART has the first byte out in 87 us, long before any timer.
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([1, 2, 3]);
    // A long send on an idle line: one byte at once, the rest at the line's rate.
    await vi.advanceTimersByTimeAsync(50);
    seen.length = 0;
    void pacer.send(new Uint8Array(200));
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(seen.length).toBeGreaterThanOrEqual(115);
    expect(seen.length).toBeLessThanOrEqual(117);
  });

  it('clear() drops what is queued and releases the senders', async () => {
    let delivered = 0;
    const pacer = Pacer.forBaud(1200, (bytes) => (delivered += bytes.length));
    const sending = pacer.send(new Uint8Array(1000));
    await vi.advanceTimersByTimeAsync(100);
    pacer.clear();
    await sending;
    const at = delivered;
    await vi.advanceTimersByTimeAsync(1000);
    expect(delivered).toBe(at);
    expect(at).toBeLessThan(1000);
  });
});
