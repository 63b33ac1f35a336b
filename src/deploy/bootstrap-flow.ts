/**
 * `tapctl bootstrap`: CDK bootstrap of the environment's account and region, with live progress, then the account
 * singletons the environment needs (account-singletons.ts): created once, owned by no environment; with --ci, the
 * CI's OIDC provider and the environment's CI roles (src/ci/bootstrap-ci.ts).
 */
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, OperationError, RefusedError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { assertAccount, callerIdentity } from '../aws/identity.js';
import { readStackAfter } from '../aws/stack.js';
import { awsFailureIn, explainFailure, rootCause } from './failure.js';
import { ProgressRenderer } from './progress.js';
import { finishStream, type BootstrapResult } from './results.js';
import { ToolkitIoHost } from './toolkit-io.js';
import { interruptible, withToolkit } from './toolkit-session.js';
import type { CiIdentity } from '../ci/identity.js';

export interface BootstrapCiRequest {
  readonly identity: CiIdentity;
  readonly previews: boolean;
  readonly replaceTrust?: boolean;
}

/** toolkit-lib's default name for the bootstrap stack. */
const TOOLKIT_STACK = 'CDKToolkit';

export async function runBootstrap(ctx: CommandContext, ci?: BootstrapCiRequest): Promise<BootstrapResult | undefined> {
  // CI roles let a pipeline act in the account: approved like a deploy, and refused at once when nobody can approve.
  if (ci && !ctx.globals.yes && !ctx.interactive) {
    throw new RefusedError('bootstrap --ci creates IAM roles a CI pipeline can assume: that needs approval, and there is no terminal to ask; nothing was checked or changed', {
      hint: 'review what it creates (README "CI pipelines"), then approve it with --yes',
    });
  }
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  const ciInput = ci ? { ...ci, environments: loaded.environments } : undefined;
  if (ciInput) (await import('../ci/bootstrap-ci.js')).checkCiInput(env, ciInput);
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));
  // Bootstrapping creates roles and a bucket: only in the environment's own account.
  assertAccount(await callerIdentity(clients), env);
  // A change of who the roles trust is refused before anything is changed (the CDK bootstrap included).
  const previousTrust = ciInput ? await (await import('../ci/bootstrap-ci.js')).checkTrustChange(ctx, clients, env, ciInput) : undefined;
  if (ctx.signal.aborted) throw new InterruptedError('interrupted; nothing was changed');

  const what = `bootstrapping account ${env.account} in ${env.region}`;
  ctx.io.info(`${what} (stack ${TOOLKIT_STACK}) ...`);
  const progress = new ProgressRenderer(ctx, 'bootstrapping', TOOLKIT_STACK);
  const ioHost = new ToolkitIoHost(ctx, { progress });
  try {
    const result = await withToolkit(
      ctx,
      env,
      ioHost,
      async (toolkit) => {
        const { BootstrapEnvironments } = await import('@aws-cdk/toolkit-lib');
        const work = toolkit.bootstrap(BootstrapEnvironments.fromList([`aws://${env.account}/${env.region}`]), {});
        return interruptible(ctx, work);
      },
      {
        what,
        whenSilent: () => (progress.monitoring ? `CloudFormation carries on with stack ${TOOLKIT_STACK} without tapctl: run tapctl bootstrap --env ${env.name} again later to see where it stands` : undefined),
      },
    );
    const outcome = result.environments[0];
    const singletons = await accountSingletons(ctx, clients, env);
    const ciResult = ciInput ? await ciRoles(ctx, clients, env, ciInput, previousTrust) : undefined;
    return finishStream<BootstrapResult>(ctx, {
      ok: true,
      environment: env.name,
      account: env.account,
      region: env.region,
      status: outcome?.status === 'no-op' ? 'up-to-date' : 'bootstrapped',
      singletons,
      ...(ciResult ? { ci: ciResult } : {}),
      durationMs: result.duration,
    });
  } catch (e) {
    if (isTapctlError(e)) throw e;
    const aws = rootCause(progress.events) ? undefined : awsFailureIn(e, what);
    if (aws) throw aws;
    const stackAfter = await readStackAfter(clients, TOOLKIT_STACK);
    throw explainFailure({ operation: 'bootstrap', stackName: TOOLKIT_STACK, envName: env.name, region: env.region, events: progress.events, error: e, stackAfter }).error;
  }
}

/** The singletons the environment needs, each made sure of; one line per change. */
async function accountSingletons(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment): Promise<BootstrapResult['singletons']> {
  const { ensureSingletons } = await import('./account-singletons.js');
  let done;
  try {
    done = await ensureSingletons(clients, env, {}, (why) => ctx.io.debug(why));
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    throw new OperationError(`CDK bootstrap of ${env.account}/${env.region} is done, but an account-wide resource the environment needs is not: ${e.message}`, { code: e.code, hint: e.hint, cause: e });
  }
  for (const d of done) if (d.status !== 'present') ctx.io.info(`${d.what}: ${d.status}: ${d.detail}`);
  return done.map((d) => ({ id: d.id, what: d.what, status: d.status, detail: d.detail }));
}

/** The CI part, after the CDK bootstrap it builds on: a failure says that the CDK bootstrap itself is done. */
async function ciRoles(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment, input: Parameters<typeof import('../ci/bootstrap-ci.js').bootstrapCi>[3], previousTrust: Parameters<typeof import('../ci/bootstrap-ci.js').bootstrapCi>[4]): Promise<BootstrapResult['ci']> {
  const { bootstrapCi, previewAccountWarning, productionEnvironmentWarning, sharedAccountWarning } = await import('../ci/bootstrap-ci.js');
  const shared = sharedAccountWarning(env, input.environments);
  if (shared) ctx.io.warn(shared);
  const production = productionEnvironmentWarning(env, input.identity);
  if (production) ctx.io.warn(production);
  const previews = input.previews ? previewAccountWarning(env, input.environments) : undefined;
  if (previews) ctx.io.warn(previews);
  try {
    return await bootstrapCi(ctx, clients, env, input, previousTrust);
  } catch (e) {
    if (!isTapctlError(e) || e instanceof InterruptedError || e instanceof RefusedError) throw e;
    throw new OperationError(`CDK bootstrap of ${env.account}/${env.region} is done, but the CI roles of '${env.name}' are not: ${e.message}`, { code: e.code, hint: e.hint, cause: e, details: e.details });
  }
}
