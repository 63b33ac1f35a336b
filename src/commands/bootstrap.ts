/**
 * `tapctl bootstrap --env <name>`: CDK bootstrap of the environment's account and region (once per pair), the
 * account-wide resources the environment needs, and with --ci the CI's OIDC provider and the environment's CI
 * roles (src/ci/bootstrap-ci.ts).
 */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { checkOption } from '../cli/option-checks.js';
import type { Runner } from '../cli/program.js';
import { githubIdentity, gitlabIdentity, parseBranch, parseGitHubRepository, parseGitLabHost, parseGitLabProject, type CiIdentity } from '../ci/identity.js';
import type { BootstrapResult } from '../deploy/results.js';

export interface BootstrapOptions {
  readonly ci?: 'github' | 'gitlab';
  readonly repo?: string;
  readonly project?: string;
  readonly gitlabHost?: string;
  readonly branch?: string;
  readonly previews?: boolean;
  readonly replaceTrust?: boolean;
}

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('bootstrap')
    .usage('--env <name> [--ci github --repo <owner/name> | --ci gitlab --project <group/name>] [options]')
    .description("prepare the environment's account and region for deploys (CDK bootstrap: bucket, roles); with --ci, the roles a CI pipeline assumes")
    .addOption(new Option('--ci <provider>', "also create the CI's OIDC identity provider (once per account) and this environment's CI roles").choices(['github', 'gitlab']))
    .option('--repo <owner/name>', 'with --ci github: the repository whose workflows may assume the roles')
    .option('--project <group/name>', 'with --ci gitlab: the project whose pipelines may assume the roles')
    .option('--gitlab-host <host>', 'with --ci gitlab: the GitLab instance (default: gitlab.com)')
    .option('--branch <name>', 'with --ci: the protected branch deploys run from (default: main)')
    .option('--previews', 'with --ci github: also a role pull requests create and delete their previews (pr-<n>) with')
    .option('--replace-trust', "with --ci: let this run re-point the environment's existing CI roles at another CI, repository, branch or GitLab instance")
    .addHelpText(
      'after',
      `
With --ci, the CI's IAM OIDC identity provider is found or created once per account (never deleted by an
environment), and the stack TapCi-<project>-<suffix> holds two roles: a plan role pull requests may assume (diff,
never a change set's execution) and a deploy role only the protected branch (GitHub: production's CI environment)
may assume. Their trust matches aud and sub exactly; no access keys. Re-pointing existing roles at another CI,
repository, branch or GitLab instance is refused (exit 3) without --replace-trust. The role ARNs are printed; tapctl ci init
writes them into the pipeline. Without a terminal, --ci needs --yes (it creates IAM roles).`,
    )
    .action(runner.action(run, { load: async () => (await import('../deploy/results.js')).renderBootstrap }));
  const needsCi = (provider: 'github' | 'gitlab' | undefined) => (_v: unknown, flag: string, { options }: { options: Readonly<Record<string, unknown>> }) => {
    if (options.ci === undefined) throw new UsageError(`${flag} only applies with --ci`, { hint: `add --ci ${provider ?? 'github'}, or leave ${flag} out` });
    if (provider && options.ci !== provider) throw new UsageError(`${flag} only applies with --ci ${provider}, not --ci ${String(options.ci)}`, { hint: provider === 'github' ? 'GitLab names its project with --project <group/name>' : 'GitHub names its repository with --repo <owner/name>' });
  };
  checkOption(cmd, '--repo', (v, flag, c) => {
    needsCi('github')(v, flag, c);
    parseGitHubRepository(String(v));
  });
  checkOption(cmd, '--project', (v, flag, c) => {
    needsCi('gitlab')(v, flag, c);
    parseGitLabProject(String(v));
  });
  checkOption(cmd, '--gitlab-host', (v, flag, c) => {
    needsCi('gitlab')(v, flag, c);
    parseGitLabHost(String(v));
  });
  checkOption(cmd, '--branch', (v, flag, c) => {
    needsCi(undefined)(v, flag, c);
    parseBranch(String(v));
  });
  checkOption(cmd, '--replace-trust', (v, flag, c) => needsCi(undefined)(v, flag, c));
  checkOption(cmd, '--previews', (v, flag, c) => {
    needsCi(undefined)(v, flag, c);
    if (c.options.ci === 'gitlab') {
      throw new UsageError('--previews is for GitHub: a GitLab token names the merge request\'s branch in its sub, which no exact trust condition can match for every merge request', { hint: 'leave --previews out; README "CI pipelines" says what a GitLab pipeline runs' });
    }
  });
  return cmd;
}

/** The CI identity the options name, or undefined without --ci. A missing --repo / --project is exit 2 naming it. */
export function ciIdentityOf(options: BootstrapOptions): CiIdentity | undefined {
  if (!options.ci) return undefined;
  const branch = parseBranch(options.branch ?? 'main');
  if (options.ci === 'github') {
    if (options.repo === undefined) throw new UsageError('--ci github needs --repo <owner/name>: the repository whose workflows may assume the roles', { hint: 'e.g. tapctl bootstrap --env dev --ci github --repo acme/shop --yes' });
    return githubIdentity(parseGitHubRepository(options.repo), branch);
  }
  if (options.project === undefined) throw new UsageError('--ci gitlab needs --project <group/name>: the project whose pipelines may assume the roles', { hint: 'e.g. tapctl bootstrap --env dev --ci gitlab --project acme/shop --yes' });
  return gitlabIdentity(parseGitLabProject(options.project), branch, options.gitlabHost ? parseGitLabHost(options.gitlabHost) : undefined);
}

export async function run(ctx: CommandContext, options: BootstrapOptions): Promise<BootstrapResult | undefined> {
  const ci = ciIdentityOf(options);
  const { runBootstrap } = await import('../deploy/bootstrap-flow.js');
  return runBootstrap(ctx, ci ? { identity: ci, previews: Boolean(options.previews), replaceTrust: Boolean(options.replaceTrust) } : undefined);
}
