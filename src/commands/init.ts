/** `tapctl init`: scaffold a project (config, Dockerfile, sample service) from questions or flags. */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import type { EnvironmentAnswer, InitFlags } from '../init/answers.js';
import type { WrittenFile } from '../init/scaffold.js';
import type { Spawn } from '../image/exec.js';
import { UsageError } from '../cli/errors.js';

export interface InitOptions extends InitFlags {
  readonly force?: boolean;
  /** --git / --no-git; undefined: ask on a terminal, yes with --yes, no otherwise. */
  readonly git?: boolean;
}

export interface InitResult {
  readonly project: string;
  readonly preset: string;
  readonly dir: string;
  readonly environments: readonly EnvironmentAnswer[];
  readonly files: readonly WrittenFile[];
  /** `git init` was run in the folder. */
  readonly gitInitialized: boolean;
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
    .option('--git', 'run git init in the folder when it is not in a git repository (default: ask; yes with --yes)')
    .option('--no-git', 'never run git init')
    .addHelpText(
      'after',
      '\nAlso read by init: --dir (target folder, default: here), --region (default: us-east-1), --yes (defaults for every\n' +
        'question that has one), --no-interactive. Without a terminal, --account and --email are required.',
    )
    .action(runner.action(run, render));
}

export async function run(ctx: CommandContext, options: InitOptions): Promise<InitResult> {
  const { gatherAnswers } = await import('../init/answers.js');
  const { existingFiles, overwriteRefusal, scaffold } = await import('../init/scaffold.js');
  const dir = resolve(ctx.cwd, ctx.globals.dir ?? '.');
  // A folder that already holds a project is said before the first question, not after the last.
  const force = options.force === true || (await mayOverwrite(ctx, dir, existingFiles(dir), overwriteRefusal));
  const answers = await gatherAnswers(options, { interactive: ctx.interactive, yes: ctx.globals.yes, prompter: ctx.prompter, region: ctx.globals.region, dir });
  const { spawnProcess } = await import('../image/exec.js');
  const git = await gitDecision(ctx, dir, options.git, spawnProcess);
  // Nothing is written before every answer is in and the config they make validates.
  const { files, warnings } = scaffold(answers, { dir, force });
  for (const w of warnings) ctx.io.warn(`${w.path}  ${w.message}`);
  let gitInitialized = false;
  if (git) {
    const { gitInit } = await import('../init/git.js');
    const failed = await gitInit(spawnProcess, dir, ctx.env);
    if (failed) ctx.io.warn(`git init failed (${failed}); push-image tags images by their content until the folder is in git`);
    gitInitialized = !failed;
  }
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
  return { project: answers.project, preset: answers.preset, dir, environments: answers.environments, files, gitInitialized, next };
}

/**
 * Whether init may replace the files it finds (`clashes`): none found, or a person at a terminal said so.
 * Without a terminal (or with --yes, which never overwrites by itself) the answer is exit 2 naming --force.
 */
async function mayOverwrite(ctx: CommandContext, dir: string, clashes: readonly string[], refusal: (dir: string, clashes: readonly string[]) => Error): Promise<boolean> {
  if (clashes.length === 0) return false;
  if (!ctx.interactive || ctx.globals.yes) throw refusal(dir, clashes);
  const shown = `${clashes.slice(0, 3).join(', ')}${clashes.length > 3 ? ` and ${clashes.length - 3} more` : ''}`;
  const what = clashes.includes('tapctl.config.yaml') ? 'already holds a tapctl project' : 'already holds files init writes';
  const overwrite = await ctx.prompter.confirm({ message: `${dir} ${what} (${shown}). Overwrite them?`, default: false });
  if (!overwrite) throw new UsageError('init stopped: nothing was written', { hint: 'choose another folder with --dir, or pass --force to overwrite' });
  return true;
}

/** Whether to run git init: only outside a git work tree, when git is there; asked on a terminal. */
async function gitDecision(ctx: CommandContext, dir: string, flag: boolean | undefined, spawn: Spawn): Promise<boolean> {
  if (flag === false) return false;
  const { insideGitWorkTree } = await import('../init/git.js');
  const inside = await insideGitWorkTree(spawn, dir, ctx.env);
  if (inside !== false) {
    if (inside === undefined && flag === true) ctx.io.warn('git is not installed: not running git init');
    return false;
  }
  if (flag === true || ctx.globals.yes) return true;
  if (!ctx.interactive) return false;
  return ctx.prompter.confirm({ message: 'Start a git repository here (git init)? push-image tags images by commit', default: true });
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
