/**
 * `tapctl synth --env <name>` (or `--all`): the embedded CDK app to a cloud assembly, in-process, offline.
 * `--all` synthesizes every environment of the config in this one process, so aws-cdk-lib loads once.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkCanMake, checkOption } from '../cli/option-checks.js';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, OperationError, UsageError } from '../cli/errors.js';
import { withThousands } from '../cli/plain-text.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { PRESET_PARTS } from '../config/presets/index.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { assemblyDir } from '../state/work-dir.js';
import { INLINE_TEMPLATE_LIMIT } from '../synth/summary.js';
import type { SynthResult } from '../synth/synthesize.js';

export interface SynthOptions {
  readonly out?: string;
  readonly validate?: boolean;
  /** false with --no-cache. */
  readonly cache?: boolean;
  /** Every environment of the config, in one process. */
  readonly all?: boolean;
}

export type SynthCommandResult = Omit<SynthResult, 'validationErrors'> & { environment: string; validated?: boolean; validationErrors: string[] };

/** `synth --all`: one result per environment, in the config's order. */
export interface SynthAllResult {
  readonly environments: SynthCommandResult[];
}

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('synth')
    .usage('--env <name> | --all [options]')
    .description('synthesize the CloudFormation template of an environment (offline, no credentials needed)')
    .option('--all', 'every environment in tapctl.config.yaml, in one process (aws-cdk-lib loads once)')
    .option('--out <dir>', 'cloud assembly folder (default: .tapctl/<env>/cdk.out; with --all, <dir>/<env>)')
    .option('--validate', "run aws-cdk-lib's built-in CloudFormation validation (adds seconds)")
    .option('--no-cache', 'synthesize even when nothing changed since the last run')
    .action(runner.action(run, (r: SynthCommandResult | SynthAllResult, s: Styles) => ('environments' in r ? renderAll(r, s) : render(r, s))));
  // The folder is judged before anything is synthesized: a user's files are never in the way of a wasted second.
  // With --all the environments' folders go under it, so it must hold nothing but tapctl's assemblies either.
  // A folder that cannot be made there (`/dev/null/x`) is a usage error naming the path, like any other.
  return checkOption(cmd, '--out', async (value, flag, { cwd, options }) => {
    const dir = resolve(cwd, String(value));
    // Loaded with --out only: it hashes files (node:crypto), which no other start needs.
    const { checkAssembliesParent, checkAssemblyDir } = await import('../synth/assembly-dir.js');
    (options.all ? checkAssembliesParent : checkAssemblyDir)(dir);
    checkCanMake(dir, flag, value);
  });
}

export async function run(ctx: CommandContext, options: SynthOptions): Promise<SynthCommandResult | SynthAllResult> {
  if (options.all && ctx.globals.env) {
    throw new UsageError('give --env <name> or --all, not both', { hint: 'tapctl synth --all synthesizes every environment of tapctl.config.yaml' });
  }
  const loaded = await loadProject(ctx);
  const envs = options.all ? loaded.environments : [await selectEnvironment(ctx, loaded)];
  const { synthesize } = await import('../synth/synthesize.js');
  const results: SynthCommandResult[] = [];
  for (const env of envs) {
    // synth is offline: which image runs is known only to AWS (the release ledger, the deployed stack).
    if (PRESET_PARTS[env.preset].service && !env.container.image.tag && !env.container.image.digest) {
      ctx.io.info(`image: not resolved for ${env.name} (synth is offline): the template has the bootstrap placeholder; deploy, deploy --dry-run and diff take the image from AWS`);
    }
    const outDir = options.out ? resolve(ctx.cwd, options.out, ...(options.all ? [env.name] : [])) : assemblyDir(loaded.projectDir, env.name);
    // With --verbose a line as well: a log then shows when synthesis began (and Ctrl-C is handled from here on).
    ctx.io.debug(`synthesizing ${env.names.stack} into ${outDir}${options.cache === false ? ' (--no-cache)' : ''}`);
    ctx.io.progress(`synthesizing ${env.names.stack} ...`);
    const work = () => synthesize(env, { outDir, owned: !options.out, validate: options.validate, useCache: options.cache !== false, onCacheProblem: (m) => ctx.io.warn(m) });
    results.push(await synthOne(ctx, env, work, options));
  }
  return options.all ? { environments: results } : results[0];
}

async function synthOne(ctx: CommandContext, env: ResolvedEnvironment, work: () => Promise<SynthResult>, options: SynthOptions): Promise<SynthCommandResult> {
  let result: SynthResult;
  try {
    result = await work();
  } catch (e) {
    if (isTapctlError(e)) throw e;
    throw new OperationError(`synthesis of ${env.name} failed: ${(e as Error).message}`, {
      hint: 'run tapctl validate; if it passes, this is a bug in tapctl: report it with --verbose output',
      cause: e,
      code: 'synth',
    });
  }
  // Synthesis is synchronous CPU work that a signal cannot cut short; a Ctrl-C during it still ends the command.
  // The SIGINT handler runs only when the event loop polls again: let it (a timer, then the check phase).
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setImmediate(resolve));
  if (ctx.signal.aborted) throw new InterruptedError('interrupted; the cloud assembly was written but nothing else was done');
  if (result.validationErrors.length > 0) {
    if (!ctx.io.json) ctx.io.result({ environment: env.name, ...result }, render);
    throw new OperationError(`CloudFormation validation found ${result.validationErrors.length} problem(s) in ${env.names.stack}`, {
      code: 'synth-validation',
      details: { environment: env.name, stackName: result.stackName, validationErrors: result.validationErrors },
    });
  }
  return { environment: env.name, validated: Boolean(options.validate), ...result };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function render(r: SynthCommandResult, s: Styles): string {
  const lines = [
    `${s.bold(r.stackName)}  ${s.dim(`${r.environment} · ${r.cached ? 'cached' : 'synthesized'} in ${(r.durationMs / 1000).toFixed(2)} s`)}`,
    '',
    s.bold('Resources') + s.dim(`  ${r.resourceCount} in all`),
    ...Object.entries(r.resourcesByService).map(([svc, n]) => `  ${svc.padEnd(24)} ${String(n).padStart(3)}`),
    '',
    s.bold('Outputs') + s.dim(`  ${r.outputs.length}`),
    ...r.outputs.map((o) => `  ${o.name.padEnd(26)} ${s.dim(o.exportName ?? '(not exported)')}`),
    '',
    s.bold('Template'),
    `  ${kb(r.templateBytes)}${r.needsBootstrapBucket ? s.dim(` — over CloudFormation's ${withThousands(INLINE_TEMPLATE_LIMIT)}-byte inline limit, so deploys upload it to the CDK bootstrap bucket (tapctl bootstrap)`) : ''}`,
    `  ${s.dim(r.assemblyDir)}`,
  ];
  if (r.validated && r.validationErrors.length === 0) lines.push('', s.good('✔ CloudFormation validation: no findings'));
  if (r.warnings.length) lines.push('', s.warn(`Warnings (${r.warnings.length})`), ...r.warnings.map((w) => `  ! ${w}`));
  if (r.validationErrors.length) lines.push('', s.bad(`CloudFormation validation (${r.validationErrors.length})`), ...r.validationErrors.map((w) => `  ✖ ${w}`));
  return lines.join('\n');
}

export function renderAll(r: SynthAllResult, s: Styles): string {
  return r.environments.map((e) => render(e, s)).join('\n\n');
}
