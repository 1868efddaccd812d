/**
 * `belay init`: guesses the project's layout (src/, main.py, boot.py, lib/),
 * writes a commented belay.yaml that validates as written, adds `.belay/` to
 * .gitignore, and in an empty folder scaffolds src/main.py so there is
 * something to deploy. Never overwrites a config without `force`.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BelayError } from '../errors.js';
import { SEARCH_PLACES } from './discover.js';

export interface ProjectLayout {
  /** A src/ folder exists: it becomes the board root. */
  src: boolean;
  /** Top-level files that boards run (main.py, boot.py) found beside the config. */
  topFiles: string[];
  /** A lib/ folder exists beside the config. */
  lib: boolean;
}

export interface InitOptions {
  /** Folder to initialise. */
  dir: string;
  /** Write here instead of DIR/belay.yaml. */
  configPath?: string;
  force?: boolean;
  /** Written as device.port (default auto). */
  port?: string;
  /** Where the schema comment points (default: the installed package). */
  schemaPath?: string;
}

export interface InitResult {
  configFile: string;
  /** Top-level files and folders boards run (main.py, boot.py, lib/) left out because src/ is the board root. */
  notDeployed: string[];
  /** Where the config's schema comment points. */
  schema: string;
  /** Files created besides the config (the scaffolded main.py). */
  created: string[];
  gitignore: 'created' | 'updated' | 'unchanged';
  layout: ProjectLayout;
}

const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
const isFile = async (p: string) => (await stat(p).catch(() => undefined))?.isFile() ?? false;

export async function guessLayout(dir: string): Promise<ProjectLayout> {
  const topFiles: string[] = [];
  for (const name of ['boot.py', 'main.py']) if (await isFile(join(dir, name))) topFiles.push(name);
  return { src: await isDir(join(dir, 'src')), topFiles, lib: await isDir(join(dir, 'lib')) };
}

/** YAML scalars that need no quotes: keep the template readable, quote anything else. */
function scalar(value: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) ? value : JSON.stringify(value);
}

/** With src/ as the board root, the top-level files and folders a board would run that it leaves out. */
export function notDeployed(layout: ProjectLayout): string[] {
  return layout.src ? [...layout.topFiles, ...(layout.lib ? ['lib/'] : [])] : [];
}

/** The schema's published copy for a version of belay (what `npx belay` and a global install fetched). */
export function publishedSchemaUrl(version: string): string {
  return `https://unpkg.com/belay@${version}/belay.config.schema.json`;
}

/**
 * Where a new config's schema comment points: the project's own installed
 * copy when belay is a dependency of it (so editors follow upgrades),
 * otherwise the published copy of this version, which works wherever the
 * config is opened, whether belay was run through npx or installed globally.
 */
export async function schemaLocation(dir: string, version: string): Promise<string> {
  const local = join(dir, 'node_modules', 'belay', 'belay.config.schema.json');
  return (await isFile(local)) ? './node_modules/belay/belay.config.schema.json' : publishedSchemaUrl(version);
}

export function renderInitConfig(layout: ProjectLayout, options: { port?: string; schemaPath?: string } = {}): string {
  const schema = options.schemaPath ?? './node_modules/belay/belay.config.schema.json';
  const sources: string[] = [];
  if (layout.src || (!layout.lib && layout.topFiles.length === 0)) {
    sources.push('  - from: src', '    to: /', '    # include: ["**/*.py"]', '    # exclude: ["**/test_*.py"]');
    const left = notDeployed(layout);
    if (left.length > 0) {
      sources.push(`  # ${left.join(' and ')} beside src/ ${left.length === 1 ? 'is' : 'are'} not deployed; to deploy ${left.length === 1 ? 'it' : 'them'} too:`);
      for (const name of left) {
        const plain = name.replace(/\/$/, '');
        sources.push(`  # - from: ${plain}`, `  #   to: /${plain}`);
      }
    }
  } else {
    for (const name of layout.topFiles) sources.push(`  - from: ${name}`, `    to: /${name}`);
    if (layout.lib) sources.push('  - from: lib', '    to: /lib');
  }
  return `# yaml-language-server: $schema=${schema}
#
# belay.yaml: what the board's filesystem should hold.
# "belay plan" shows what would change on the board, "belay apply" does it.
# Paths on the left of a mapping (from) are relative to this file; board
# paths (to, files, ignore, keep) are absolute, starting at "/".

# Which board to talk to, and what it does after an apply.
device:
  port: ${scalar(options.port ?? 'auto')}  # auto | /dev/ttyACM0 | COM3 | emulator | emulator:NAME
  baud: 115200
  afterApply: none  # none | soft-reset | hard-reset

# Local folders or files, and where they go on the board.
sources:
${sources.join('\n')}

# Files whose content is written here (text, or json: for structured data).
# files:
#   /config.json:
#     json: { debug: true, server: "\${env:SERVER_URL}" }

# Board paths belay never looks at, on either side.
ignore: []

# Board paths the board writes at runtime (logs, data): never overwritten or deleted.
keep: []

# Also delete board files belay never deployed (otherwise only its own).
prune: false

# A file changed both here and on the board: fail | prefer-local | prefer-board | keep-both
conflicts: fail

# Per-environment overrides, chosen with --profile NAME or BELAY_PROFILE.
# Mappings merge, lists replace.
# profiles:
#   dev:
#     device: { port: emulator }
#   prod:
#     device: { port: /dev/ttyACM0, afterApply: hard-reset }
`;
}

const MAIN_PY = `# main.py runs every time the board starts, after boot.py.
print("hello from belay")
`;

export async function initProject(options: InitOptions): Promise<InitResult> {
  const dir = resolve(options.dir);
  if (!(await isDir(dir))) throw new BelayError('PATH_INVALID', `folder ${options.dir} does not exist`, { data: { path: dir } });
  const configFile = options.configPath ? resolve(dir, options.configPath) : join(dir, 'belay.yaml');
  if (!options.force) {
    const existing = [configFile];
    for (const place of SEARCH_PLACES) if (place !== 'package.json') existing.push(join(dir, place));
    for (const path of existing) {
      if (await isFile(path)) {
        throw new BelayError('CONFIG_EXISTS', `${basename(path)} already exists`, { hint: 'use --force to overwrite it', data: { file: path } });
      }
    }
  }
  const layout = await guessLayout(dir);
  const created: string[] = [];
  if (!layout.src && !layout.lib && layout.topFiles.length === 0) {
    // An empty folder: give the config something to deploy.
    const main = join(dir, 'src', 'main.py');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(main, MAIN_PY, { flag: 'wx' }).then(
      () => created.push(main),
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      },
    );
  }
  const schema = options.schemaPath ?? './node_modules/belay/belay.config.schema.json';
  await writeFile(configFile, renderInitConfig(layout, { ...options, schemaPath: schema }));
  return { configFile, created, gitignore: await ensureGitignore(dir), layout, notDeployed: notDeployed(layout), schema };
}

/** Adds `.belay/` (local plans and state) to .gitignore unless already ignored. */
async function ensureGitignore(dir: string): Promise<InitResult['gitignore']> {
  const file = join(dir, '.gitignore');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) {
    await writeFile(file, '.belay/\n');
    return 'created';
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => ['.belay', '.belay/', '/.belay', '/.belay/', '.belay/*', '.belay/**'].includes(l))) return 'unchanged';
  await writeFile(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}.belay/\n`);
  return 'updated';
}
