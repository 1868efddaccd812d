/** Numbers as people read them in the CLI's output (the library reports raw figures). */

/** 1536 -> "1.5 KiB"; undefined (a figure the board did not give) -> "unknown". */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'unknown';
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/**
 * A transfer rate, or undefined when the transfer was too small or too quick
 * to measure (a 12-byte file "at 0 B/s" says nothing true).
 */
export function formatRate(bytes: number, ms: number): string | undefined {
  if (bytes < 1024 || ms < 100) return undefined;
  return `${formatBytes(Math.round((bytes * 1000) / ms))}/s`;
}
