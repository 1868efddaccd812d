/**
 * Checks across the whole resolved config that the schema cannot express:
 * no two sources (or inline files) deploy the same board path, a file is
 * never also a folder, `keep` does not cover anything belay deploys, and
 * patterns that match nothing are flagged (warnings: maybe intended).
 */
import { isBelayError } from '../errors.js';
import { ancestors, checkBoardPath } from '../paths/board.js';
import { shown } from '../paths/shown.js';
import { report, type CheckContext } from './context.js';
import type { PathSegment } from './document.js';
import { boardMatcher } from './patterns.js';
import type { Config } from './types.js';
import { listSourceFiles } from './walk.js';

/** Who deploys a board path: a source (by index in the merged list) or an inline file (by its key). */
interface Owner {
  label: string;
  path: PathSegment[];
  /** Point at the key (inline files are named by their key, the board path). */
  key?: boolean;
}

export interface RuleInput {
  config: Config;
  /** Index in the merged `sources` list of each resolved source (some may have been dropped as invalid). */
  sourceIndex: number[];
  /** Key in the merged `files` mapping of each resolved inline file. */
  fileKeys: string[];
  implicitSources: boolean;
}

export async function checkRules(input: RuleInput, ctx: CheckContext): Promise<void> {
  const { config } = input;
  const deployed = new Map<string, Owner>();
  const clashes = new Map<string, { first: Owner; second: Owner; paths: string[] }>();

  const claim = (board: string, owner: Owner) => {
    const existing = deployed.get(board);
    if (!existing) {
      deployed.set(board, owner);
      return;
    }
    // One error per pair of owners, not per file: two overlapping folders would flood.
    const key = `${existing.label}\u0000${owner.label}`;
    const clash = clashes.get(key) ?? { first: existing, second: owner, paths: [] };
    clash.paths.push(board);
    clashes.set(key, clash);
  };

  for (let i = 0; i < config.sources.length; i++) {
    const source = config.sources[i];
    const index = input.sourceIndex[i];
    const owner: Owner = { label: `sources[${index}]`, path: ['sources', index] };
    let listing;
    try {
      listing = await listSourceFiles(source, config.ignore);
    } catch (err) {
      const code = isBelayError(err, 'LOCAL_SYMLINK') ? err.code : 'CONFIG_INVALID';
      report(ctx, ['sources', index, 'from'], { code, message: (err as Error).message, hint: isBelayError(err) ? err.hint : undefined });
      continue;
    }
    // A local name can be no board name (a tab in it, say): say so now, not halfway through an apply.
    const unwritable = listing.files.map((file) => ({ file, check: checkBoardPath(file.board, { purpose: 'file' }) })).filter(({ check }) => !check.ok);
    if (unwritable.length > 0) {
      const { file, check } = unwritable[0];
      const more = unwritable.length > 1 ? ` (and ${unwritable.length - 1} more)` : '';
      report(ctx, ['sources', index, 'from'], {
        code: check.ok ? 'PATH_INVALID' : check.code,
        message: `${shown(file.local)} cannot be deployed: board path ${JSON.stringify(file.board)} ${check.ok ? '' : check.reason}${more}`,
        hint: 'rename the file, or leave it out with an exclude pattern',
      });
    }
    const refused = new Set(unwritable.map(({ file }) => file));
    for (const file of listing.files) if (!refused.has(file)) claim(file.board, owner);
    if (input.implicitSources) continue;
    let unmatched = false;
    listing.includeHits.forEach((hits, j) => {
      if (hits > 0) return;
      unmatched = true;
      report(ctx, ['sources', index, 'include', j], { severity: 'warning', code: 'PATTERN_UNMATCHED', message: `include pattern "${source.include[j]}" matches no file` });
    });
    listing.excludeHits.forEach((hits, j) => {
      if (hits > 0) return;
      report(ctx, ['sources', index, 'exclude', j], { severity: 'warning', code: 'PATTERN_UNMATCHED', message: `exclude pattern "${source.exclude[j]}" excludes no file` });
    });
    if (listing.files.length === 0 && !unmatched) {
      report(ctx, ['sources', index], { severity: 'warning', code: 'SOURCE_EMPTY', message: `${owner.label} deploys no file` });
    }
  }

  const ignored = boardMatcher(config.ignore);
  config.files.forEach((file, i) => {
    const key = input.fileKeys[i];
    const owner: Owner = { label: `files["${key}"]`, path: ['files', key], key: true };
    const pattern = ignored(file.path);
    if (pattern !== undefined) {
      report(ctx, owner.path, { severity: 'warning', code: 'INLINE_IGNORED', message: `inline file ${file.path} is ignored (pattern "${pattern}") and will not be deployed`, key: true });
      return;
    }
    claim(file.path, owner);
  });

  for (const { first, second, paths } of clashes.values()) {
    const more = paths.length > 1 ? ` (and ${paths.length - 1} more)` : '';
    report(ctx, second.path, {
      key: second.key,
      code: 'CONFIG_INVALID',
      message: `${second.label} and ${first.label} both deploy ${paths[0]}${more}`,
      hint: 'narrow one of them with include/exclude, or give them different "to" paths',
    });
  }

  // A board path cannot be a file for one source and a folder for another.
  for (const [board, owner] of deployed) {
    for (const dir of ancestors(board)) {
      const other = deployed.get(dir);
      if (other) {
        report(ctx, owner.path, { key: owner.key, code: 'CONFIG_INVALID', message: `${owner.label} deploys ${board}, but ${other.label} deploys ${dir} as a file` });
        break;
      }
    }
  }

  // keep means "the board owns it": deploying there would overwrite board data.
  config.keep.forEach((pattern, j) => {
    const matcher = boardMatcher([pattern]);
    const covered = [...deployed].filter(([board]) => matcher(board) !== undefined);
    if (covered.length === 0) return;
    const [board, owner] = covered[0];
    const more = covered.length > 1 ? ` (and ${covered.length - 1} more)` : '';
    report(ctx, ['keep', j], {
      code: 'CONFIG_INVALID',
      message: `keep pattern "${pattern}" covers ${board}${more}, which ${owner.label} deploys`,
      hint: 'kept paths belong to the board; exclude them from the source or narrow the keep pattern',
    });
  });

  if (deployed.size === 0 && !ctx.diagnostics.some((d) => d.severity === 'error')) {
    report(ctx, [], { severity: 'warning', code: 'NOTHING_TO_DEPLOY', message: 'this config deploys no file' });
  }
}
