/**
 * `tapctl ci init github|gitlab`: writes the project's CI pipeline from templates/ci/ (src/ci/). The roles it
 * assumes come from `tapctl bootstrap --env <name> --ci ...`.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import type { Styles } from '../cli/io-host.js';
import { checkOption } from '../cli/option-checks.js';
import type { Runner } from '../cli/program.js';
import { quote } from '../cli/quote.js';
import { parseBranch, parseGitLabHost } from '../ci/identity.js';
import type { CiInitOptions, CiInitResult } from '../ci/init-flow.js';
import type { CiSummaryResult } from '../ci/summary.js';
import { suggest } from '../config/suggest.js';

const SUBCOMMANDS = ['init', 'summary'];

export function register(program: Command, runner: Runner): Command {
  const ci = program
    .command('ci')
    .usage('init github|gitlab [options]')
    .description("write the project's CI pipeline: diff on pull requests, deploys in order from the main branch, short-lived credentials")
    .argument('[subcommand]')
    .action(runner.action(async (_ctx, _options, args) => {
      const hint = 'tapctl ci init github · tapctl ci init gitlab';
      if (args[0] === undefined) throw new UsageError('ci needs a subcommand: init or summary', { hint });
      const near = suggest(args[0], SUBCOMMANDS);
      throw new UsageError(`ci has no subcommand ${quote(args[0])}${near ? ` (did you mean '${near}'?)` : ''}: it has init and summary`, { hint });
    }));

  const init = ci
    .command('init')
    .argument('[provider]', 'github or gitlab (asked on a terminal)')
    .usage('github|gitlab [--previews] [--branch main] [--force] [options]')
    .description('write .github/workflows/tapctl.yml or .gitlab-ci.yml for every environment of tapctl.config.yaml')
    .option('--branch <name>', 'the protected branch deploys run from (default: main; as bootstrap --ci --branch)')
    .option('--previews', 'GitHub: also a workflow with a preview environment per pull request, deleted on close, and an hourly sweep')
    .option('--preview-from <env>', 'with --previews: the non-production environment previews are made from (default: the first development one)')
    .option('--gitlab-host <host>', "GitLab: the instance the ID tokens come from (default: the one the TapCi stacks were bootstrapped for, else gitlab.com)")
    .option('--force', 'replace pipeline files that already exist; write the pipeline even when roles trust another CI, branch or instance')
    .addHelpText(
      'after',
      `
Pull requests: validate and a diff of every environment in the job summary (GitHub); merge requests: validate,
and on the protected branch a plan per environment in the job's artifacts before the deploys (GitLab). The main
branch deploys in the environments' order (the stack, then push-image --deploy of the app built from the commit),
those of one kind in parallel, production after its plan and behind the CI's own protection (a GitHub environment
with required reviewers; a manual job in a GitLab protected environment).
Every job installs tapctl at this version (${'npm install --global tapctl@<version>'}), uses --yes --json and
caches nothing. The role ARNs are read from each environment's TapCi-<project>-<suffix> stack when the
credentials reach it, else they are the ones tapctl bootstrap --ci gives the roles (Next lists those bootstraps).
Exit codes: 0 written, 2 a bad or missing argument, a file that exists (without --force) or a symlink in the
way, 3 roles already bootstrapped for another CI, branch or GitLab instance (without --force).`,
    )
    .action(runner.action((ctx, options: CiInitOptions, args) => runInit(ctx, args[0], options), render));
  ci.command('summary')
    .argument('[file]', 'the NDJSON a tapctl command wrote with --json')
    .usage('<file>')
    .description("the Markdown of one tapctl --json run, for the CI's job summary ($GITHUB_STEP_SUMMARY) or a job artifact")
    .addHelpText(
      'after',
      `
Run the command first, then its summary, and keep the command's exit code:
  status=0; tapctl diff --env dev --yes --json > diff.ndjson || status=$?
  tapctl ci summary diff.ndjson >> "$GITHUB_STEP_SUMMARY"; exit "$status"
A run that ended before its result line is summarized as such. Exit codes: 0 written, 2 no file or unreadable.`,
    )
    .action(runner.action((ctx, _options, args) => runSummary(ctx, args[0]), (r: CiSummaryResult) => r.markdown.trimEnd()));
  checkOption(init, '--branch', (v) => void parseBranch(String(v)));
  checkOption(init, '--gitlab-host', (v) => void parseGitLabHost(String(v)));
  for (const sub of ci.commands) sub.exitOverride().showSuggestionAfterError(true);
  return ci;
}

async function runSummary(ctx: CommandContext, file: string | undefined): Promise<CiSummaryResult> {
  if (file === undefined) throw new UsageError('ci summary needs the file a tapctl command wrote with --json', { hint: 'tapctl diff --env dev --json > diff.ndjson; tapctl ci summary diff.ndjson' });
  const { summarizeFile } = await import('../ci/summary.js');
  return summarizeFile(resolve(ctx.cwd, file));
}

async function runInit(ctx: CommandContext, provider: string | undefined, options: CiInitOptions): Promise<CiInitResult> {
  const { runCiInit } = await import('../ci/init-flow.js');
  return runCiInit(ctx, provider, options);
}

export function render(r: CiInitResult, s: Styles): string {
  const lines = [s.good(`✔ ${r.provider === 'github' ? 'GitHub Actions' : 'GitLab CI'} pipeline written (tapctl ${r.tapctlVersion}, deploys from ${r.branch})`), ...r.files.map((f) => `  ${s.dim(f.action.padEnd(11))}  ${f.path}`), '', s.bold('Environments, in deploy order')];
  for (const e of r.environments) {
    lines.push(`  ${String(e.wave).padStart(2)}. ${e.name.padEnd(12)} ${s.dim(`${e.kind}, ${e.account}, ${e.region}`)}`);
    lines.push(`      ${s.dim('plan  ')} ${e.roles.plan}`, `      ${s.dim('deploy')} ${e.roles.deploy}${e.rolesFrom === 'computed' ? s.dim('  (not created yet, or not read)') : ''}`);
  }
  if (r.previews) lines.push('', `${s.bold('Previews')} from ${r.previews.from}: ${r.previews.role}`);
  lines.push('', s.bold('Next'), ...r.next.map((n) => `  ${s.code(n)}`));
  return lines.join('\n');
}
