/**
 * `TapCi-<project>-<suffix>`: the IAM roles a CI pipeline assumes for one environment, through the account's OIDC
 * identity provider (an account singleton that `tapctl bootstrap` creates apart: no stack owns it).
 *
 * - PlanRole: pull requests (GitHub) may assume it: diff and deploy --dry-run, never a change set's execution.
 * - DeployRole: only the protected branch, or production's CI environment, may assume it: deploy and push-image.
 * - PreviewRole (with previews): pull requests deploy and delete their previews (`pr-<n>`) with it, and the
 *   scheduled sweep on the protected branch deletes expired ones.
 *
 * A stack rather than IAM calls: CloudFormation gives the roles deploy / diff / destroy semantics, shows drift,
 * and the policies are one template the tests assert (src/ci/permissions.ts holds them as data).
 *
 * Trust: sts:AssumeRoleWithWebIdentity from the provider only, with StringEquals on the token's whole `aud` and
 * `sub` (src/ci/identity.ts). No access keys: the roles have none, and nothing here makes a user.
 */
import { createHash } from 'node:crypto';
import cdk = require('aws-cdk-lib');
import iam = require('aws-cdk-lib/aws-iam');
import type { Construct } from 'constructs';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { partitionOf } from '../aws/account-singletons.js';
import { ciRoleName, ciStackName, CI_ROLE_PATH, conditionKeys, trustedSubjects, type CiIdentity, type CiRoleKind } from '../ci/identity.js';
import { environmentScope, previewScope, roleStatements, type StatementSpec } from '../ci/permissions.js';
import { FEATURE_FLAGS } from './feature-flags.js';
import { suppressNag, type NagFinding } from './nag-suppressions.js';

export interface CiRolesStackProps extends cdk.StackProps {
  /** The environment whose roles these are. */
  readonly config: ResolvedEnvironment;
  readonly identity: CiIdentity;
  /** The account's OIDC provider for the CI's issuer (arn:aws:iam::<account>:oidc-provider/<host>). */
  readonly providerArn: string;
  /**
   * Also a role for preview environments made from this one.
   *
   * @default false
   */
  readonly previews?: boolean;
}

/** Output keys `ci init` reads. */
export const CI_OUTPUTS = { plan: 'PlanRoleArn', deploy: 'DeployRoleArn', preview: 'PreviewRoleArn', provider: 'CiProvider', repository: 'CiRepository', branch: 'CiBranch', issuer: 'CiIssuer' } as const;

/** A CI session's longest life: a first deploy with CloudFront and a database takes most of an hour. */
const MAX_SESSION = cdk.Duration.hours(2);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The role names of an environment (fixed: `ci init` computes the same ARNs before the stack exists). */
export function ciRoleNames(env: Pick<ResolvedEnvironment, 'project' | 'suffix'>): Record<CiRoleKind, string> {
  return { plan: ciRoleName(env.project, env.suffix, 'plan', sha256), deploy: ciRoleName(env.project, env.suffix, 'deploy', sha256), preview: ciRoleName(env.project, env.suffix, 'preview', sha256) };
}

/** The ARN each role has in the environment's account. */
export function ciRoleArns(env: Pick<ResolvedEnvironment, 'project' | 'suffix' | 'account' | 'region'>): Record<CiRoleKind, string> {
  const names = ciRoleNames(env);
  const arnOf = (n: string) => `arn:${partitionOf(env.region)}:iam::${env.account}:role${CI_ROLE_PATH}${n}`;
  return { plan: arnOf(names.plan), deploy: arnOf(names.deploy), preview: arnOf(names.preview) };
}

export class CiRolesStack extends cdk.Stack {
  public readonly roles: Partial<Record<CiRoleKind, iam.Role>> = {};

  constructor(scope: Construct, id: string, props: CiRolesStackProps) {
    super(scope, id, { ...props, env: { account: props.config.account, region: props.config.region } });
    const { config: env, identity } = props;
    const subjects = trustedSubjects(identity, env, props.previews ?? false);
    const names = ciRoleNames(env);
    const keys = conditionKeys(identity);

    const role = (kind: CiRoleKind, subs: readonly string[], description: string, statements: StatementSpec[]) => {
      const principal = new iam.FederatedPrincipal(
        props.providerArn,
        { StringEquals: { [keys.aud]: identity.audience, [keys.sub]: subs.length === 1 ? subs[0] : [...subs] } },
        'sts:AssumeRoleWithWebIdentity',
      );
      const r = new iam.Role(this, `${kind[0].toUpperCase()}${kind.slice(1)}Role`, {
        roleName: names[kind],
        path: CI_ROLE_PATH,
        description,
        assumedBy: principal,
        maxSessionDuration: MAX_SESSION,
        inlinePolicies: { tapctl: new iam.PolicyDocument({ statements: statements.map(toStatement) }) },
      });
      suppressWildcards(r, statements);
      this.roles[kind] = r;
      new cdk.CfnOutput(this, CI_OUTPUTS[kind], { value: r.roleArn, description: `${kind} role of '${env.name}' for ${identity.provider} ${identity.repository}` });
      return r;
    };

    const where = `${identity.provider} ${identity.repository}`;
    role('plan', subjects.plan, `tapctl ${env.project}/${env.name}: plans (diff) from ${where}; never executes a change`, roleStatements('plan', environmentScope(env)));
    role('deploy', subjects.deploy, `tapctl ${env.project}/${env.name}: deploys from ${where} (${env.kind === 'production' && identity.provider === 'github' ? `environment ${env.name}` : `branch ${identity.branch}`})`, roleStatements('deploy', environmentScope(env)));
    if (subjects.preview) role('preview', subjects.preview, `tapctl ${env.project}: previews from ${env.name} for pull requests of ${where}`, roleStatements('preview', previewScope(env)));

    new cdk.CfnOutput(this, CI_OUTPUTS.provider, { value: identity.provider });
    new cdk.CfnOutput(this, CI_OUTPUTS.repository, { value: identity.repository });
    new cdk.CfnOutput(this, CI_OUTPUTS.branch, { value: identity.branch });
    // The issuer's host (GitLab: the instance): ci init writes the audience the roles expect from it.
    new cdk.CfnOutput(this, CI_OUTPUTS.issuer, { value: identity.issuerHost });
    cdk.Tags.of(this).add('ManagedBy', 'tapctl');
    cdk.Tags.of(this).add('Project', env.project);
    cdk.Tags.of(this).add('Environment', env.name);
  }
}

function toStatement(s: StatementSpec): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: s.sid,
    effect: iam.Effect.ALLOW,
    actions: [...s.actions],
    resources: [...s.resources],
    ...(s.conditions ? { conditions: s.conditions as Record<string, unknown> } : {}),
  });
}

/**
 * cdk-nag's IAM5 flags every `*` in an action or resource. Actions are always named whole; each wildcard resource
 * is suppressed with its statement's own reason (an action that takes no narrower resource, or a family of this
 * environment's own resources).
 */
function suppressWildcards(role: iam.Role, statements: readonly StatementSpec[]): void {
  const suppressions = statements
    .map((s) => ({ s, wild: s.resources.filter((r) => r.includes('*')) }))
    .filter(({ wild }) => wild.length > 0)
    .map(({ s, wild }) => ({ id: 'AwsSolutions-IAM5', reason: `${s.sid}: ${s.why}`, appliesTo: wild.map((r): NagFinding => `Resource::${r}`) }));
  if (suppressions.length > 0) suppressNag(role, suppressions);
}

export interface CiAppOptions {
  readonly outdir?: string;
}

/** The app of one environment's CI roles stack (offline: everything comes from the config and the arguments). */
export function buildCiRolesApp(env: ResolvedEnvironment, identity: CiIdentity, providerArn: string, previews: boolean, options: CiAppOptions = {}): { app: cdk.App; stack: CiRolesStack } {
  const app = new cdk.App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    builtinCloudFormationValidation: false,
    analyticsReporting: false,
    stackTraces: false,
    treeMetadata: false,
    context: { ...FEATURE_FLAGS },
  });
  const stack = new CiRolesStack(app, ciStackName(env.project, env.suffix), { config: env, identity, providerArn, previews, synthesizer: new cdk.DefaultStackSynthesizer() });
  return { app, stack };
}
