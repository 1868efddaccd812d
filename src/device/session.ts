/**
 * The part of a connected Device that the filesystem engine builds on: run
 * code (plain, interactive, JSON), the link's byte counter and the board's
 * capabilities. device/fs depends on this interface, not on device.ts, so
 * the dependency points one way (device.ts -> fs).
 */
import type { ExecBytesResult, ExecOptions, ExecResult, InteractiveIo } from '../protocol/raw-repl.js';
import type { Transport } from '../transport/types.js';
import type { Capabilities } from './capabilities.js';

export interface BoardSession {
  readonly transport: Transport;
  readonly capabilities: Capabilities;
  exec(code: string, options?: ExecOptions): Promise<ExecResult>;
  execInteractive<T>(code: string, body: (io: InteractiveIo) => Promise<T>, options?: ExecOptions): Promise<{ value: T } & ExecBytesResult>;
  execJson<T>(code: string, options?: ExecOptions): Promise<T>;
}
