/** How a path (board or local) is printed in a message, wherever the message is made. */

/** Shows names with control characters escaped, so a newline in a name cannot fake a line. */
export function shown(path: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(path) ? JSON.stringify(path) : path;
}
