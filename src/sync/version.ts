/** belay's own version (package.json), recorded in plans and manifests. */
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function belayVersion(): string {
  // package.json sits two folders above both src/sync and dist/sync.
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
