/**
 * `tapctl bootstrap`: CDK bootstrap of the environment's account and region, with live progress, then the account
 * singletons the environment needs (account-singletons.ts): created once, owned by no environment.
 */
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, OperationError } from '../cli/errors.js';
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

/** toolkit-lib's default name for the bootstrap stack. */
const TOOLKIT_STACK = 'CDKToolkit';

export async function runBootstrap(ctx: CommandContext): Promise<BootstrapResult | undefined> {
  const env = await selectEnvironment(ctx, await loadProject(ctx));
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));
  // Bootstrapping creates roles and a bucket: only in the environment's own account.
  assertAccount(await callerIdentity(clients), env);
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
    return finishStream<BootstrapResult>(ctx, {
      ok: true,
      environment: env.name,
      account: env.account,
      region: env.region,
      status: outcome?.status === 'no-op' ? 'up-to-date' : 'bootstrapped',
      singletons,
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
  for (const d of done) if (d.status !== 'present') ctx.io.info(`${d.what}: ${d.status} (${d.detail})`);
  return done.map((d) => ({ id: d.id, what: d.what, status: d.status, detail: d.detail }));
}
