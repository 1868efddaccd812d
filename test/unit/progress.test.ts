/**
 * Progress as the CLI draws it: plain lines every few seconds without a
 * terminal (a long transfer in a log is never silent), a redrawn bar on one,
 * an error after a half-drawn bar starting on a line of its own, and no
 * rate for transfers too small to measure.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Output } from '../../src/cli/output.js';
import { PLAIN_INTERVAL_MS, ProgressLine } from '../../src/cli/progress.js';
import { formatRate } from '../../src/cli/format.js';
import type { Context } from '../../src/cli/context.js';
import { BelayError } from '../../src/errors.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  columns = 120;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function setup(tty: boolean, options: { quiet?: boolean; json?: boolean } = {}) {
  const stderr = new Capture(tty);
  const stdout = new Capture(false);
  const out = new Output({ color: false, quiet: Boolean(options.quiet), verbose: false, debug: false, json: Boolean(options.json) }, stdout, stderr);
  const ctx = { options, out } as unknown as Context;
  return { stderr, stdout, out, progress: new ProgressLine(ctx, stderr as unknown as NodeJS.WriteStream) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress without a terminal', () => {
  it('prints a plain line every few seconds while a transfer runs', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { stderr, progress } = setup(false);
    progress.start('put /big.bin');
    progress.update(1024, 100 * 1024);
    expect(stderr.text).toBe(''); // not at once
    vi.advanceTimersByTime(PLAIN_INTERVAL_MS + 1);
    progress.update(40 * 1024, 100 * 1024);
    vi.advanceTimersByTime(PLAIN_INTERVAL_MS + 1);
    progress.update(80 * 1024, 100 * 1024);
    const lines = stderr.text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^put \/big\.bin 40% /);
    expect(lines[1]).toMatch(/ETA \d+s$/);
    expect(stderr.text).not.toContain('\r');
    progress.done('put /big.bin (100.0 KiB)');
    expect(stderr.text.trim().split('\n')).toHaveLength(3);
  });

  it('prints nothing under --quiet or --json', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    for (const options of [{ quiet: true }, { json: true }]) {
      const { stderr, progress } = setup(false, options);
      progress.start('put /x');
      vi.advanceTimersByTime(PLAIN_INTERVAL_MS + 1);
      progress.update(10, 100);
      expect(stderr.text).toBe('');
    }
  });
});

describe('progress on a terminal', () => {
  it('an error after a half-drawn bar starts on a new line', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { stderr, out, progress } = setup(true);
    progress.start('put /big.bin');
    vi.advanceTimersByTime(500);
    progress.update(4096, 100 * 1024);
    expect(stderr.text).toContain('\r');
    out.error(new BelayError('ABORTED', 'interrupted'));
    const afterBar = stderr.text.slice(stderr.text.lastIndexOf('%'));
    expect(afterBar).toMatch(/\nerror: interrupted/);
  });
});

describe('rates', () => {
  it('are left out when the transfer is too small or too quick to measure', () => {
    expect(formatRate(0, 1000)).toBeUndefined();
    expect(formatRate(12, 300)).toBeUndefined();
    expect(formatRate(64 * 1024, 20)).toBeUndefined();
    expect(formatRate(64 * 1024, 1000)).toBe('64.0 KiB/s');
  });
});
