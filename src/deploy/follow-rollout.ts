/**
 * Following ECS onto a new task definition after CloudFormation finished, with progress lines a CI log can show:
 * push-image --deploy and rollback both wait here, so both say the same thing in the same words.
 */
import type { AwsClients } from '../aws/clients.js';
import type { RolloutResult, RolloutTarget, RolloutWaitOptions } from '../aws/ecs-rollout.js';
import type { CommandContext } from '../cli/context.js';
import type { ResolvedEnvironment } from '../config/resolve.js';

/**
 * Waits until the environment's service runs `target` (ecs-rollout.ts's verdict), writing each poll as a waiting line.
 *
 * @param since when the deploy started: earlier events and stopped tasks are not this rollout's.
 * @throws OperationError `rollout-failed` / `rollout-timeout`; InterruptedError on Ctrl-C (the command's signal).
 */
export async function followServiceRollout(
  ctx: CommandContext,
  clients: AwsClients,
  env: ResolvedEnvironment,
  target: Pick<RolloutTarget, 'taskDefinitionArn' | 'image'>,
  since: Date,
  options: Pick<RolloutWaitOptions, 'pollMs' | 'timeoutMs' | 'maxStoppedTasks' | 'sleep' | 'now'> = {},
): Promise<RolloutResult> {
  const { waitForRollout } = await import('../aws/ecs-rollout.js');
  const waitStarted = Date.now();
  return waitForRollout(clients, { cluster: env.names.ecsCluster, service: env.names.ecsService, ...target }, {
    ...options,
    since,
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.io.waiting(
        p.onTarget ? `rollout ${(p.rolloutState ?? 'in progress').toLowerCase()}: ${p.running}/${p.desired} running, ${p.pending} pending` : 'waiting for the service to start the task definition',
        Date.now() - waitStarted,
      ),
  });
}
