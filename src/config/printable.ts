/**
 * The resolved config as `belay config` shows it: plain data, local paths
 * relative to the config's folder when inside it, secrets masked.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { redactSecrets } from './secrets.js';
import type { LoadedConfig } from './types.js';

export function toPrintable(config: LoadedConfig): Record<string, unknown> {
  const local = (path: string) => {
    const rel = relative(config.rootDir, path);
    if (rel === '') return '.';
    return rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
  };
  const files: Record<string, unknown> = {};
  for (const file of config.files) {
    files[file.path] = { format: file.format, secret: file.secret, content: file.content };
  }
  const plain = {
    configFile: config.configFile,
    rootDir: config.rootDir,
    profile: config.profile,
    device: { ...config.device },
    sources: config.sources.map((s) => ({ from: local(s.from), kind: s.kind, to: s.to, include: s.include, exclude: s.exclude })),
    files,
    ignore: config.ignore,
    keep: config.keep,
    prune: config.prune,
    conflicts: config.conflicts,
  };
  return redactSecrets(plain, config);
}
