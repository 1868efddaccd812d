/**
 * `belay plan`: compare the config with the board and show (and optionally
 * save) what apply would do. `belay show PLANFILE`: render a saved plan
 * without a board. Views: text (terminal), markdown (pull requests), json
 * (the plan file itself).
 *
 * Exit status of `plan --detailed-exitcode`: 0 no changes, 2 changes,
 * 3 conflicts the policy does not resolve, 1 error. Without the flag: 0, or
 * 1 for errors and unresolved conflicts.
 */
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { BelayError } from '../../errors.js';
import type { PlanFile } from '../../sync/plan-file.js';
import type { Plan, PlanHooks } from '../../sync/types.js';
import { action, EXIT, parseInteger } from '../action.js';
import { projectConfig, withDevice } from '../connect.js';
import type { Context } from '../context.js';

/** `plan --detailed-exitcode` statuses (the others are action.ts EXIT). */
export const PLAN_EXIT = { noChanges: 0, error: 1, changes: 2, conflicts: 3 } as const;

type Format = 'text' | 'markdown' | 'json';
const FORMATS: Format[] = ['text', 'markdown', 'json'];

function formatOption(): Option {
  return new Option('--format <format>', 'how to print the plan: text (terminal), markdown (pull-request comment) or json (the plan file)').choices(FORMATS);
}

function chosenFormat(ctx: Context, given: Format | undefined): Format {
  return ctx.options.json ? 'json' : (given ?? 'text');
}

// The planner, the plan file and the views load when a plan command runs, not at start-up.
export async function render(ctx: Context, plan: Plan, format: Format, planFile?: string): Promise<void> {
  if (format === 'json') ctx.out.data((await import('../../sync/plan-file.js')).serializePlan(plan));
  else if (format === 'markdown') ctx.out.data((await import('../views/plan-markdown.js')).renderPlanMarkdown(plan, { planFileName: planFile }));
  else ctx.out.data((await import('../views/plan-text.js')).renderPlanText(plan, { style: (s, t) => ctx.out.style(s, t) }));
  const signature = (plan as PlanFile).signature;
  if (signature && format !== 'json') ctx.out.info(`Signed with key ${(await import('../../sync/signing.js')).shortKeyId(signature.keyId)} (belay apply --require-signature checks it).`);
}

const PHASE_LABEL = { board: 'reading the board', hash: 'hashing local files', review: 'fetching changed files for diffs' } as const;

/**
 * One status line on a terminal while a plan is made ("hashing local files
 * 340/1000"), erased when done; nothing when stderr is not a terminal or
 * under --quiet/--json; phases as verbose lines either way.
 */
export function phaseStatus(ctx: Context, stream: NodeJS.WriteStream = process.stderr): PlanHooks {
  const live = Boolean(stream.isTTY) && !ctx.options.quiet && !ctx.options.json;
  let last = 0;
  const draw = (text: string) => {
    if (live) stream.write(`\r\u001b[2K${text.slice(0, (stream.columns || 100) - 1)}`);
  };
  return {
    onStart: (phase) => {
      ctx.out.verbose(PHASE_LABEL[phase]);
      draw(`${PHASE_LABEL[phase]}...`);
    },
    onProgress: (phase, p) => {
      const now = performance.now();
      if (now - last < 100 && p.done !== p.total) return;
      last = now;
      draw(`${PHASE_LABEL[phase]} ${p.done}${p.total ? `/${p.total}` : ''}`);
    },
    onDone: () => draw(''),
  };
}

interface PlanOptions {
  out?: string;
  sign?: string;
  format?: Format;
  detailedExitcode?: boolean;
  diff: boolean;
  diffLimit?: number;
  cache: boolean;
}

export function registerPlanCommands(program: Command): void {
  program
    .command('plan')
    .description('compare belay.yaml and the local files with the board and show what apply would change')
    .option('-o, --out <file>', 'save the plan to FILE (JSON, schemas/plan.v1.schema.json) for review and apply')
    .option('--sign <keyfile>', 'sign the saved plan with this Ed25519 private key (from "belay keygen"); needs --out')
    .addOption(formatOption())
    .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when there are changes, 3 on unresolved conflicts, 1 on errors')
    .option('--no-diff', "do not fetch the board's copy of changed files to show diffs (faster on slow links)")
    .addOption(new Option('--diff-limit <bytes>', 'largest file to diff, in bytes').argParser(parseInteger('diff limit')).default(64 * 1024, '64 KiB'))
    .option('--no-cache', 'hash every local file again instead of using .belay/hash-cache.json')
    .addHelpText(
      'after',
      `
Exit status with --detailed-exitcode: 0 no changes, 2 changes to apply,
3 conflicts the "conflicts" policy does not resolve, 1 error.
Examples:
  belay plan                                   # what would change
  belay plan --out plan.json                   # save it for review and apply
  belay plan --format markdown > plan.md       # for a pull-request comment
  belay plan --out plan.json --sign keys/reviewer.key   # a signed plan (see belay keygen)
  belay --profile prod plan --detailed-exitcode`,
    )
    .action(
      action(async (ctx) => {
        const opts = ctx.command.opts<PlanOptions>();
        const format = chosenFormat(ctx, opts.format);
        if (opts.sign && !opts.out) throw new BelayError('USAGE', '--sign signs the saved plan: give --out FILE too');
        const { readPrivateKey, signPlan } = await import('../../sync/signing.js');
        const { makePlan } = await import('../../sync/make-plan.js');
        const { writePlanFile } = await import('../../sync/plan-file.js');
        // The key is read before the board is touched: a wrong path fails fast.
        const key = opts.sign ? await readPrivateKey(resolve(ctx.cwd, opts.sign)) : undefined;
        const config = await projectConfig(ctx);
        const made = await withDevice(ctx, (device) =>
          makePlan(device, config, {
            signal: ctx.signal,
            diff: opts.diff,
            diffLimit: opts.diffLimit,
            cache: opts.cache,
            hooks: phaseStatus(ctx),
          }),
        );
        const plan: Plan = key ? signPlan(made.plan, key) : made.plan;
        ctx.out.verbose(`local hashes: ${made.cache.hits} from the cache, ${made.cache.misses} computed`);
        if (made.cache.saveError) ctx.out.verbose(`hash cache not saved: ${made.cache.saveError.message}`);
        if (made.storedBoardId) ctx.out.info(`this board has no hardware id: belay stored ${plan.board.id} in /.belay/board-id`);
        let planFile: string | undefined;
        if (opts.out) {
          const target = resolve(ctx.cwd, opts.out);
          await writePlanFile(target, plan);
          planFile = relative(ctx.cwd, target) || target;
        }
        await render(ctx, plan, format, planFile);
        if (planFile) ctx.out.info(`Saved the plan to ${planFile}: review it (belay show ${planFile}), then run exactly this plan with "belay apply ${planFile}".`);

        if (plan.summary.unresolved > 0) process.exitCode = opts.detailedExitcode ? PLAN_EXIT.conflicts : EXIT.failure;
        else if (opts.detailedExitcode) process.exitCode = plan.changes.length ? PLAN_EXIT.changes : PLAN_EXIT.noChanges;
      }),
    );

  program
    .command('show')
    .description('render a saved plan file (no board needed); the file is checked against its schema and integrity digest')
    .argument('<planfile>', 'a file written by "belay plan --out"')
    .addOption(formatOption())
    .action(
      action(async (ctx, file: string) => {
        const opts = ctx.command.opts<{ format?: Format }>();
        const { readPlanFile } = await import('../../sync/plan-file.js');
        const plan = await readPlanFile(resolve(ctx.cwd, file));
        await render(ctx, plan, chosenFormat(ctx, opts.format), file);
      }),
    );
}
