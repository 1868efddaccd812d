/**
 * `belay apply [PLANFILE]`: make the board hold what the config says, as one
 * transaction (sync/apply.ts). With a plan file, exactly that plan runs,
 * without asking (it was reviewed), after the file's schema, integrity and
 * (when required) signature are checked. Without one, belay plans, shows the
 * plan and asks; `--yes` skips the question, and without a terminal `--yes`
 * is required. `belay keygen` writes the key pair signed plans use.
 *
 * Exit status: 0 applied (or nothing to do), 1 refused or failed, 130
 * interrupted (also when Ctrl-C came during the commit, which was finished).
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { AfterApply, LoadedConfig } from '../../config/types.js';
import type { Device } from '../../device/device.js';
import { BelayError, isBelayError } from '../../errors.js';
import { applyPlan, type ApplyHooks, type ApplyPhase, type ApplyResult } from '../../sync/apply.js';
import { makePlan } from '../../sync/make-plan.js';
import { readPlanFile } from '../../sync/plan-file.js';
import { readPublicKey, shortKeyId, verifyPlanSignature, writeKeyPair } from '../../sync/signing.js';
import { checkPlanSettings } from '../../sync/stale.js';
import type { Plan } from '../../sync/types.js';
import { action, EXIT } from '../action.js';
import { projectConfig, withDevice } from '../connect.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format.js';
import { applyView, RESET_WORDS } from '../views/apply-progress.js';
import { plural } from '../views/plan-words.js';
import { phaseStatus, render } from './plan-commands.js';

interface ApplyOptions {
  yes?: boolean;
  requireSignature?: string;
  /** commander's --no-diff: false when given. */
  diff: boolean;
}

export function registerApplyCommands(program: Command): void {
  program
    .command('apply')
    .description('make the board hold what belay.yaml says, as one transaction: a saved plan as reviewed, or plan, show and ask')
    .argument('[planfile]', 'a plan saved by "belay plan --out": applied exactly, without asking')
    .option('-y, --yes', 'apply without asking (needed without a terminal when no plan file is given)')
    .option('--require-signature <pubkeyfile>', 'apply only a plan file signed with the private key of this public key (also device.requireSignature in belay.yaml)')
    .option('--no-diff', "when planning here: do not fetch the board's copy of changed files to show diffs")
    .addHelpText(
      'after',
      `
A plan file is refused, before anything is written, when it was edited
(integrity), is for another board or profile, was made under another
belay.yaml, or when a board file or a local source it names changed since:
make a new plan then. Files are staged beside their targets and verified
from the board's flash, then renamed under a journal: if the link or the
power fails, the next belay command finishes or undoes the transaction, so
every file is old or new and the board holds the whole old or the whole new
set. Ctrl-C while staging leaves the board unchanged; during the commit,
belay finishes the commit (a second Ctrl-C quits at once, and the next
command completes it).
Examples:
  belay apply                           # plan, show, ask, apply
  belay apply -y                        # the same without asking
  belay plan --out plan.json && belay apply plan.json
  belay apply plan.json --require-signature keys/reviewers.pub`,
    )
    .action(
      action(async (ctx, file: string | undefined) => {
        const opts = ctx.command.opts<ApplyOptions>();
        const config = await projectConfig(ctx);
        const keyFile = opts.requireSignature ? resolve(ctx.cwd, opts.requireSignature) : config.device.requireSignature;
        const publicKey = keyFile ? await readPublicKey(keyFile) : undefined;
        if (file !== undefined) {
          // Everything a plan file can be refused for without a board, before connecting.
          const plan = await readPlanFile(resolve(ctx.cwd, file));
          if (publicKey) {
            verifyPlanSignature(plan, publicKey, file);
            ctx.out.verbose(`${file}: signed with key ${shortKeyId(plan.signature!.keyId)}, as required`);
          }
          checkPlanSettings(plan, config, file);
          await withDevice(ctx, (device) => execute(ctx, device, plan, config, file));
          return;
        }
        if (publicKey) {
          throw new BelayError('PLAN_SIGNATURE', 'this apply requires a signed plan file, and none was given', {
            data: { reason: 'unsigned' },
            hint: 'apply a reviewed plan signed with "belay plan --out FILE --sign KEYFILE": belay apply FILE',
          });
        }
        if (!opts.yes && !process.stdin.isTTY) {
          throw new BelayError('USAGE', 'belay apply without a plan file asks before it changes the board, and there is no terminal to ask on', {
            hint: 'pass --yes to apply without asking, or apply a reviewed plan file (belay plan --out FILE, then belay apply FILE)',
          });
        }
        await withDevice(ctx, async (device) => {
          const { plan } = await makePlan(device, config, { signal: ctx.signal, diff: opts.diff, hooks: phaseStatus(ctx) });
          if (ctx.options.json) ctx.out.data(JSON.stringify({ event: 'plan', plan }));
          else render(ctx, plan, 'text');
          checkPlanSettings(plan, config);
          if (plan.changes.length > 0 && !opts.yes && !(await confirm(ctx, plan))) {
            ctx.out.info('Apply cancelled: nothing was changed.');
            process.exitCode = EXIT.failure;
            return;
          }
          await execute(ctx, device, plan, config);
        });
      }),
    );

  program
    .command('keygen')
    .description('write an Ed25519 key pair for signed plans: NAME.key (private, signs) and NAME.pub (public, verifies)')
    .argument('[name]', 'file name without extension', 'belay-signing')
    .addHelpText(
      'after',
      `
The private key stays where plans are reviewed and signed:
  belay plan --out plan.json --sign NAME.key
the public key goes where plans are applied:
  belay apply plan.json --require-signature NAME.pub
  (or device.requireSignature: NAME.pub in belay.yaml)
Existing files are never overwritten.`,
    )
    .action(
      action(async (ctx, name: string) => {
        const base = resolve(ctx.cwd, name);
        const pair = await writeKeyPair(`${base}.key`, `${base}.pub`);
        if (ctx.options.json) ctx.out.json(pair);
        else {
          ctx.out.data(`${pair.privateFile}  private key: signs plans (keep it secret; readable by you only)`);
          ctx.out.data(`${pair.publicFile}  public key: verifies them (key ${shortKeyId(pair.keyId)})`);
        }
      }),
    );
}

/** Asks on the terminal; only "y" or "yes" applies. Ctrl-C or end of input is no. */
async function confirm(ctx: Context, plan: Plan): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<boolean>((answer) => {
      rl.on('SIGINT', () => answer(false));
      rl.on('close', () => answer(false));
      ctx.signal.addEventListener('abort', () => answer(false), { once: true });
      rl.question(`\nApply these changes to board ${plan.board.id}? Only "yes" (or "y") applies: `, (reply) => answer(/^\s*y(es)?\s*$/i.test(reply)));
    });
  } finally {
    rl.close();
  }
}

/** Runs the transaction with the chosen progress view and says how it ended. */
async function execute(ctx: Context, device: Device, plan: Plan, config: LoadedConfig, file?: string): Promise<void> {
  const afterApply: AfterApply = config.device.afterApply;
  const view = applyView(ctx, { afterApply });
  // The phase running, so a Ctrl-C can say at once what it will do there.
  let phase: ApplyPhase = 'check';
  const onInterrupt = () => view.interrupted(phase);
  ctx.signal.addEventListener('abort', onInterrupt, { once: true });
  const hooks: ApplyHooks = { ...view.hooks, onStart: (started, detail) => ((phase = started), view.hooks.onStart?.(started, detail)) };
  let result: ApplyResult;
  try {
    result = await applyPlan(device, plan, config, { signal: ctx.signal, hooks, name: file });
  } catch (err) {
    ctx.signal.removeEventListener('abort', onInterrupt);
    await view.end(err);
    if (ctx.options.json) ctx.out.data(JSON.stringify({ event: 'error', code: isBelayError(err) ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err), ...(isBelayError(err) ? { data: err.data } : {}) }));
    throw err;
  }
  ctx.signal.removeEventListener('abort', onInterrupt);
  await view.end(undefined, result.interruptedDuringCommit ? 'interrupted' : 'not needed');
  if (ctx.options.json) ctx.out.data(JSON.stringify({ event: 'result', ...result }));
  else ctx.out.info(summary(result));
  if (result.interruptedDuringCommit) {
    ctx.out.warn('interrupted during the commit: belay finished the commit, so the board holds the whole new state; the after-apply action did not run');
    process.exitCode = EXIT.interrupted;
  } else if (result.afterApply !== 'none' && result.afterApply !== 'skipped' && !ctx.options.json) {
    ctx.out.info(`After apply: ${RESET_WORDS[result.afterApply]}.`);
  }
}

function summary(result: ApplyResult): string {
  if (!result.wrote) return 'No changes. The board already holds this plan.';
  const files = result.created.length + result.updated.length + result.deleted.length;
  if (files === 0 && result.mkdirs.length === 0 && result.rmdirs.length === 0) return 'No changes to files; recorded them in the board\'s manifest.';
  const lines = [
    `Apply complete: ${result.created.length} created, ${result.updated.length} updated, ${result.deleted.length} deleted (${formatBytes(result.bytes)} staged${result.journaled ? ', journaled' : ''}). Folders: ${result.mkdirs.length} created, ${result.rmdirs.length} removed.`,
  ];
  if (result.kept.length > 0) lines.push(`Kept ${plural(result.kept.length, 'folder')} that still ${result.kept.length === 1 ? 'holds' : 'hold'} other files: ${result.kept.join(', ')}`);
  if (result.preserved.length > 0) lines.push(`The board's own ${result.preserved.length === 1 ? 'copy was' : 'copies were'} kept as ${result.preserved.join(', ')}`);
  return lines.join('\n');
}
