/**
 * `secrets set --deploy`: a new deployment of the service with the same task definition (UpdateService with
 * forceNewDeployment), so that its tasks start again and read the secret's new value; done when the rollout
 * completed and no running task started before the secret changed. The rollout's verdict and its failure
 * explanation are ecs-rollout.ts's, as for push-image --deploy.
 */
import type { AwsClients } from '../aws/clients.js';
import { abortableSleep } from '../aws/ecr-scan.js';
import { explainAwsError } from '../aws/errors.js';
import { InterruptedError, OperationError } from '../cli/errors.js';
import { staleTasks } from './stale-tasks.js';
import { loadSdk } from '../aws/sdk.js';

export interface RollResult {
  readonly taskDefinitionArn: string;
  readonly runningCount: number;
  readonly elapsedMs: number;
  /** When the last task holding an older value was gone. */
  readonly noStaleTaskAt: string;
}

export interface RollOptions {
  readonly pollMs: number;
  readonly signal?: AbortSignal;
  /** Default 15 minutes. */
  readonly timeoutMs?: number;
  readonly onProgress?: (text: string) => void;
}

export async function rollService(clients: AwsClients, target: { cluster: string; service: string }, changedAt: Date, options: RollOptions): Promise<RollResult> {
  const { UpdateServiceCommand } = await loadSdk('@aws-sdk/client-ecs');
  const started = Date.now();
  let taskDefinitionArn: string | undefined;
  try {
    const out = await (await clients.ecs()).send(new UpdateServiceCommand({ cluster: target.cluster, service: target.service, forceNewDeployment: true }));
    taskDefinitionArn = out.service?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? out.service?.taskDefinition;
  } catch (e) {
    throw explainAwsError(e, `starting a new deployment of ${target.service}`);
  }
  if (!taskDefinitionArn) throw new OperationError(`ECS service ${target.service} has no task definition to roll`, { code: 'rollout-failed' });
  const { waitForRollout } = await import('../aws/ecs-rollout.js');
  const rollout = await waitForRollout(clients, { ...target, taskDefinitionArn }, {
    pollMs: options.pollMs,
    since: new Date(started),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    onProgress: (p) => options.onProgress?.(`rollout ${(p.rolloutState ?? 'in progress').toLowerCase()}: ${p.running}/${p.desired} running`),
  });
  // The old tasks stop once the new ones are healthy; wait until none of them runs.
  const deadline = started + (options.timeoutMs ?? 15 * 60_000);
  for (;;) {
    const stale = await staleTasks(clients, target.cluster, target.service, changedAt);
    if (stale.length === 0) return { taskDefinitionArn, runningCount: rollout.runningCount, elapsedMs: Date.now() - started, noStaleTaskAt: new Date().toISOString() };
    if (options.signal?.aborted) throw new InterruptedError(`interrupted while ${stale.length} task(s) still run the old value; the rollout goes on in ECS`);
    if (Date.now() >= deadline) {
      throw new OperationError(`the rollout of ${target.service} completed, but ${stale.length} task(s) started before the secret changed still run: ${stale.map((t) => t.taskId).join(', ')}`, {
        code: 'rollout-timeout',
        hint: `aws ecs describe-tasks --cluster ${target.cluster} --tasks ${stale[0].taskId}`,
      });
    }
    options.onProgress?.(`${stale.length} task(s) with the old value still running`);
    await abortableSleep(options.pollMs, options.signal);
  }
}
