/** `tapctl validate [--env <name>]`: the schema and every rule, for one environment or all of them. */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { ConfigError } from '../cli/errors.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import { count, loadProject, relativeName, selectConfigured } from '../cli/project.js';
import { formatIssue, type ConfigIssue } from '../config/issues.js';
import type { SynthesizedTemplate } from '../synth/physical-names.js';

export interface ValidateOptions {
  readonly deep?: boolean;
}

export interface ValidateResult {
  readonly ok: boolean;
  readonly file: string;
  readonly environments: string[];
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigIssue[];
}

export function register(program: Command, runner: Runner): Command {
  return program
    .command('validate')
    .usage('[--env <name>] [options]')
    .description('check tapctl.config.yaml: schema, AWS limits, names and safety rules (all environments unless --env)')
    .option('--deep', 'also synthesize each environment and run CloudFormation validation (slower)')
    .action(runner.action(run, render));
}

export async function run(ctx: CommandContext, options: ValidateOptions): Promise<ValidateResult> {
  const loaded = await loadProject(ctx, { allowErrors: true });
  const file = relativeName(ctx, loaded.path);
  const only = ctx.globals.env && loaded.errors.length === 0 ? selectConfigured(ctx, loaded).name : ctx.globals.env;
  const mine = (i: ConfigIssue) => !only || i.environment === undefined || i.environment === only;
  const errors = loaded.errors.filter(mine);
  const warnings = loaded.warnings.filter(mine);
  const environments = loaded.environments.map((e) => e.name).filter((n) => !only || n === only);

  if (options.deep && errors.length === 0) {
    const { deepValidate, physicalNameIssues } = await import("./validate-deep.js");
    const templates: SynthesizedTemplate[] = [];
    for (const env of loaded.environments.filter((e) => environments.includes(e.name))) {
      for (const issue of await deepValidate(ctx, env, templates)) (issue.severity === 'error' ? errors : warnings).push(issue);
    }
    for (const issue of await physicalNameIssues(templates)) (issue.severity === 'error' ? errors : warnings).push(issue);
  }

  const result: ValidateResult = { ok: errors.length === 0, file, environments, errors, warnings };
  if (!result.ok) {
    // A person reads the issues on stdout, then the verdict; --json gets them in the failure line's details.
    if (!ctx.io.json) ctx.io.result(result, render);
    throw new ConfigError(`${file} is not valid: ${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}`, {
      hint: environments.length ? 'fix the errors above; warnings never block' : 'fix the errors above; the per-environment rules run once the file parses',
      details: { file, environments, errors, warnings },
    });
  }
  return result;
}

export function render(r: ValidateResult, s: Styles): string {
  const lines: string[] = [];
  const show = (i: ConfigIssue, mark: string) => {
    lines.push(`${mark} ${formatIssue(r.file, i)}`);
    if (i.hint) lines.push(`    ${s.dim(i.hint)}`);
  };
  r.errors.forEach((i) => show(i, s.bad('error  ')));
  r.warnings.forEach((i) => show(i, s.warn('warning')));
  // On failure the error line on stderr is the summary; printing one here too would say it twice.
  if (r.ok) lines.push(s.good(`✔ valid: ${count(r.errors.length, 'error')}, ${count(r.warnings.length, 'warning')} in ${r.file} (${r.environments.join(', ')})`));
  return lines.join('\n');
}
