/**
 * The configuration commands: `belay init` (write a starting belay.yaml),
 * `belay validate` (report every problem with its line and column, exit 1 on
 * errors) and `belay config` (print the resolved config of a profile, secrets
 * masked).
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic, ValidationResult } from '../../config/index.js';
import type { Context } from '../context.js';
import { action, EXIT } from '../action.js';

/** The config layer (YAML, schema, ajv), loaded when a config command runs and not before. */
const configLayer = () => import('../../config/index.js');

async function printDiagnostics(ctx: Context, list: Diagnostic[]): Promise<void> {
  if (list.length === 0) return;
  const { formatDiagnostics } = await configLayer();
  const text = formatDiagnostics(list, { cwd: ctx.cwd, style: (s, t) => ctx.out.style(s, t) });
  process.stderr.write(`${text}\n`);
}

function summary(result: ValidationResult): Record<string, unknown> {
  return {
    ok: result.ok,
    configFile: result.configFile,
    profile: result.profile,
    errors: result.diagnostics.filter((d) => d.severity === 'error'),
    warnings: result.diagnostics.filter((d) => d.severity === 'warning'),
  };
}

export function registerConfigCommands(program: Command): void {
  program
    .command('init')
    .description('write a commented belay.yaml for this folder (src/, main.py, lib/ guessed) and ignore .belay/ in git')
    .option('-f, --force', 'overwrite an existing config')
    .action(
      action(async (ctx) => {
        const opts = ctx.command.opts<{ force?: boolean }>();
        const { initProject, schemaLocation, validateConfig } = await configLayer();
        const schemaPath = await schemaLocation(ctx.cwd, program.version() ?? '0.0.0');
        const result = await initProject({ dir: ctx.cwd, configPath: ctx.options.config, force: opts.force, port: ctx.options.port, schemaPath });
        const validation = await validateConfig({ cwd: ctx.cwd, configPath: result.configFile, env: process.env });
        if (ctx.options.json) {
          ctx.out.json({ ...result, valid: validation.ok, diagnostics: validation.diagnostics });
        } else {
          const show = (p: string) => relative(ctx.cwd, p) || p;
          ctx.out.info(`created ${show(result.configFile)}`);
          for (const file of result.created) ctx.out.info(`created ${show(file)}`);
          if (result.gitignore !== 'unchanged') ctx.out.info(`${result.gitignore === 'created' ? 'created .gitignore with' : 'added'} .belay/${result.gitignore === 'created' ? '' : ' to .gitignore'}`);
          if (result.notDeployed.length > 0) {
            ctx.out.warn(`${result.notDeployed.join(' and ')} beside src/ ${result.notDeployed.length === 1 ? 'is' : 'are'} not deployed (src/ is the board root): move ${result.notDeployed.length === 1 ? 'it' : 'them'} into src/, or add ${result.notDeployed.length === 1 ? 'it' : 'them'} to sources (belay.yaml shows how)`);
          }
          await printDiagnostics(ctx, validation.diagnostics);
          ctx.out.info('next: edit belay.yaml to taste, then "belay validate"');
        }
        if (!validation.ok) process.exitCode = EXIT.failure;
      }),
    );

  program
    .command('validate')
    .description('check belay.yaml (syntax, schema, paths, sources) for the profile given by --profile; exit 1 on errors')
    .option('--all-profiles', 'check the base config and every profile')
    .action(
      action(async (ctx) => {
        const opts = ctx.command.opts<{ allProfiles?: boolean }>();
        const { validateConfig } = await configLayer();
        const base = { cwd: ctx.cwd, configPath: ctx.options.config, env: process.env };
        const first = await validateConfig({ ...base, profile: ctx.options.profile });
        const results = [first];
        if (opts.allProfiles && first.configFile) {
          // The base first (no profile, even if BELAY_PROFILE is set), then each profile.
          results.length = 0;
          const env = { ...process.env, BELAY_PROFILE: undefined };
          results.push(await validateConfig({ ...base, env }));
          for (const name of first.profiles) results.push(await validateConfig({ ...base, env, profile: name }));
        }
        const ok = results.every((r) => r.ok);
        if (ctx.options.json) {
          ctx.out.json(results.length === 1 ? summary(results[0]) : { ok, results: results.map(summary) });
        } else {
          for (const r of results) {
            await printDiagnostics(ctx, r.diagnostics);
            const where = r.configFile ? relative(ctx.cwd, r.configFile) || r.configFile : 'config';
            const label = r.profile ? ` (profile ${r.profile})` : '';
            const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
            const warnings = r.diagnostics.length - errors;
            if (r.ok) ctx.out.info(`${where}${label}: valid${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
            else ctx.out.info(`${where}${label}: ${errors} error${errors === 1 ? '' : 's'}`);
          }
        }
        if (!ok) process.exitCode = EXIT.failure;
      }),
    );

  program
    .command('config')
    .description('print the resolved config for the profile given by --profile (secrets masked)')
    .action(
      action(async (ctx) => {
        const { loadConfig, toPrintable } = await configLayer();
        const { stringify } = await import('yaml');
        const config = await loadConfig({ cwd: ctx.cwd, configPath: ctx.options.config, profile: ctx.options.profile, env: process.env });
        for (const w of config.warnings) await printDiagnostics(ctx, [w]);
        const printable = toPrintable(config);
        if (ctx.options.json) ctx.out.json(printable);
        else ctx.out.data(stringify(printable, { lineWidth: 0 }));
      }),
    );
}
