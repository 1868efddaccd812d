/**
 * The one place that decides where an emulated board's flash lives:
 *
 *   1. `home` (the CLI's BELAY_EMULATOR_DIR) when given: HOME/NAME;
 *   2. else, inside a project (a folder with belay.yaml): ROOT/.belay/emulator/NAME,
 *      so a project's boards travel with it (and .belay/ is ignored by every walk);
 *   3. else the per-user data folder: DATA/belay/emulator/NAME, where DATA is
 *      $XDG_DATA_HOME or ~/.local/share on Linux and other Unixes,
 *      ~/Library/Application Support on macOS, %LOCALAPPDATA% or
 *      ~\AppData\Local on Windows.
 *
 * Never the folder a command happens to run in: a `belay --port emulator`
 * outside any project must not leave a stray .belay/ there. The library
 * reads no environment; callers pass what the CLI read from it.
 */
import { homedir } from 'node:os';
import nodePath from 'node:path';
import { checkEmulatorName } from './spec.js';

export interface EmulatorPlace {
  /** Root of the project, the folder holding its belay.yaml; omit when there is none. */
  projectDir?: string;
  /** The folder holding every emulated board's flash folder (BELAY_EMULATOR_DIR); wins over the rest. */
  home?: string;
  /** The per-user data folder (default: the OS convention, see userDataDir). */
  dataDir?: string;
}

export interface UserDataFacts {
  platform?: NodeJS.Platform;
  /** The user's home folder (default os.homedir()). */
  home?: string;
  /** $XDG_DATA_HOME, if set (Linux and other Unixes). */
  xdgDataHome?: string;
  /** %LOCALAPPDATA%, if set (Windows). */
  localAppData?: string;
}

/** The OS's per-user data folder. Pure: give it the facts, or it uses the platform and home folder only. */
export function userDataDir(facts: UserDataFacts = {}): string {
  const platform = facts.platform ?? process.platform;
  const impl = platform === 'win32' ? nodePath.win32 : nodePath.posix;
  const home = facts.home ?? homedir();
  if (platform === 'win32') return facts.localAppData || impl.join(home, 'AppData', 'Local');
  if (platform === 'darwin') return impl.join(home, 'Library', 'Application Support');
  // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
  if (facts.xdgDataHome && impl.isAbsolute(facts.xdgDataHome)) return facts.xdgDataHome;
  return impl.join(home, '.local', 'share');
}

/** The folder holding every emulated board's flash folder, by the rules above. */
export function emulatorHome(place: EmulatorPlace = {}): string {
  if (place.home) return nodePath.resolve(place.home);
  if (place.projectDir) return nodePath.join(nodePath.resolve(place.projectDir), '.belay', 'emulator');
  return nodePath.join(place.dataDir ?? userDataDir(), 'belay', 'emulator');
}

/** The flash folder of emulated board `name` (checked by the emulator-name rule). */
export function emulatorDir(name: string, place: EmulatorPlace = {}): string {
  return nodePath.join(emulatorHome(place), checkEmulatorName(name));
}
