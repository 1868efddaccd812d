/** How the CLI prints a path (board or local) in a message. */

/** Shows names with control characters escaped, so a newline in a name cannot fake a line. */
export function shown(path: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(path) ? JSON.stringify(path) : path;
}
