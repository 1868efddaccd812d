/**
 * Transfer progress for the CLI: a one-line bar (bytes, rate, ETA) redrawn
 * on a terminal, plain "put x (n bytes)" lines otherwise, nothing under
 * --quiet or --json. The library reports progress through callbacks only;
 * this is the one place that draws it.
 */
import type { Context } from './context.js';
import { formatBytes } from './format.js';

export class ProgressLine {
  private readonly live: boolean;
  private started = 0;
  private lastDraw = 0;
  private label = '';

  constructor(
    private readonly ctx: Context,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.live = Boolean(stream.isTTY) && !ctx.options.quiet && !ctx.options.json;
  }

  start(label: string): void {
    this.label = label;
    this.started = performance.now();
    this.lastDraw = 0;
  }

  update(done: number, total?: number): void {
    if (!this.live) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done !== total) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const width = 24;
    const share = total ? Math.min(1, done / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ${(share * 100).toFixed(0).padStart(3)}%` : '';
    const eta = total && rate > 0 ? ` ETA ${Math.ceil((total - done) / rate)}s` : '';
    const text = `${this.label} ${bar} ${formatBytes(done)}${total ? `/${formatBytes(total)}` : ''} ${formatBytes(Math.round(rate))}/s${eta}`;
    this.stream.write(`\r\u001b[2K${text.slice(0, (this.stream.columns || 100) - 1)}`);
  }

  /** Ends the current item with a permanent line (also printed when not on a terminal). */
  done(line: string): void {
    if (this.live) this.stream.write('\r\u001b[2K');
    this.ctx.out.info(line);
  }

  clear(): void {
    if (this.live) this.stream.write('\r\u001b[2K');
  }
}
