/**
 * The config digest a plan records: sha256 over the canonical JSON of the
 * resolved settings that decide what a plan contains (sources with paths
 * relative to the project, inline files by content hash, ignore, keep,
 * prune, conflicts, afterApply). Apply recomputes it and refuses a plan made
 * under other settings. The port and baud rate are left out: which board a
 * plan is for is checked by the board's identity instead.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/types.js';
import { canonicalJson } from './canonical-json.js';
import { projectRelative } from './desired.js';

export function configDigest(config: Config & { rootDir: string }): string {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const relevant = {
    sources: config.sources.map((s) => ({ from: projectRelative(config.rootDir, s.from) || '.', kind: s.kind, to: s.to, include: s.include, exclude: s.exclude })),
    files: config.files.map((f) => ({ path: f.path, format: f.format, secret: f.secret, sha256: sha256(f.content) })),
    ignore: config.ignore,
    keep: config.keep,
    prune: config.prune,
    conflicts: config.conflicts,
    afterApply: config.device.afterApply,
  };
  return sha256(canonicalJson(relevant));
}
