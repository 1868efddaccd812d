/**
 * Builders for planner inputs: file contents named by a letter ("A", "B"...)
 * become a fake but consistent size and sha256-shaped digest, so tables stay
 * readable.
 */
import type { PlanInput, PlanSettings } from '../../src/sync/planner.js';
import type { ActualEntry, DesiredFile, FileState, Manifest } from '../../src/sync/types.js';

export function content(letter: string): FileState {
  const code = letter.charCodeAt(0);
  return { size: 100 + code, hash: code.toString(16).padStart(2, '0').repeat(32) };
}

export interface Spec {
  /** path -> content letter */
  desired?: Record<string, string>;
  /** path -> content letter, or "dir" */
  board?: Record<string, string>;
  /** path -> content letter; null for no manifest at all */
  manifest?: Record<string, string> | null;
  manifestDirs?: string[];
  settings?: Partial<PlanSettings>;
}

export const HEADER = {
  belayVersion: '0.1.0',
  createdAt: '2025-01-01T00:00:00.000Z',
  board: { id: 'belay:00000000-0000-4000-8000-000000000000', source: 'stored' as const, platform: 'webassembly' },
  profile: null,
  configDigest: 'c'.repeat(64),
};

export function input(spec: Spec): PlanInput {
  const desired: DesiredFile[] = Object.entries(spec.desired ?? {})
    .map(([path, letter]) => ({ path, ...content(letter), source: { kind: 'local' as const, path: `src${path}` } }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const entries: ActualEntry[] = [];
  const dirs = new Set<string>();
  for (const [path, value] of Object.entries(spec.board ?? {})) {
    if (value === 'dir') dirs.add(path);
    else entries.push({ path, kind: 'file', ...content(value) });
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  }
  for (const dir of dirs) entries.push({ path: dir, kind: 'dir' });
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  let manifest: Manifest | null = null;
  if (spec.manifest !== null && spec.manifest !== undefined) {
    manifest = {
      formatVersion: 1,
      board: HEADER.board.id,
      applyId: 'apply-1',
      appliedAt: '2024-12-31T00:00:00.000Z',
      belayVersion: '0.1.0',
      profile: null,
      hashAlgorithm: 'sha256',
      files: Object.fromEntries(Object.entries(spec.manifest).map(([path, letter]) => [path, content(letter)])),
      dirs: spec.manifestDirs ?? [],
    };
  }
  return {
    desired: { hashAlgorithm: 'sha256', files: desired },
    actual: { hashAlgorithm: 'sha256', entries },
    manifest,
    settings: { ignore: ['__pycache__', '/.belay'], keep: [], prune: false, conflicts: 'fail', ...spec.settings },
    header: HEADER,
  };
}
