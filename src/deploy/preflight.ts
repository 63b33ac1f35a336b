/**
 * The checks deploy runs before anything changes, one line each (pass / fail / warn / skipped and why), in two
 * parts: who and where (config, credentials, account, region, the stack), which the image resolution needs;
 * then, on the synthesized template and the account, the rest (preset checks, bootstrap, termination
 * protection, engine version, and what only the whole account can tell: account-checks.ts).
 *
 * A real deploy stops at the first failure. A dry run runs every check and collects the failures; without
 * credentials it marks the AWS checks as skipped, so that it still validates, synthesizes and shows the plan.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { CommandContext } from '../cli/context.js';
import { ConfigError, OperationError, RefusedError, isTapctlError } from '../cli/errors.js';
import { bootstrapVersion } from '../aws/bootstrap.js';
import type { AwsClients } from '../aws/clients.js';
import { isMissingCredentials } from '../aws/errors.js';
import { assertAccount, callerIdentity, type CallerIdentity } from '../aws/identity.js';
import type { Template } from '../aws/stack-details.js';
import { describeStack } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { StackArtifactInfo } from './assembly.js';
import type { CheckList } from './checks.js';
import { ACCOUNT_CHECKS, checkAccount } from './account-checks.js';
import { availabilityZonesCheck, databaseEngineCheck } from './region-checks.js';
import { classifyStack, waitForStack, type StackCondition } from './stack-state.js';

/**
 * presets.md a.13: the catalog spec's pre-deployment checks on the synthesized template. A critical finding blocks
 * the deploy as it blocks validate (exit 2); warnings are shown and never block.
 */
async function catalogChecks(checks: CheckList, env: ResolvedEnvironment, artifact: StackArtifactInfo): Promise<void> {
  const { catalogTemplateChecks } = await import('../infra/presets/catalog-checks.js');
  const findings = catalogTemplateChecks(artifact.template as never, env);
  const critical = findings.filter((f) => f.severity === 'critical');
  if (critical.length > 0) {
    throw new ConfigError(`${critical.length} catalog pre-deployment check(s) failed: ${critical.map((f) => `${f.check} ${f.message}`).join('; ')}`, {
      hint: 'tapctl validate --deep lists them with their resources',
    });
  }
  const warnings = findings.filter((f) => f.severity === 'warning');
  checks.report(warnings.length ? 'warn' : 'pass', 'preset checks', warnings.length ? warnings.map((f) => `${f.check} ${f.message}`).join('; ') : 'presets.md a.13: no findings');
}

export interface AccessInput {
  readonly env: ResolvedEnvironment;
  readonly configFile: string;
  readonly clients: AwsClients;
  /** Wait this long for a busy stack; undefined refuses at once. */
  readonly waitForStackMs?: number;
  readonly pollMs: number;
}

export interface AccessResult {
  /** Credentials for the right account: AWS was asked. */
  readonly awsChecked: boolean;
  /** Why AWS was not asked further (no credentials, another account). */
  readonly skipReason?: string;
  readonly identity?: CallerIdentity;
  readonly stack?: Stack;
  readonly condition?: StackCondition;
}

/** config, credentials, account, region and the stack: what every later check and the image resolution need. */
export async function checkAccess(ctx: CommandContext, checks: CheckList, input: AccessInput): Promise<AccessResult> {
  const { env, clients } = input;
  const dryRun = checks.collect;
  ctx.io.section(`Preflight: ${env.name} (${env.kind}, ${env.account}/${env.region})`);
  checks.report('pass', 'config', `${input.configFile}: environment '${env.name}' is valid`);

  // Credentials, then the account: nothing else is asked of AWS with the wrong ones.
  let identity: CallerIdentity | undefined;
  let skipReason: string | undefined;
  try {
    identity = await callerIdentity(clients);
    checks.report('pass', 'credentials', identity.arn);
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    // Nothing configured at all is a dry run's normal case; a profile that is there but broken is named (its hint).
    if (dryRun && isMissingCredentials(e.cause) && (e.cause as { hint?: string }).hint === undefined) {
      checks.report('skip', 'credentials', 'none found: the AWS checks below are skipped (dry run)');
      skipReason = 'no credentials';
    } else {
      checks.fail('credentials', e);
      skipReason = 'no usable credentials';
    }
  }
  if (identity) {
    try {
      assertAccount(identity, env);
      checks.report('pass', 'account', `${identity.account} is the account of '${env.name}'`);
    } catch (e) {
      if (!isTapctlError(e)) throw e;
      checks.fail('account', e);
      skipReason = `credentials are for account ${identity.account}`;
    }
  } else {
    checks.report('skip', 'account', skipReason);
  }
  checks.report('pass', 'region', `${env.region}${env.endpoint ? ` via ${env.endpoint}` : ''}`);
  if (skipReason) {
    checks.report('skip', 'stack', skipReason);
    return { awsChecked: false, skipReason, ...(identity ? { identity } : {}) };
  }

  let stack: Stack | undefined;
  let condition: StackCondition | undefined;
  await checks.run('stack', async () => {
    stack = await describeStack(clients, env.names.stack);
    condition = classifyStack(stack);
    if (condition.kind === 'busy' && input.waitForStackMs !== undefined && !dryRun) {
      ctx.io.info(`${env.names.stack} is ${stack?.StackStatus}; waiting up to ${Math.round(input.waitForStackMs / 60_000)} min (--wait-for-stack)`);
      stack = await waitForStack(ctx, clients, env.names.stack, { envName: env.name, timeoutMs: input.waitForStackMs, pollMs: input.pollMs });
      condition = classifyStack(stack);
    }
    reportStack(checks, env, condition);
  });
  return { awsChecked: true, identity, ...(stack ? { stack } : {}), ...(condition ? { condition } : {}) };
}

export interface ResourceInput {
  /** The environment as it will be deployed (image resolved). */
  readonly env: ResolvedEnvironment;
  readonly artifact: StackArtifactInfo;
  readonly clients: AwsClients;
  readonly access: AccessResult;
  /** The deployed template, read at most once (undefined: no stack). */
  readonly deployedTemplate: () => Promise<Template | undefined>;
}

/** The checks on the synthesized template and the account: preset checks, bootstrap, engine, logging role. */
export async function checkResources(checks: CheckList, input: ResourceInput): Promise<void> {
  const { env, clients, access, artifact } = input;
  if (env.preset === 'catalog-api') await checks.run('preset checks', () => catalogChecks(checks, env, artifact));
  if (!access.awsChecked) {
    for (const name of ['availability zones', 'bootstrap', 'database engine', ...ACCOUNT_CHECKS]) checks.report('skip', name, access.skipReason);
    return;
  }

  await checks.run('availability zones', async () => checks.report('pass', 'availability zones', await availabilityZonesCheck(env, clients)));

  await checks.run('bootstrap', async () => {
    const version = await bootstrapVersion(clients);
    const need = artifact.requiredBootstrapVersion;
    const where = `account ${env.account}, region ${env.region}`;
    if (version === undefined) {
      throw new OperationError(`CDK bootstrap is missing in ${where}; deploys need its bucket: the template is over CloudFormation's 51,200-byte inline limit`, {
        code: 'not-bootstrapped',
        hint: `run tapctl bootstrap --env ${env.name} (once per account and region)`,
      });
    }
    if (version < need) {
      throw new OperationError(`CDK bootstrap in ${where} is version ${version}; this stack needs ${need} or later`, {
        code: 'bootstrap-outdated',
        hint: `update it: tapctl bootstrap --env ${env.name}`,
      });
    }
    checks.report('pass', 'bootstrap', `version ${version} (needs ${need}+)`);
  });
  if (env.kind === 'production') reportTerminationProtection(checks, access.stack, artifact);

  await checks.run('database engine', async () => checks.report('pass', 'database engine', await databaseEngineCheck(env, clients)));

  await checkAccount(checks, input);
}

/** Reports a stack deploy can go ahead with; throws the refusal for one it cannot. */
function reportStack(checks: CheckList, env: ResolvedEnvironment, condition: StackCondition): void {
  const name = env.names.stack;
  switch (condition.kind) {
    case 'absent':
      return checks.report('pass', 'stack', `${name} is not deployed yet: this deploy creates it`);
    case 'review':
      return checks.report('pass', 'stack', `${name} holds only an unexecuted change set (REVIEW_IN_PROGRESS): this deploy replaces it`);
    case 'ready': {
      const s = condition.stack;
      const when = s.LastUpdatedTime ?? s.CreationTime;
      return checks.report('pass', 'stack', `${s.StackStatus}${when ? ` since ${new Date(when).toISOString()}` : ''}`);
    }
    case 'failed-create':
      return checks.report('warn', 'stack', `${condition.stack.StackStatus}: its first create failed; it holds nothing and cannot be updated, so it must be deleted and created again`);
    case 'busy':
      throw new RefusedError(`stack ${name} is busy: ${condition.stack.StackStatus}`, {
        hint: `wait for it with --wait-for-stack [minutes] (default 30), or follow it with tapctl status --env ${env.name} --watch`,
        details: { stackStatus: condition.stack.StackStatus },
      });
    case 'rollback-failed':
      throw new RefusedError(`stack ${name} is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback; it cannot be deployed until the rollback completes`, {
        hint: `continue the rollback: aws cloudformation continue-update-rollback --stack-name ${name} --region ${env.region} (add --resources-to-skip <logicalId> for resources that cannot roll back), then deploy again`,
        details: { stackStatus: 'UPDATE_ROLLBACK_FAILED' },
      });
    case 'broken':
      throw new RefusedError(`stack ${name} is ${condition.stack.StackStatus}: ${condition.stack.StackStatusReason ?? 'a previous operation failed'}`, {
        hint: `look at it with tapctl status --env ${env.name}; fix it in CloudFormation before deploying`,
        details: { stackStatus: condition.stack.StackStatus },
      });
  }
}

function reportTerminationProtection(checks: CheckList, stack: Stack | undefined, artifact: StackArtifactInfo): void {
  const wanted = artifact.terminationProtection;
  if (!stack) return checks.report(wanted ? 'pass' : 'warn', 'termination protection', wanted ? 'turned on with the create' : 'off for a production stack (protection.terminationProtection)');
  const on = Boolean(stack.EnableTerminationProtection);
  if (on) return checks.report('pass', 'termination protection', 'on');
  checks.report('warn', 'termination protection', wanted ? 'off now; this deploy turns it on' : 'off for a production stack (protection.terminationProtection)');
}
