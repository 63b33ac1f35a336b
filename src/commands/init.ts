/** `tapctl init`: scaffold a project (config, Dockerfile, sample service) from questions or flags. */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import type { EnvironmentAnswer, InitFlags } from '../init/answers.js';
import type { WrittenFile } from '../init/scaffold.js';

export interface InitOptions extends InitFlags {
  readonly force?: boolean;
}

export interface InitResult {
  readonly project: string;
  readonly preset: string;
  readonly dir: string;
  readonly environments: readonly EnvironmentAnswer[];
  readonly files: readonly WrittenFile[];
  /** The commands to run next, in order. */
  readonly next: readonly string[];
}

export function register(program: Command, runner: Runner): Command {
  return program
    .command('init')
    .description('scaffold a project here (or in --dir): tapctl.config.yaml, a Dockerfile and a sample service')
    .option('--project <name>', 'project name, starts every AWS resource name (default: the folder name)')
    .option('--preset <name>', 'ecommerce, catalog-api or rds-postgres (default: ecommerce)')
    .option('--envs <names>', 'comma-separated environments (default: dev,staging,prod)')
    .option('--account <id>', '12-digit AWS account ID of every environment (required without a terminal)')
    .option('--prod-account <id>', 'AWS account ID of the production environments (default: --account)')
    .option('--email <address>', 'address alarms notify (required without a terminal)')
    .option('--engine <engine>', 'aurora-postgresql or aurora-mysql (default: aurora-postgresql)')
    .option('--arch <arch>', 'x86_64 or arm64 (default: x86_64)')
    .option('--port <port>', 'port the service listens on (default: 3000)')
    .option('--force', 'overwrite files that already exist (.gitignore is always appended to, never replaced)')
    .addHelpText(
      'after',
      '\nAlso read by init: --dir (target folder, default: here), --region (default: us-east-1), --yes (defaults for every\n' +
        'question that has one), --no-interactive. Without a terminal, --account and --email are required.',
    )
    .action(runner.action(run, render));
}

export async function run(ctx: CommandContext, options: InitOptions): Promise<InitResult> {
  const { gatherAnswers } = await import('../init/answers.js');
  const { scaffold, verifyConfig } = await import('../init/scaffold.js');
  const dir = resolve(ctx.cwd, ctx.globals.dir ?? '.');
  const answers = await gatherAnswers(options, { interactive: ctx.interactive, yes: ctx.globals.yes, prompter: ctx.prompter, region: ctx.globals.region, dir });
  const files = scaffold(answers, { dir, force: options.force === true });
  for (const w of verifyConfig(dir)) ctx.io.warn(`${w.path}  ${w.message}`);
  const first = answers.environments.find((e) => e.kind === 'development') ?? answers.environments[0];
  // A path that climbs out of the working folder reads better absolute.
  const rel = relative(ctx.cwd, dir).startsWith('..') ? dir : relative(ctx.cwd, dir);
  const next = [
    ...(rel === '' ? [] : [`cd ${rel.includes(' ') ? JSON.stringify(rel) : rel}`]),
    'tapctl validate',
    `tapctl deploy --env ${first.name} --dry-run`,
    `tapctl bootstrap --env ${first.name}`,
    `tapctl deploy --env ${first.name}`,
    // rds-postgres runs no container: there is no image to push. The others' first deploy runs 0 tasks until then.
    ...(answers.preset === 'rds-postgres' ? [] : [`tapctl push-image --env ${first.name} --deploy`]),
  ];
  return { project: answers.project, preset: answers.preset, dir, environments: answers.environments, files, next };
}

export function render(r: InitResult, s: Styles): string {
  const width = Math.max(...r.files.map((f) => f.action.length));
  const lines = [
    s.good(`✔ ${r.project} (${r.preset}) scaffolded in ${r.dir}`),
    ...r.files.map((f) => `  ${s.dim(f.action.padEnd(width))}  ${f.path}`),
    '',
    s.bold('Environments'),
    ...r.environments.map((e) => `  ${e.name.padEnd(12)} ${s.dim(`${e.kind}, account ${e.account}, ${e.region}`)}`),
    '',
    s.bold('Next'),
    ...r.next.map((c) => `  ${s.code(c)}`),
  ];
  return lines.join('\n');
}
