/**
 * Everything the CLI prints goes through Output: data to stdout, messages to
 * stderr, colour only on a terminal that wants it (NO_COLOR, --no-color),
 * nothing but data under --quiet, and one-line rendering of BelayErrors.
 */
import { BelayError } from '../errors.js';

export interface OutputOptions {
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  debug: boolean;
  json: boolean;
}

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

export class Output {
  /** True while a progress line is drawn on the terminal without its newline. */
  lineOpen = false;
  private closed = false;

  constructor(
    readonly options: OutputOptions,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  style(style: Style, text: string): string {
    if (!this.options.color) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** Command results: always printed, to stdout. */
  data(text: string): void {
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Raw bytes or text without an added newline (streamed board output). */
  raw(chunk: string | Uint8Array): void {
    this.write(chunk);
  }

  json(value: unknown): void {
    this.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  private write(chunk: string | Uint8Array): void {
    if (!this.closed) this.stdout.write(chunk);
  }

  /** The reader of stdout went away (EPIPE): drop whatever else comes. */
  closeStdout(): void {
    this.closed = true;
  }

  get stdoutClosed(): boolean {
    return this.closed;
  }

  /** Ends a half-drawn progress line, so what follows starts on a line of its own. */
  breakLine(): void {
    if (!this.lineOpen) return;
    this.stderr.write('\n');
    this.lineOpen = false;
  }

  /** Progress and confirmations: stderr, silenced by --quiet. */
  info(text: string): void {
    if (!this.options.quiet) this.stderr.write(`${text}\n`);
  }

  verbose(text: string): void {
    if (this.options.verbose || this.options.debug) this.stderr.write(`${this.style('dim', text)}\n`);
  }

  debug(text: string): void {
    if (this.options.debug) this.stderr.write(`${this.style('dim', `[debug] ${text}`)}\n`);
  }

  warn(text: string): void {
    this.breakLine();
    this.stderr.write(`${this.style('yellow', 'warning:')} ${text}\n`);
  }

  error(err: unknown): void {
    this.breakLine();
    if (err instanceof BelayError) {
      this.stderr.write(`${this.style('red', 'error:')} ${err.message} ${this.style('dim', `[${err.code}]`)}\n`);
      if (err.detail) this.stderr.write(`${err.detail.replace(/\n?$/, '\n')}`);
      if (err.hint) this.stderr.write(`${this.style('cyan', 'hint:')} ${err.hint}\n`);
    } else {
      const message = err instanceof Error ? err.message : String(err);
      this.stderr.write(`${this.style('red', 'error:')} unexpected failure: ${message} ${this.style('dim', '[INTERNAL]')}\n`);
      if (!this.options.debug) this.stderr.write('run again with --debug for the stack trace\n');
    }
    if (this.options.debug && err instanceof Error && err.stack) this.stderr.write(`${err.stack}\n`);
  }
}

/** Colour is on for a terminal unless NO_COLOR is set or --no-color given. */
export function wantsColor(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}
