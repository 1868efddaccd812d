/**
 * Finding the config file: -c/--config names it, otherwise cosmiconfig looks
 * in the working folder and each parent, stopping at the repository root (a
 * folder holding `.git`) so a project never picks up a stranger's config from
 * a folder above it. Also notes other config files in the same folder, which
 * the found one shadows.
 */
import { access, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { BelayError } from '../errors.js';
import type { PathSegment } from './document.js';

/** Searched in this order in each folder; the first that exists wins. */
export const SEARCH_PLACES = [
  'belay.yaml',
  'belay.yml',
  '.belayrc',
  '.belayrc.yaml',
  '.belayrc.yml',
  '.belayrc.json',
  'belay.config.json',
  'package.json',
] as const;

export interface FoundConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Where the config sits inside it: ['belay'] for package.json. */
  base: PathSegment[];
  /** Other config files in the same folder, ignored because this one came first. */
  shadowed: string[];
}

const FOUND = Object.freeze({ found: true });

/**
 * cosmiconfig only decides which file exists and counts; the file is then
 * re-read with positions by document.ts, so loaders return a marker rather
 * than the parsed value (a syntax error must not stop the search silently).
 */
function explorer() {
  const marker = () => FOUND;
  const json = (filepath: string, content: string) => {
    if (basename(filepath) !== 'package.json') return FOUND;
    try {
      const parsed = JSON.parse(content) as Record<string, unknown>;
      // Only the presence of a belay key matters; its content is read later with positions.
      // cosmiconfig then reads the belay property; {} means "no belay key, keep searching".
      return parsed && typeof parsed === 'object' && parsed.belay !== undefined && parsed.belay !== null ? { belay: FOUND } : {};
    } catch {
      return {}; // a broken package.json is not ours to report
    }
  };
  return cosmiconfig('belay', {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'none',
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: { '.yaml': marker, '.yml': marker, noExt: marker, '.json': json },
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The folders searched from `cwd`: itself, then parents up to the repository root or `/`. */
export async function searchDirs(cwd: string): Promise<string[]> {
  const dirs: string[] = [];
  let dir = resolve(cwd);
  for (;;) {
    dirs.push(dir);
    if (await exists(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

/** The config for `cwd`, or null when none exists up to the repository root. */
export async function findConfig(cwd: string, configPath?: string): Promise<FoundConfig | null> {
  if (configPath !== undefined) {
    const file = resolve(cwd, configPath);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      throw new BelayError('CONFIG_NOT_FOUND', `config file ${configPath} does not exist`, { data: { file } });
    }
    return { file, base: basename(file) === 'package.json' ? ['belay'] : [], shadowed: [] };
  }
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) throw new BelayError('CONFIG_NOT_FOUND', `folder ${cwd} does not exist`, { data: { cwd } });
  const search = explorer();
  for (const dir of await searchDirs(cwd)) {
    let result;
    try {
      result = await search.search(dir);
    } catch (err) {
      throw new BelayError('CONFIG_NOT_FOUND', `cannot search ${dir} for a config: ${(err as Error).message}`, { cause: err });
    }
    if (!result) continue;
    const file = result.filepath;
    const shadowed: string[] = [];
    for (const place of SEARCH_PLACES) {
      const other = join(dir, place);
      if (other === file || place === 'package.json') continue;
      if ((await stat(other).catch(() => undefined))?.isFile()) shadowed.push(other);
    }
    // Only places after the found one can be shadowed (earlier ones would have won).
    const order = (p: string) => SEARCH_PLACES.indexOf(basename(p) as (typeof SEARCH_PLACES)[number]);
    return { file, base: basename(file) === 'package.json' ? ['belay'] : [], shadowed: shadowed.filter((p) => order(p) > order(file)) };
  }
  return null;
}
