/**
 * push-image --deploy's wait for ECS: the service deployment's final state is the release's verdict (healthy, or
 * failed when the circuit breaker rolls it back). CloudFormation has finished by now and deploy recorded the
 * release deployed, so an interrupted wait (Ctrl-C, a CI time-out) says what the ledger tells the next deploy;
 * a CI log gets progress lines (IoHost.waiting), not silence.
 */
import type { AwsClients } from '../aws/clients.js';
import type { RolloutResult, RolloutWaitOptions } from '../aws/ecs-rollout.js';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, OperationError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { PushRecord } from '../release/push-record.js';
import type { ReleaseRef } from '../release/record.js';

export interface PushedRolloutInput {
  readonly clients: AwsClients;
  readonly env: ResolvedEnvironment;
  readonly published: { readonly repositoryUri: string; readonly digest: string; readonly tag: string };
  /** The release push-image recorded. */
  readonly release: ReleaseRef;
  readonly ledger: PushRecord;
  /** When the deploy started: earlier events and stopped tasks are not this rollout's. */
  readonly since: Date;
  /** What deploy reported, when it read the task definition the stack runs. */
  readonly taskDefinitionArn?: unknown;
  readonly rolloutWait: Pick<RolloutWaitOptions, 'pollMs' | 'timeoutMs' | 'maxStoppedTasks' | 'sleep' | 'now'>;
}

export async function waitForPushedRollout(ctx: CommandContext, i: PushedRolloutInput): Promise<{ release: ReleaseRef; rollout: RolloutResult }> {
  const { clients, env, published, release, ledger, since, taskDefinitionArn } = i;
  const { followServiceRollout } = await import('../deploy/follow-rollout.js');
  ctx.io.info(`waiting for ${env.names.ecsService} to run the new image ...`);
  let rollout: RolloutResult;
  try {
    rollout = await followServiceRollout(
      ctx,
      clients,
      env,
      {
        ...(typeof taskDefinitionArn === 'string' ? { taskDefinitionArn } : {}),
        image: { repositoryUri: published.repositoryUri, digest: published.digest, tag: published.tag },
      },
      since,
      i.rolloutWait,
    );
  } catch (e) {
    // CloudFormation finished (deploy recorded it): the ledger already names this release as current.
    if (e instanceof InterruptedError) {
      throw new InterruptedError(`${e.message}; the release ledger records release ${release.id} (${published.tag}) as current: the next tapctl deploy runs it`, { ...(e.hint ? { hint: e.hint } : {}), cause: e });
    }
    if (e instanceof OperationError && e.code === 'rollout-failed') {
      await ledger.verdict('failed', undefined, 'failed').catch((x: unknown) => ctx.io.warn(`the release ledger could not record the failure: ${(x as Error).message}`));
    }
    throw e;
  }
  return { release: await ledger.verdict('deployed', rollout.taskDefinitionArn, 'healthy'), rollout };
}
