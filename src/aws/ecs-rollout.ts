/**
 * Waiting for an ECS service to run a new task definition, after deploy (or a hotswap) put it there.
 *
 * Done when the PRIMARY deployment runs the target task definition, its rolloutState is COMPLETED and
 * runningCount == desiredCount. Failed (exit 1, with the stopped tasks' reasons, the newest one's last log lines
 * (src/ecs/stopped-task.ts) and the last service events)
 * when the deployment circuit breaker marks it FAILED or rolls it back, when tasks of the new definition keep
 * stopping, or when the bounded wait runs out. Poll interval, timeout and clock are injectable for tests.
 */
import type { Deployment, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs';
import { InterruptedError, OperationError } from '../cli/errors.js';
import { describeStopped, explainStoppedTask, stoppedTaskLines, type StoppedTask } from '../ecs/stopped-task.js';
import { CONTAINER_NAME } from '../infra/image-placeholder.js';
import type { AwsClients } from './clients.js';
import { abortableSleep } from './ecr-scan.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';
import { byCodeUnit } from '../cli/plain-text.js';

export interface RolloutTarget {
  readonly cluster: string;
  readonly service: string;
  /** The task definition the service must end on, when known. */
  readonly taskDefinitionArn?: string;
  /** Otherwise: the task definition whose containers run this image (`repositoryUri@digest` or `:tag`). */
  readonly image?: { readonly repositoryUri: string; readonly digest?: string; readonly tag?: string };
}

export interface RolloutWaitOptions {
  /** Default 10 s. */
  readonly pollMs?: number;
  /** Default 15 minutes. */
  readonly timeoutMs?: number;
  /** Stopped tasks of the new definition that mean "they keep stopping". Default 3. */
  readonly maxStoppedTasks?: number;
  /** Only events and stopped tasks after this count (default: when the wait starts). */
  readonly since?: Date;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly onProgress?: (progress: RolloutProgress) => void;
}

export interface RolloutProgress {
  readonly onTarget: boolean;
  readonly rolloutState?: string;
  readonly running: number;
  readonly desired: number;
  readonly pending: number;
}

export interface RolloutResult {
  readonly taskDefinitionArn: string;
  readonly deploymentId?: string;
  readonly runningCount: number;
  readonly desiredCount: number;
  readonly elapsedMs: number;
}

export type { StoppedTask };

export interface RolloutFailureDetails {
  readonly cluster: string;
  readonly service: string;
  readonly stoppedTasks: readonly StoppedTask[];
  readonly events: readonly string[];
}

const EVENTS_SHOWN = 8;
const STOPPED_SHOWN = 5;

export async function waitForRollout(clients: AwsClients, target: RolloutTarget, options: RolloutWaitOptions = {}): Promise<RolloutResult> {
  const ecsSdk = await loadSdk('@aws-sdk/client-ecs');
  const ecs = await clients.ecs();
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const started = now();
  const since = options.since ?? new Date(started);
  const deadline = started + (options.timeoutMs ?? 15 * 60_000);
  const maxStopped = options.maxStoppedTasks ?? 3;
  const imageOf = new Map<string, boolean>();
  let sawTargetPrimary = false;
  let lastService: Service | undefined;

  const isTarget = async (arn: string | undefined): Promise<boolean> => {
    if (!arn) return false;
    if (target.taskDefinitionArn) return arn === target.taskDefinitionArn || familyRevision(arn) === familyRevision(target.taskDefinitionArn);
    if (!target.image) return true;
    if (!imageOf.has(arn)) {
      try {
        const def = (await ecs.send(new ecsSdk.DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition;
        imageOf.set(arn, (def?.containerDefinitions ?? []).some((c) => imageMatches(c.image, target.image!)));
      } catch (e) {
        throw explainAwsError(e, `reading task definition ${arn}`);
      }
    }
    return imageOf.get(arn)!;
  };

  const stoppedTasks = async (): Promise<Array<{ task: Task; stopped: StoppedTask }>> => {
    try {
      const arns =
        (await ecs.send(new ecsSdk.ListTasksCommand({ cluster: target.cluster, serviceName: target.service, desiredStatus: 'STOPPED', maxResults: 100 })))
          .taskArns ?? [];
      if (arns.length === 0) return [];
      const tasks = (await ecs.send(new ecsSdk.DescribeTasksCommand({ cluster: target.cluster, tasks: arns }))).tasks ?? [];
      const out: Array<{ task: Task; stopped: StoppedTask }> = [];
      for (const t of tasks) {
        if (t.stoppedAt && t.stoppedAt.getTime() < since.getTime()) continue;
        if (!(await isTarget(t.taskDefinitionArn))) continue;
        out.push({ task: t, stopped: describeStopped(t) });
      }
      return out.sort((a, b) => byCodeUnit(b.stopped.stoppedAt ?? '', a.stopped.stoppedAt ?? ''));
    } catch (e) {
      if (e instanceof OperationError) throw e;
      throw explainAwsError(e, `listing stopped tasks of ${target.service}`);
    }
  };

  const fail = async (why: string, code: string): Promise<never> => {
    const found = await stoppedTasks().catch(() => []);
    // The newest stopped task also gets its last log lines: the one read of CloudWatch Logs a failure costs.
    const stopped = found.length ? [await explainStoppedTask(clients, found[0].task, { container: CONTAINER_NAME }), ...found.slice(1).map((f) => f.stopped)] : [];
    const events = recentEvents(lastService, since);
    const lines = [`the rollout of ${target.service} ${why}`];
    if (stopped.length) lines.push('stopped tasks:', ...stoppedTaskLines(stopped, STOPPED_SHOWN));
    if (events.length) {
      lines.push('last service events:');
      for (const e of events) lines.push(`  ${e}`);
    }
    const details: RolloutFailureDetails = { cluster: target.cluster, service: target.service, stoppedTasks: stopped, events };
    throw new OperationError(lines.join('\n  '), {
      code,
      hint: `see the task logs (tapctl logs) and: aws ecs describe-services --cluster ${target.cluster} --services ${target.service}`,
      details,
    });
  };

  for (let poll = 0; ; poll++) {
    if (options.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${target.service}; the rollout goes on in ECS`);
    let service: Service | undefined;
    try {
      const out = await ecs.send(new ecsSdk.DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }));
      service = out.services?.[0];
    } catch (e) {
      throw explainAwsError(e, `reading ECS service ${target.service}`);
    }
    if (!service || service.status === 'INACTIVE') {
      throw new OperationError(`ECS service ${target.service} was not found in cluster ${target.cluster}`, { code: 'service-not-found' });
    }
    lastService = service;
    const deployments = service.deployments ?? [];
    const primary = deployments.find((d) => d.status === 'PRIMARY');

    for (const d of deployments) {
      if (d.rolloutState === 'FAILED' && (await isTarget(d.taskDefinition))) {
        await fail(`failed: the deployment circuit breaker stopped it${d.rolloutStateReason ? ` (${d.rolloutStateReason})` : ''}`, 'rollout-failed');
      }
    }

    const onTarget = await isTarget(primary?.taskDefinition);
    if (primary && onTarget) {
      sawTargetPrimary = true;
      if (isComplete(primary)) {
        return {
          taskDefinitionArn: primary.taskDefinition ?? '',
          ...(primary.id ? { deploymentId: primary.id } : {}),
          runningCount: primary.runningCount ?? 0,
          desiredCount: primary.desiredCount ?? 0,
          elapsedMs: now() - started,
        };
      }
    } else if (sawTargetPrimary) {
      await fail('was rolled back: the service went back to its previous task definition', 'rollout-failed');
    }
    if (rolledBackSince(service, since)) {
      await fail('was rolled back by the deployment circuit breaker', 'rollout-failed');
    }

    options.onProgress?.({
      onTarget,
      ...(primary?.rolloutState ? { rolloutState: primary.rolloutState } : {}),
      running: primary?.runningCount ?? 0,
      desired: primary?.desiredCount ?? 0,
      pending: primary?.pendingCount ?? 0,
    });

    // Tasks that start and stop again never complete the rollout; the circuit breaker may need many more to trip.
    if (poll % 2 === 1 || now() >= deadline) {
      const stopped = await stoppedTasks();
      if (stopped.length >= maxStopped) await fail(`failed: ${stopped.length} tasks of the new task definition stopped`, 'rollout-failed');
    }

    if (now() >= deadline) {
      const seconds = Math.round((now() - started) / 1000);
      await fail(
        onTarget
          ? `did not finish within ${seconds}s (${primary?.rolloutState ?? 'no rollout state'}, ${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} tasks running)`
          : `did not start within ${seconds}s: the service's primary deployment never used the new task definition`,
        'rollout-timeout',
      );
    }
    await sleep(options.pollMs ?? 10_000, options.signal);
  }
}

/**
 * One look at the service (one DescribeServices), no waiting: `healthy` when its PRIMARY deployment runs
 * `taskDefinitionArn` to completion now, `failed` when a deployment of it failed, undefined otherwise (still
 * rolling out, another task definition, no such service, or the service could not be read: nothing is claimed).
 */
export async function rolloutVerdictNow(clients: AwsClients, target: { cluster: string; service: string; taskDefinitionArn: string }): Promise<'healthy' | 'failed' | undefined> {
  const ecsSdk = await loadSdk('@aws-sdk/client-ecs');
  let service: Service | undefined;
  try {
    service = (await (await clients.ecs()).send(new ecsSdk.DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }))).services?.[0];
  } catch {
    return undefined;
  }
  const same = (arn: string | undefined) => Boolean(arn && (arn === target.taskDefinitionArn || familyRevision(arn) === familyRevision(target.taskDefinitionArn)));
  const deployments = service?.status === 'ACTIVE' || service?.status === undefined ? (service?.deployments ?? []) : [];
  if (deployments.some((d) => d.rolloutState === 'FAILED' && same(d.taskDefinition))) return 'failed';
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  return primary && same(primary.taskDefinition) && isComplete(primary) && (primary.desiredCount ?? 0) > 0 ? 'healthy' : undefined;
}

function isComplete(d: Deployment): boolean {
  const counts = (d.runningCount ?? 0) === (d.desiredCount ?? 0);
  // Services without rollout states (external deployment controllers) are done when the counts match.
  return counts && (d.rolloutState === undefined || d.rolloutState === 'COMPLETED');
}

/** `.../task-definition/family:12` -> `family:12` (ARN or family:revision). */
function familyRevision(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Whether a container's image is the target: `repo@digest`, or `repo:tag` when no digest is known. */
export function imageMatches(image: string | undefined, target: NonNullable<RolloutTarget['image']>): boolean {
  if (!image) return false;
  const repo = target.repositoryUri;
  if (target.digest && (image === `${repo}@${target.digest}` || image.endsWith(`@${target.digest}`))) return image.startsWith(repo);
  if (target.tag && image === `${repo}:${target.tag}`) return true;
  // `repo:tag@digest` pins both.
  return Boolean(target.digest && target.tag && image === `${repo}:${target.tag}@${target.digest}`);
}

const ROLLBACK_EVENT = /rolling back|circuit breaker|deployment failed/i;

function rolledBackSince(service: Service, since: Date): boolean {
  return (service.events ?? []).some((e) => e.createdAt && e.createdAt.getTime() >= since.getTime() && ROLLBACK_EVENT.test(e.message ?? ''));
}

function recentEvents(service: Service | undefined, since: Date): string[] {
  // Events come newest first; show the newest few, oldest at the top, with a little history before `since`.
  const events: ServiceEvent[] = (service?.events ?? []).filter((e) => !e.createdAt || e.createdAt.getTime() >= since.getTime() - 5 * 60_000);
  return events
    .slice(0, EVENTS_SHOWN)
    .reverse()
    .map((e) => `${e.createdAt ? e.createdAt.toISOString().replace(/\.\d+Z$/, 'Z') : ''} ${e.message ?? ''}`.trim());
}
