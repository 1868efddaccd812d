/**
 * The three states a plan compares, and the plan itself, as plain data.
 *
 *   desired   what the config and the local files say the board should hold
 *   actual    what the board holds now (one listing, with sizes and hashes)
 *   manifest  what belay last applied to this board (the common base)
 *
 * Hashes here are bare hex digests: every state and every plan names its one
 * algorithm (`hashAlgorithm`), and digests from different algorithms are
 * never compared.
 */
import type { ConflictPolicy } from '../config/types.js';
import type { HashAlgorithm } from '../hashing/hashing.js';


/** Content of one file as a plan compares it: size in bytes and hex digest. */
export interface FileState {
  size: number;
  hash: string;
}

/** Where a desired file's bytes come from. */
export type FileSource =
  /** A local file; `path` is relative to the project root, "/"-separated (may start with "../"). */
  | { kind: 'local'; path: string }
  /** Text written in belay.yaml (`files:`); `secret` files are never shown. */
  | { kind: 'inline'; format: 'text' | 'json'; secret: boolean };

export interface DesiredFile extends FileState {
  /** Absolute, normalised board path. */
  path: string;
  source: FileSource;
}

export interface DesiredState {
  hashAlgorithm: HashAlgorithm;
  /** Sorted by path, one entry per path. */
  files: DesiredFile[];
}

export interface ActualEntry {
  path: string;
  kind: 'file' | 'dir';
  /** Files only. */
  size?: number;
  /** Files only. */
  hash?: string;
}

export interface ActualState {
  hashAlgorithm: HashAlgorithm;
  /** Every entry on the board (belay's own /.belay included; the planner leaves it out). */
  entries: ActualEntry[];
}

/** How a board is recognised: its hardware id where the port has one, else an id belay stored in /.belay. */
export interface BoardIdentity {
  /** `uid:<hex>` (machine.unique_id) or `belay:<uuid>` (stored in /.belay/board-id). */
  id: string;
  source: 'machine' | 'stored';
  /** For people reading the plan (sys.platform, machine name); never compared. */
  platform?: string;
  machine?: string;
}

/** /.belay/manifest.json: what belay last applied to the board. */
export interface Manifest {
  formatVersion: 1;
  board: string;
  applyId: string;
  appliedAt: string;
  belayVersion: string;
  profile: string | null;
  hashAlgorithm: HashAlgorithm;
  /** Board path -> what belay deployed there. */
  files: Record<string, FileState>;
  /** Folders the deployed files need (belay may remove them once empty and unneeded). */
  dirs: string[];
}

/** The part of a manifest a plan computes; apply adds board, apply id, time and version. */
export interface ManifestContent {
  files: Record<string, FileState>;
  dirs: string[];
}

export type Action = 'create' | 'update' | 'delete' | 'mkdir' | 'rmdir';

/**
 * Why a change is in the plan (or why a conflict was resolved as it was).
 * Stable codes: views turn them into words, programs match them.
 */
export type Reason =
  /** create: the config deploys a file the board does not have. */
  | 'new'
  /** create: belay deployed it, the board lost it since (drift); restored. */
  | 'restore-deleted'
  /** update: the local source changed since the last apply. */
  | 'changed'
  /** update: the board's copy changed since the last apply, the local one did not (drift); restored. */
  | 'restore-drift'
  /** update: the board holds a different file belay has no record of deploying. */
  | 'replace-unrecorded'
  /** delete: belay deployed it and the config no longer does. */
  | 'removed-from-config'
  /** delete: not deployed by belay, and `prune` is on. */
  | 'prune'
  /** create/update/delete: a conflict the `conflicts` policy resolved for the local side. */
  | 'conflict-prefer-local'
  /** update: a conflict resolved by keeping both (the board's copy is renamed aside first). */
  | 'conflict-keep-both'
  /** mkdir: a folder the deployed files need. */
  | 'folder-needed'
  /** rmdir: a folder left empty and no longer needed. */
  | 'folder-unneeded';

export interface Change {
  action: Action;
  path: string;
  reason: Reason;
  /** What the board holds at `path` when planned (files only; absent when nothing is there). Apply refuses if it changed. */
  before?: FileState;
  /** What `path` will hold (create/update). */
  after?: FileState;
  /** Where `after` comes from (create/update). */
  source?: FileSource;
  /** The board changed this path since the last apply (drift). */
  drift?: boolean;
  /** keep-both: the board's copy is renamed here before the new one takes `path`. */
  preserveAs?: string;
  /** What a reviewer sees for this change (diff text, or why there is none); apply ignores it. */
  review?: Review;
}

/** Review material for one change: never needed to apply, always redacted. */
export type Review =
  /** A unified diff, board's text -> local text (updates of text files). */
  | { kind: 'diff'; diff: string }
  | { kind: 'binary' }
  /** One side is larger than the diff limit (bytes). */
  | { kind: 'too-large'; limit: number }
  /** The file is secret as a whole: no content shown. */
  | { kind: 'secret' }
  /** The board's current text could not be fetched (no diff requested, or it changed while reading). */
  | { kind: 'unavailable' };

export type ConflictKind =
  /** Both sides changed the file since the last apply, differently. */
  | 'both-changed'
  /** The board deleted the file, the local side changed it. */
  | 'board-deleted'
  /** The local side dropped the file from the config, the board changed it. */
  | 'local-removed'
  /** The board has a folder where the config deploys a file, or a file where it needs a folder. */
  | 'kind-mismatch';

export type Resolution = 'unresolved' | 'prefer-local' | 'prefer-board' | 'keep-both';

export interface Conflict {
  path: string;
  kind: ConflictKind;
  resolution: Resolution;
  /** Local (desired) content; absent when the config no longer deploys it. */
  local?: FileState;
  /** Board content; absent when the board has no file there. */
  board?: FileState;
  /** What belay last applied; absent when unknown. */
  base?: FileState;
}

/** Board paths a plan deliberately leaves alone, so a reviewer knows why. */
export interface NotManaged {
  /** Per `keep` pattern that covers board files: the pattern and how many files. */
  kept: Array<{ pattern: string; files: number }>;
  /** Per `ignore` pattern that covers board files. */
  ignored: Array<{ pattern: string; files: number }>;
  /** Board files belay did not deploy, left because `prune` is off. */
  unrecorded: string[];
  /** Leftover upload temp files (".belay-tmp-*"); cleaned by recovery, never planned. */
  temp: string[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  mkdir: number;
  rmdir: number;
  /** Conflicts the policy could not resolve: the plan cannot be applied. */
  unresolved: number;
  /** Paths the board changed since the last apply. */
  drift: number;
}

/**
 * A plan: everything apply needs to execute it and to refuse it when it is
 * stale. Changes are sorted by path (one change per path), so a saved plan
 * diffs cleanly.
 */
export interface Plan {
  formatVersion: 1;
  belayVersion: string;
  /** ISO time the plan was made (informational; not compared by apply). */
  createdAt: string;
  board: BoardIdentity;
  profile: string | null;
  /** sha256 of the deploy-relevant resolved config (config-digest.ts). */
  configDigest: string;
  hashAlgorithm: HashAlgorithm;
  policy: { conflicts: ConflictPolicy; prune: boolean };
  /**
   * The board's manifest when planned: its size and hash as listed (apply
   * refuses if another apply changed it since), null when the board had none.
   */
  baseManifest: FileState | null;
  changes: Change[];
  conflicts: Conflict[];
  notManaged: NotManaged;
  /** The manifest apply writes when done (files and folders belay then manages). */
  manifest: ManifestContent;
  summary: PlanSummary;
  /** Things a reviewer should know that are not changes (e.g. a manifest made with another hash algorithm). */
  warnings: string[];
}

/** Progress hooks of plan making; the library never prints. */
export interface PlanHooks {
  onStart?: (phase: PlanPhase, detail?: { total?: number }) => void;
  onProgress?: (phase: PlanPhase, progress: { done: number; total?: number; path?: string }) => void;
  onDone?: (phase: PlanPhase) => void;
}

export type PlanPhase = 'board' | 'hash' | 'review';
