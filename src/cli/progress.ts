/**
 * Transfer progress for the CLI. On a terminal: a one-line bar (bytes, rate,
 * ETA) redrawn in place. Elsewhere (a log, CI): a plain line every few
 * seconds while a transfer runs, so a long transfer is never silent. Each
 * item ends with a permanent line; nothing at all under --quiet or --json.
 * The library reports progress through callbacks only; this is the one
 * place that draws it.
 */
import type { Context } from './context.js';
import { formatBytes, formatRate } from './format.js';

/** Without a terminal, at most one progress line this often. */
export const PLAIN_INTERVAL_MS = 5000;

export class ProgressLine {
  private readonly live: boolean;
  private readonly plain: boolean;
  private started = 0;
  private lastDraw = 0;
  private label = '';

  constructor(
    private readonly ctx: Context,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    const shown = !ctx.options.quiet && !ctx.options.json;
    this.live = shown && Boolean(stream.isTTY);
    this.plain = shown && !this.live;
  }

  start(label: string): void {
    this.label = label;
    this.started = performance.now();
    this.lastDraw = this.started;
  }

  update(done: number, total?: number): void {
    const now = performance.now();
    if (this.live) {
      if (now - this.lastDraw < 100 && done !== total) return;
      this.lastDraw = now;
      const text = this.describe(done, total, now, true);
      this.stream.write(`\r\u001b[2K${text.slice(0, (this.stream.columns || 100) - 1)}`);
      this.ctx.out.lineOpen = true;
    } else if (this.plain && now - this.lastDraw >= PLAIN_INTERVAL_MS && done !== total) {
      this.lastDraw = now;
      this.ctx.out.info(this.describe(done, total, now, false));
    }
  }

  private describe(done: number, total: number | undefined, now: number, bar: boolean): string {
    const ms = now - this.started;
    const rate = formatRate(done, ms);
    const perSecond = ms > 0 ? (done * 1000) / ms : 0;
    const share = total ? Math.min(1, done / total) : undefined;
    const width = 24;
    const parts = [this.label];
    if (share !== undefined) {
      const percent = `${(share * 100).toFixed(0).padStart(3)}%`;
      parts.push(bar ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ${percent}` : percent.trim());
    }
    parts.push(`${formatBytes(done)}${total ? `/${formatBytes(total)}` : ''}`);
    if (rate) parts.push(rate);
    if (rate && total && perSecond > 0) parts.push(`ETA ${Math.ceil((total - done) / perSecond)}s`);
    return parts.join(' ');
  }

  /** Ends the current item with a permanent line (also printed when not on a terminal). */
  done(line: string): void {
    this.clear();
    this.ctx.out.info(line);
  }

  clear(): void {
    if (!this.live) return;
    this.stream.write('\r\u001b[2K');
    this.ctx.out.lineOpen = false;
  }
}
