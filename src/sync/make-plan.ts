/**
 * Making a plan against a connected board: read the board (listing with
 * hashes, manifest, identity), read the desired state (local files hashed in
 * the board's algorithm, through the hash cache), run the pure planner, and
 * add review diffs. Progress leaves through hooks; nothing is printed.
 */
import type { LoadedConfig } from '../config/types.js';
import type { Device } from '../device/device.js';
import { readActual } from './actual.js';
import { readBoardIdentity } from './board-identity.js';
import { configDigest } from './config-digest.js';
import { readDesired } from './desired.js';
import { HashCache } from './hash-cache.js';
import { readManifest } from './manifest.js';
import { planChanges } from './planner.js';
import { reviewChanges } from './review.js';
import { belayVersion } from './version.js';
import type { Plan, PlanHooks } from './types.js';

export interface MakePlanOptions {
  signal?: AbortSignal;
  hooks?: PlanHooks;
  /** Fetch the board's text of updated files and diff it (default true). */
  diff?: boolean;
  /** Largest file diffed, in bytes (review.ts DEFAULT_DIFF_LIMIT). */
  diffLimit?: number;
  /** Use and update the project's hash cache (default true). */
  cache?: boolean;
  /** The plan's time (default now); tests pass a fixed one. */
  now?: Date;
}

export interface MadePlan {
  plan: Plan;
  /** Local files whose hash came from the cache, and those hashed. */
  cache: { hits: number; misses: number; saveError?: Error };
  /** True when this plan stored a new board id in /.belay (boards without a hardware id, first time). */
  storedBoardId: boolean;
}

export async function makePlan(device: Device, config: LoadedConfig, options: MakePlanOptions = {}): Promise<MadePlan> {
  const { signal, hooks = {} } = options;

  hooks.onStart?.('board');
  const actual = await readActual(device, { signal });
  const manifest = await readManifest(device, actual, { signal });
  const { identity, stored } = await readBoardIdentity(device, actual, { signal });
  hooks.onDone?.('board');

  const cache = options.cache === false ? undefined : await HashCache.load(config.rootDir);
  hooks.onStart?.('hash');
  const desired = await readDesired(config, {
    algorithm: actual.hashAlgorithm,
    cache,
    signal,
    onProgress: (p) => hooks.onProgress?.('hash', p),
  });
  const saveError = cache ? await cache.save() : undefined;
  hooks.onDone?.('hash');

  const plan = planChanges({
    desired,
    actual,
    manifest,
    settings: { ignore: config.ignore, keep: config.keep, prune: config.prune, conflicts: config.conflicts },
    header: {
      belayVersion: belayVersion(),
      createdAt: (options.now ?? new Date()).toISOString(),
      board: identity,
      profile: config.profile,
      configDigest: configDigest(config),
    },
  });

  if (options.diff !== false && plan.changes.some((c) => c.action === 'update')) {
    hooks.onStart?.('review');
    const reviews = await reviewChanges(device, plan.changes, {
      rootDir: config.rootDir,
      inline: new Map(config.files.map((f) => [f.path, f])),
      secrets: config.secrets,
      algorithm: plan.hashAlgorithm,
      limit: options.diffLimit,
      signal,
      onProgress: (p) => hooks.onProgress?.('review', p),
    });
    for (const change of plan.changes) {
      const review = reviews.get(change.path);
      if (review) change.review = review;
    }
    hooks.onDone?.('review');
  }
  // Warnings quote paths and profile names; none may carry a secret.
  plan.warnings = plan.warnings.map((w) => config.secrets.redact(w));

  return { plan, cache: { hits: cache?.hits ?? 0, misses: cache?.misses ?? 0, ...(saveError ? { saveError } : {}) }, storedBoardId: stored };
}
