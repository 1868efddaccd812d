/**
 * The environment CLI tests run the built binary in: no colour, no board
 * or profile leaking in from the developer's shell, and a private per-user
 * data folder, so an emulated board outside a project (which lives in the
 * per-user folder) belongs to one test and never to the real user.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const homes = new Map<string, string>();

/** A private user folder per key (a test's working folder): the same key gets the same folder. */
export function userHomeFor(key: string): string {
  let home = homes.get(key);
  if (!home) homes.set(key, (home = mkdtempSync(join(tmpdir(), 'belay-home-'))));
  return home;
}

/** process.env for a CLI run keyed by `key`, with `extra` on top. */
export function cliEnv(key: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = userHomeFor(key);
  return {
    ...process.env,
    NO_COLOR: '1',
    BELAY_PORT: '',
    BELAY_PROFILE: undefined,
    BELAY_EMULATOR_DIR: undefined,
    HOME: home,
    USERPROFILE: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    LOCALAPPDATA: join(home, 'AppData', 'Local'),
    ...extra,
  };
}
