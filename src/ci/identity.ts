/**
 * Who a CI job is, as AWS sees it: the CI's OIDC issuer, the audience its tokens carry, and the exact `sub`
 * claims each of an environment's CI roles trusts. Pure data and checks, no AWS call: bootstrap synthesizes the
 * roles' trust from it, `ci init` writes the pipeline that presents those claims, and the tests assert both.
 *
 * Every trust condition is StringEquals on the whole `aud` and `sub` (never StringLike): a role names one
 * repository and one branch or CI environment, so a value with a wildcard character is refused (exit 2), not
 * passed on to IAM, where `*` and `?` would match more than what the person named.
 *
 * The claims:
 * - GitHub Actions (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims):
 *   a pull_request job: `repo:<owner>/<name>:pull_request`; a job on a branch: `repo:<owner>/<name>:ref:refs/heads/<branch>`;
 *   a job that names a GitHub environment: `repo:<owner>/<name>:environment:<environment>` (the environment
 *   replaces the ref). Audience `sts.amazonaws.com` (aws-actions/configure-aws-credentials' default).
 * - GitLab CI (https://docs.gitlab.com/ci/secrets/id_token_authentication/): `project_path:<group>/<name>:ref_type:branch:ref:<branch>`
 *   for every job, merge request pipelines included (their `ref` is the source branch). GitLab offers no claim
 *   that says "a merge request" or "a protected environment" in `sub` (its sub may only combine project_path,
 *   ref_type and ref: gitlab-org/gitlab#477260), so on GitLab both roles trust the protected branch alone, and
 *   the plan runs in the branch's pipeline before the deploys (README "CI pipelines"). Audience: the instance's
 *   URL, as GitLab's own AWS example sets it.
 */
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';

export type CiProvider = 'github' | 'gitlab';
export const CI_PROVIDERS: readonly CiProvider[] = ['github', 'gitlab'];

/** The GitHub Actions token issuer: one OIDC provider per account serves every repository. */
export const GITHUB_ISSUER = 'token.actions.githubusercontent.com';
export const GITHUB_AUDIENCE = 'sts.amazonaws.com';
export const GITLAB_DEFAULT_HOST = 'gitlab.com';

export interface CiIdentity {
  readonly provider: CiProvider;
  /** `owner/name` (GitHub) or `group[/subgroup...]/name` (GitLab), as the CI writes it in `sub`. */
  readonly repository: string;
  /** The protected branch deploys run from. */
  readonly branch: string;
  /** The OIDC issuer's host: the provider URL is https://<issuerHost>, IAM's condition keys start with it. */
  readonly issuerHost: string;
  /** The `aud` every token of this pipeline carries (the provider's client ID). */
  readonly audience: string;
}

/** The subjects (`sub`) each CI role of one environment trusts, each matched whole. */
export interface TrustedSubjects {
  /** The plan role: diff, deploy --dry-run, the preflight and ledger reads; never executes a change set. */
  readonly plan: readonly string[];
  /** The deploy role: the protected branch (or, for production on GitHub, its CI environment). */
  readonly deploy: readonly string[];
  /** The preview role (with --previews): pull requests, and the scheduled sweep on the protected branch. */
  readonly preview?: readonly string[];
}

/** Wildcards IAM's StringLike would expand: never accepted in a value that becomes part of a trust condition. */
const WILDCARD = /[*?]/;

/** An exact value for each flag that goes into a trust condition, for hints. */
const EXAMPLE: Readonly<Record<string, string>> = { '--branch': '--branch main', '--project': '--project acme/shop', '--repo': '--repo acme/shop', '--gitlab-host': '--gitlab-host gitlab.example.com' };

function refuseWildcard(flag: string, value: string): void {
  if (!WILDCARD.test(value)) return;
  throw new UsageError(`${flag} ${quote(value)} holds a wildcard (* or ?): a CI role trusts one exact repository and branch`, {
    hint: `name it exactly, e.g. ${EXAMPLE[flag] ?? `${flag} <exact value>`}; nothing was changed`,
  });
}

/** A GitHub `owner/name`: owner 1-39 letters, digits and hyphens; name 1-100 letters, digits, `.`, `_`, `-`. */
export function parseGitHubRepository(raw: string): string {
  refuseWildcard('--repo', raw);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(raw) || /\/\.\.?$/.test(raw)) {
    throw new UsageError(`--repo ${quote(raw)} is not a GitHub repository: expected owner/name`, { hint: 'e.g. --repo acme/shop (as in https://github.com/acme/shop)' });
  }
  return raw;
}

/** A GitLab project path: a group, optional subgroups and the project, each of letters, digits, `.`, `_`, `-`. */
export function parseGitLabProject(raw: string): string {
  refuseWildcard('--project', raw);
  const segments = raw.split('/');
  if (segments.length < 2 || raw.length > 255 || !segments.every((s) => /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(s) && !s.endsWith('.git'))) {
    throw new UsageError(`--project ${quote(raw)} is not a GitLab project path: expected group/name (subgroups allowed)`, { hint: 'e.g. --project acme/shop or --project acme/platform/shop' });
  }
  return raw;
}

/**
 * A branch name, without wildcards, of the characters branch names are made of in practice: letters, digits,
 * `.`, `_`, `/` and `-` (git's check-ref-format rules on top). It is written as it is into the trust's `sub`, the
 * pipeline's YAML and its branch filter, where a quote, `$` or space would mean something else.
 */
export function parseBranch(raw: string): string {
  refuseWildcard('--branch', raw);
  // tapctl writes refs/heads/ itself (GitHub's sub, the workflow's ref filter): a full ref would be refs/heads/refs/heads/...
  const ref = /^refs\/(heads|tags)\/(.*)$/.exec(raw);
  if (ref) {
    throw new UsageError(`--branch ${quote(raw)} is a full ref: give the branch name, which tapctl turns into refs/heads/<name> where the CI needs it`, { hint: ref[1] === 'heads' && ref[2] ? `--branch ${ref[2]}` : 'give the protected branch deploys run from, e.g. --branch main (tags are not supported)' });
  }
  const bad = !/^[A-Za-z0-9._/-]{1,255}$/.test(raw) || raw.startsWith('-') || raw.startsWith('/') || raw.endsWith('/') || raw.endsWith('.') || raw.endsWith('.lock') || raw.includes('..') || raw.includes('//') || raw.split('/').some((part) => part.startsWith('.'));
  if (bad) throw new UsageError(`--branch ${quote(raw)} is not a branch name tapctl can write into a trust policy and a pipeline (letters, digits, '.', '_', '/' and '-')`, { hint: 'give the protected branch deploys run from, e.g. --branch main' });
  return raw;
}

/** A GitLab instance's host name (no scheme, path or wildcard): gitlab.com, gitlab.example.com. */
export function parseGitLabHost(raw: string): string {
  refuseWildcard('--gitlab-host', raw);
  const host = raw.toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host)) {
    throw new UsageError(`--gitlab-host ${quote(raw)} is not a host name`, { hint: 'give the instance host only, e.g. --gitlab-host gitlab.example.com (no https://, no path)' });
  }
  return host;
}

export function githubIdentity(repository: string, branch: string): CiIdentity {
  return { provider: 'github', repository, branch, issuerHost: GITHUB_ISSUER, audience: GITHUB_AUDIENCE };
}

export function gitlabIdentity(project: string, branch: string, host: string = GITLAB_DEFAULT_HOST): CiIdentity {
  return { provider: 'gitlab', repository: project, branch, issuerHost: host, audience: gitlabAudience(host) };
}

/** The `aud` a GitLab pipeline's ID token asks for: the instance's URL (what the roles' trust expects). */
export function gitlabAudience(host: string = GITLAB_DEFAULT_HOST): string {
  return `https://${host}`;
}

/**
 * The exact subjects each role of an environment trusts. `production` environments deploy on GitHub through a
 * GitHub environment of the same name (its required reviewers are the approval), so their deploy role trusts that
 * environment's subject, which no job without it can present.
 */
export function trustedSubjects(id: CiIdentity, env: { readonly name: string; readonly kind: string }, previews = false): TrustedSubjects {
  if (id.provider === 'github') {
    const repo = `repo:${id.repository}`;
    const branch = `${repo}:ref:refs/heads/${id.branch}`;
    const pullRequest = `${repo}:pull_request`;
    return {
      // The protected branch too: production's plan runs there before its gated deploy (a read-only role).
      plan: [pullRequest, branch],
      deploy: [env.kind === 'production' ? `${repo}:environment:${env.name}` : branch],
      ...(previews ? { preview: [pullRequest, branch] } : {}),
    };
  }
  const branch = `project_path:${id.repository}:ref_type:branch:ref:${id.branch}`;
  return { plan: [branch], deploy: [branch] };
}

/** IAM's condition keys for this issuer (`token.actions.githubusercontent.com:sub` ...). */
export function conditionKeys(id: Pick<CiIdentity, 'issuerHost'>): { readonly aud: string; readonly sub: string } {
  return { aud: `${id.issuerHost}:aud`, sub: `${id.issuerHost}:sub` };
}

export type CiRoleKind = 'plan' | 'deploy' | 'preview';

/** IAM's limit on a role name (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
const ROLE_NAME_MAX = 64;
/** The path every CI role lives under: one prefix an SCP or a permissions boundary can name. */
export const CI_ROLE_PATH = '/tapctl/';

/**
 * The role's name: `tapctl-ci-<project>-<suffix>-<kind>`, fixed so that `ci init` knows every ARN before the
 * roles exist. A name over IAM's 64 characters keeps its start and gets a hash of the whole in place of the rest.
 */
export function ciRoleName(project: string, suffix: string, kind: CiRoleKind, hash: (text: string) => string): string {
  const full = `tapctl-ci-${project}-${suffix}-${kind}`;
  if (full.length <= ROLE_NAME_MAX) return full;
  const digest = hash(`${project}/${suffix}`).slice(0, 8);
  const head = `tapctl-ci-${project}-${suffix}`.slice(0, ROLE_NAME_MAX - kind.length - digest.length - 2).replace(/-+$/, '');
  return `${head}-${digest}-${kind}`;
}

/** The role's ARN in `account` (IAM is global; the partition follows the region). */
export function ciRoleArn(partition: string, account: string, name: string): string {
  return `arn:${partition}:iam::${account}:role${CI_ROLE_PATH}${name}`;
}

/** The CI roles stack of an environment: `TapCi-<project>-<suffix>`, beside its `TapStack-<project>-<suffix>`. */
export function ciStackName(project: string, suffix: string): string {
  return `TapCi-${project}-${suffix}`;
}
