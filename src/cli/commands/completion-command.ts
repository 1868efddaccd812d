/** `belay completion SHELL`: prints the completion script for bash, zsh or fish (see completion.ts). */
import { Argument, type Command } from 'commander';
import { action } from '../action.js';
import { SHELLS, completionScript, type Shell } from '../completion.js';

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(belay completion bash), or see the script\'s first lines')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action(
      action(async (ctx, shell: Shell) => {
        ctx.out.raw(completionScript(program, shell));
      }),
    );
}
