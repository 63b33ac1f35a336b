/**
 * The checks deploy runs before anything changes, one line each (pass / fail / warn / skipped and why).
 *
 * A real deploy stops at the first failure. A dry run runs every check and collects the failures; without
 * credentials it marks the AWS checks as skipped, so that it still validates, synthesizes and shows the plan.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { CommandContext } from '../cli/context.js';
import { ConfigError, InterruptedError, OperationError, RefusedError, type TapctlError, isTapctlError } from '../cli/errors.js';
import type { CheckStatus } from '../cli/io-host.js';
import { apiGatewayCloudWatchRoleArn } from '../aws/apigateway-account.js';
import { bootstrapVersion } from '../aws/bootstrap.js';
import type { AwsClients } from '../aws/clients.js';
import { findImage } from '../aws/ecr-images.js';
import { PRESET_PARTS } from '../config/presets/index.js';
import { isMissingCredentials } from '../aws/errors.js';
import { assertAccount, callerIdentity, type CallerIdentity } from '../aws/identity.js';
import { describeStack } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { StackArtifactInfo } from './assembly.js';
import type { ImagePlan } from './image.js';
import { KNOWN_CAUSES } from './known-causes.js';
import { availabilityZonesCheck, databaseEngineCheck } from './region-checks.js';
import { classifyStack, waitForStack, type StackCondition } from './stack-state.js';

export interface CheckRecord {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail?: string;
}

export interface PreflightInput {
  /** The environment as it will be deployed (image resolved). */
  readonly env: ResolvedEnvironment;
  readonly configFile: string;
  readonly image: ImagePlan;
  readonly artifact: StackArtifactInfo;
  readonly clients: AwsClients;
  readonly dryRun: boolean;
  /** Wait this long for a busy stack; undefined refuses at once. */
  readonly waitForStackMs?: number;
  readonly pollMs: number;
}

export interface PreflightResult {
  readonly checks: readonly CheckRecord[];
  /** The first failure of a dry run (a real deploy throws it instead). */
  readonly failure?: TapctlError;
  /** Credentials for the right account: AWS was asked. */
  readonly awsChecked: boolean;
  readonly identity?: CallerIdentity;
  readonly stack?: Stack;
  readonly condition?: StackCondition;
}

class CheckList {
  readonly records: CheckRecord[] = [];
  failure?: TapctlError;

  constructor(
    private readonly ctx: CommandContext,
    private readonly collect: boolean,
  ) {}

  report(status: CheckStatus, name: string, detail?: string): void {
    this.records.push({ name, status, ...(detail ? { detail } : {}) });
    this.ctx.io.check(status, name, detail);
    this.ctx.io.event({ type: 'check', name, status, ...(detail ? { detail } : {}) });
  }

  /** A failed check: a real deploy stops here, a dry run carries on. */
  fail(name: string, error: TapctlError): void {
    this.report('fail', name, error.message);
    if (!this.collect) throw error;
    this.failure ??= error;
  }

  /** Runs a check that reports its own pass/warn/skip line, or throws the error that fails it. */
  async run(name: string, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (e) {
      if (!isTapctlError(e) || e instanceof InterruptedError) throw e;
      this.fail(name, e);
    }
  }
}

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

export async function preflight(ctx: CommandContext, input: PreflightInput): Promise<PreflightResult> {
  const { env, clients } = input;
  const checks = new CheckList(ctx, input.dryRun);
  ctx.io.section(`Preflight: ${env.name} (${env.kind}, ${env.account}/${env.region})`);

  checks.report('pass', 'config', `${input.configFile}: environment '${env.name}' is valid`);
  if (env.preset === 'catalog-api') await checks.run('preset checks', () => catalogChecks(checks, env, input.artifact));

  // Credentials, then the account: nothing else is asked of AWS with the wrong ones.
  let identity: CallerIdentity | undefined;
  let skipReason: string | undefined;
  try {
    identity = await callerIdentity(clients);
    checks.report('pass', 'credentials', identity.arn);
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    if (input.dryRun && isMissingCredentials(e.cause)) {
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

  const noService = PRESET_PARTS[env.preset].service ? undefined : `the ${env.preset} preset runs no container service`;
  if (skipReason) {
    for (const name of ['availability zones', 'bootstrap', 'stack', 'image', 'database engine', 'API Gateway logging']) {
      checks.report('skip', name, name === 'image' && noService ? noService : skipReason);
    }
    return { checks: checks.records, failure: checks.failure, awsChecked: false, identity };
  }

  await checks.run('availability zones', async () => checks.report('pass', 'availability zones', await availabilityZonesCheck(env, clients)));

  await checks.run('bootstrap', async () => {
    const version = await bootstrapVersion(clients);
    const need = input.artifact.requiredBootstrapVersion;
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

  let stack: Stack | undefined;
  let condition: StackCondition | undefined;
  await checks.run('stack', async () => {
    stack = await describeStack(clients, env.names.stack);
    condition = classifyStack(stack);
    if (condition.kind === 'busy' && input.waitForStackMs !== undefined && !input.dryRun) {
      ctx.io.info(`${env.names.stack} is ${stack?.StackStatus}; waiting up to ${Math.round(input.waitForStackMs / 60_000)} min (--wait-for-stack)`);
      stack = await waitForStack(ctx, clients, env.names.stack, { envName: env.name, timeoutMs: input.waitForStackMs, pollMs: input.pollMs });
      condition = classifyStack(stack);
    }
    reportStack(checks, env, condition);
  });
  if (env.kind === 'production') reportTerminationProtection(checks, stack, input.artifact);

  await checks.run('image', async () => {
    const { image } = input;
    if (noService) {
      checks.report('skip', 'image', noService);
      return;
    }
    if (image.source === 'none') {
      checks.report('warn', 'image', `none yet: the service runs 0 tasks until you run tapctl push-image --env ${env.name} (two-phase first deploy)`);
      return;
    }
    if (image.repository) {
      checks.report('skip', 'image', `${image.display} is outside this stack's ECR repository: not checked`);
      return;
    }
    const found = await findImage(clients, env.names.ecrRepository, image);
    if (found === 'found') return checks.report('pass', 'image', `${image.display} (from ${image.source === 'config' ? 'the config' : 'push-image'})`);
    if (found === 'image-missing') {
      throw new OperationError(`image ${image.display} is not in ECR repository ${env.names.ecrRepository}`, {
        code: 'image-missing',
        hint: `push it first: tapctl push-image --env ${env.name}`,
      });
    }
    throw new OperationError(`ECR repository ${env.names.ecrRepository} does not exist yet, so image ${image.display} cannot be in it`, {
      code: 'image-missing',
      hint: `deploy once without container.image (that creates the repository), then tapctl push-image --env ${env.name}`,
    });
  });

  await checks.run('database engine', async () => checks.report('pass', 'database engine', await databaseEngineCheck(env, clients)));

  await checks.run('API Gateway logging', async () => {
    if (env.api.loggingLevel === 'OFF' && !env.api.dataTrace) return checks.report('skip', 'API Gateway logging', 'execution logging is off: no account role needed');
    const role = await apiGatewayCloudWatchRoleArn(clients);
    if (role) return checks.report('pass', 'API Gateway logging', `account CloudWatch role ${role}`);
    throw new OperationError(`API Gateway execution logging is on (${env.api.loggingLevel}), but account ${env.account} has no API Gateway CloudWatch role in ${env.region}`, {
      code: 'apigateway-role-missing',
      hint: KNOWN_CAUSES.find((c) => c.lesson === 19)?.hint,
    });
  });

  return { checks: checks.records, failure: checks.failure, awsChecked: true, identity, stack, condition };
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
