/**
 * What `belay apply` and `belay keygen` do (registered in apply-commands.ts,
 * loaded only when one of them runs): the transaction with its progress
 * view and summary, the question before an unreviewed apply, key pairs.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { AfterApply, LoadedConfig } from '../../config/types.js';
import type { Device } from '../../device/device.js';
import { BelayError, isBelayError } from '../../errors.js';
import { applyPlan, type ApplyHooks, type ApplyPhase, type ApplyResult } from '../../sync/apply.js';
import { makePlan } from '../../sync/make-plan.js';
import { readPlanFile } from '../../sync/plan-file.js';
import { readPublicKey, shortKeyId, verifyPlanSignature, writeKeyPair } from '../../sync/signing.js';
import { checkPlanSettings } from '../../sync/stale.js';
import type { Plan } from '../../sync/types.js';
import { EXIT } from '../action.js';
import { projectConfig, withDevice } from '../connect.js';
import type { Context } from '../context.js';
import { formatBytes } from '../format.js';
import { applyView, RESET_WORDS } from '../views/apply-progress.js';
import { plural } from '../views/plan-words.js';
import { phaseStatus, render } from './plan-commands.js';
import { stopOptimisingForTransfer } from '../compiler-off.js';

export interface ApplyOptions {
  yes?: boolean;
  requireSignature?: string;
  /** commander's --no-diff: false when given. */
  diff: boolean;
}

/** `belay apply [PLANFILE]`. */
export async function applyCommand(ctx: Context, file: string | undefined, opts: ApplyOptions): Promise<void> {
  ctx.jsonLines = true;
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
    else await render(ctx, plan, 'text');
    checkPlanSettings(plan, config);
    if (plan.changes.length > 0 && !opts.yes && !(await confirm(ctx, plan))) {
      ctx.out.info('Apply cancelled: nothing was changed.');
      process.exitCode = EXIT.failure;
      return;
    }
    await execute(ctx, device, plan, config);
  });
}

/** `belay keygen [NAME]`. */
export async function keygenCommand(ctx: Context, name: string): Promise<void> {
  const base = resolve(ctx.cwd, name);
  const pair = await writeKeyPair(`${base}.key`, `${base}.pub`);
  if (ctx.options.json) ctx.out.json(pair);
  else {
    ctx.out.data(`${pair.privateFile}  private key: signs plans (keep it secret; readable by you only)`);
    ctx.out.data(`${pair.publicFile}  public key: verifies them (key ${shortKeyId(pair.keyId)})`);
  }
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
  const hooks: ApplyHooks = {
    ...view.hooks,
    onStart: (started, detail) => ((phase = started), view.hooks.onStart?.(started, detail)),
    // Files on the way: the optimising compiler goes off (compiler-off.ts).
    onProgress: (stage, progress) => (void stopOptimisingForTransfer(), view.hooks.onProgress?.(stage, progress)),
  };
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
