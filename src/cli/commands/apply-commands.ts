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
import type { Command } from 'commander';
import { action } from '../action.js';
import type { ApplyOptions } from './apply-run.js';

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
      action(async (ctx, file: string | undefined) => (await import('./apply-run.js')).applyCommand(ctx, file, ctx.command.opts<ApplyOptions>())),
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
      action(async (ctx, name: string) => (await import('./apply-run.js')).keygenCommand(ctx, name)),
    );
}
