/**
 * Following a blue-green, canary or linear deployment of an ECS service to its verdict, from ECS's own record of
 * it: the service deployment (ListServiceDeployments / DescribeServiceDeployments). The circuit breaker judges
 * rolling updates only (aws/ecs-rollout.ts); these strategies are judged by their alarms, and the service
 * deployment's status says how that ended
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html):
 *
 * - SUCCESSFUL: the new revision serves all production traffic and the bake time passed;
 * - ROLLBACK_REQUESTED / ROLLBACK_IN_PROGRESS / ROLLBACK_SUCCESSFUL / ROLLBACK_FAILED: ECS moved the traffic back,
 *   because an alarm fired (`alarms.triggeredAlarmNames`) or the circuit breaker tripped (`rollback.reason`);
 * - STOP_REQUESTED / STOPPED: it was stopped (StopServiceDeployment with ABORT), or a newer deployment replaced it.
 *   A stop with ROLLBACK (StopServiceDeployment's other type) ends as a rollback, without alarms.
 *
 * Progress is the lifecycle stage (SCALE_UP, PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, ...), the share of production
 * traffic the new revision was given (`targetServiceRevision.requestedProductionTrafficWeight`) and, while it
 * bakes, the time left. A stage that does not move for longer than the plan allows it (its steps or bake time,
 * plus a grace) is reported as stuck: exit 1, the deployment goes on in ECS and nothing is claimed of it.
 *
 * Poll interval, clock and sleep are injectable for tests; no call here waits on a real clock in tests.
 */
import type { ServiceDeployment } from '@aws-sdk/client-ecs';
import { InterruptedError, OperationError } from '../cli/errors.js';
import type { AwsClients } from './clients.js';
import { abortableSleep } from './ecr-scan.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface ServiceDeploymentTarget {
  readonly cluster: string;
  readonly service: string;
  /** Only service deployments created at or after this time are this release's (the deploy's start). */
  readonly since: Date;
}

/** How long each stage may take, from the environment's deployment plan (config/deployment.ts). */
export interface ServiceDeploymentTiming {
  /** Bake time, whole minutes. */
  readonly bakeMinutes: number;
  /** Wait after each production traffic shift (canary wait, linear interval), whole minutes. */
  readonly stepMinutes: number;
  /** How many shifts are followed by that wait (config/deployment.ts waitingSteps). */
  readonly steps: number;
}

export interface ServiceDeploymentWaitOptions {
  /** Default 15 s. */
  readonly pollMs?: number;
  /** Added to what the plan allows a stage before it is called stuck. Default 15 minutes. */
  readonly graceMs?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  /** Called after every read of the deployment (and once per poll while none has appeared yet). */
  readonly onProgress?: (stage: ServiceDeploymentStage) => void;
}

/** Where a service deployment is now. */
export interface ServiceDeploymentStage {
  /** undefined until ECS has created the deployment. */
  readonly arn?: string;
  /** ECS's status (IN_PROGRESS, ROLLBACK_IN_PROGRESS, ...) or `WAITING` before the deployment exists. */
  readonly status: string;
  /** ECS's lifecycle stage (PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, ...). */
  readonly stage?: string;
  /** Percent of production traffic the new revision has been given (0-100), when ECS says. */
  readonly percent?: number;
  /** While the stage is BAKE_TIME: about how long is left, in ms. */
  readonly bakeLeftMs?: number;
  readonly running?: number;
  readonly requested?: number;
}

export type ServiceDeploymentOutcome = 'succeeded' | 'rolled-back' | 'rollback-failed' | 'stopped';

export interface ServiceDeploymentVerdict {
  readonly outcome: ServiceDeploymentOutcome;
  readonly arn: string;
  /** The alarms that fired during it (what rolled it back), by name; empty when none did. */
  readonly alarms: readonly string[];
  /** ECS's reason (the rollback's, or the status reason), when it gives one. */
  readonly reason?: string;
}

const TERMINAL: Readonly<Record<string, ServiceDeploymentOutcome>> = {
  SUCCESSFUL: 'succeeded',
  ROLLBACK_SUCCESSFUL: 'rolled-back',
  ROLLBACK_FAILED: 'rollback-failed',
  STOPPED: 'stopped',
};

/** The verdict of a finished service deployment; undefined while it runs (or rolls back, or stops). */
export function verdictOf(sd: ServiceDeployment): ServiceDeploymentVerdict | undefined {
  const outcome = sd.status ? TERMINAL[sd.status] : undefined;
  if (!outcome) return undefined;
  const reason = sd.rollback?.reason ?? sd.statusReason;
  return { outcome, arn: sd.serviceDeploymentArn ?? '', alarms: triggeredAlarms(sd), ...(reason ? { reason } : {}) };
}

/** ECS documents the names as a list that may hold "a,b" strings: split them. */
function triggeredAlarms(sd: ServiceDeployment): string[] {
  return [...new Set((sd.alarms?.triggeredAlarmNames ?? []).flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean))];
}

/** One line for a person: `canary: 5% of production traffic shifted (production_traffic_shift)`. */
export function describeStage(s: ServiceDeploymentStage): string {
  if (!s.arn) return 'waiting for ECS to start the service deployment';
  const stage = s.stage ? s.stage.toLowerCase().replace(/_/g, ' ') : s.status.toLowerCase().replace(/_/g, ' ');
  const parts = [stage];
  if (s.percent !== undefined) parts.push(`${s.percent}% of production traffic on the new release`);
  if (s.bakeLeftMs !== undefined) parts.push(`bake time about ${Math.max(1, Math.ceil(s.bakeLeftMs / 60_000))}m left`);
  if (s.requested !== undefined) parts.push(`${s.running ?? 0}/${s.requested} new tasks running`);
  if (s.status.startsWith('ROLLBACK')) parts.unshift('rolling back');
  if (s.status === 'STOP_REQUESTED') parts.unshift('stopping');
  return parts.join(', ');
}

/**
 * The newest service deployment of the service created at or after `since` (ListServiceDeployments, then
 * DescribeServiceDeployments), or undefined when ECS has none. @throws TapctlError when ECS cannot be read.
 */
export async function latestServiceDeployment(clients: AwsClients, target: ServiceDeploymentTarget): Promise<ServiceDeployment | undefined> {
  const arn = await latestServiceDeploymentArn(clients, target);
  if (!arn) return undefined;
  const sdk = await loadSdk('@aws-sdk/client-ecs');
  try {
    const out = await (await clients.ecs()).send(new sdk.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
    return out.serviceDeployments?.[0];
  } catch (e) {
    throw explainAwsError(e, `reading the service deployments of ${target.service}`);
  }
}

/** The ARN of the newest service deployment created at or after `since` (one ListServiceDeployments), if any. */
export async function latestServiceDeploymentArn(clients: AwsClients, target: ServiceDeploymentTarget): Promise<string | undefined> {
  const sdk = await loadSdk('@aws-sdk/client-ecs');
  try {
    const briefs =
      (await (await clients.ecs()).send(new sdk.ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, createdAt: { after: target.since } }))).serviceDeployments ?? [];
    const time = (d: { createdAt?: Date; startedAt?: Date }) => (d.createdAt ?? d.startedAt)?.getTime() ?? 0;
    return briefs.filter((b) => b.serviceDeploymentArn && time(b) >= target.since.getTime()).sort((a, b) => time(b) - time(a))[0]?.serviceDeploymentArn;
  } catch (e) {
    throw explainAwsError(e, `listing the service deployments of ${target.service}`);
  }
}

/** The in-progress service deployment of the service, if one runs now (for status: no waiting, no `since`). */
export async function activeServiceDeployment(clients: AwsClients, where: { cluster: string; service: string }): Promise<ServiceDeployment | undefined> {
  const sdk = await loadSdk('@aws-sdk/client-ecs');
  const ecs = await clients.ecs();
  try {
    const briefs =
      (await ecs.send(new sdk.ListServiceDeploymentsCommand({ cluster: where.cluster, service: where.service, status: ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'] })))
        .serviceDeployments ?? [];
    const arn = briefs.find((b) => b.serviceDeploymentArn)?.serviceDeploymentArn;
    if (!arn) return undefined;
    return (await ecs.send(new sdk.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments?.[0];
  } catch (e) {
    throw explainAwsError(e, `reading the service deployments of ${where.service}`);
  }
}

/** Where `sd` is; `stageSince` is when its current stage was first seen (for the bake time left). */
export function stageOf(sd: ServiceDeployment, timing: ServiceDeploymentTiming | undefined, stageSince: number, now: number): ServiceDeploymentStage {
  const target = sd.targetServiceRevision;
  const bakeLeftMs = sd.lifecycleStage === 'BAKE_TIME' && timing ? Math.max(0, timing.bakeMinutes * 60_000 - (now - stageSince)) : undefined;
  return {
    ...(sd.serviceDeploymentArn ? { arn: sd.serviceDeploymentArn } : {}),
    status: sd.status ?? 'PENDING',
    ...(sd.lifecycleStage ? { stage: sd.lifecycleStage } : {}),
    ...(target?.requestedProductionTrafficWeight !== undefined ? { percent: target.requestedProductionTrafficWeight } : {}),
    ...(bakeLeftMs !== undefined ? { bakeLeftMs } : {}),
    ...(target?.requestedTaskCount !== undefined ? { requested: target.requestedTaskCount, running: target.runningTaskCount ?? 0 } : {}),
  };
}

/** What the plan allows a stage, in ms (before the grace): the traffic shifts' waits, or the bake time. */
function stageBudgetMs(stage: string | undefined, timing: ServiceDeploymentTiming | undefined): number {
  if (!timing) return 0;
  if (stage === 'PRODUCTION_TRAFFIC_SHIFT') return timing.stepMinutes * timing.steps * 60_000;
  if (stage === 'BAKE_TIME') return timing.bakeMinutes * 60_000;
  return 0;
}

export interface ServiceDeploymentFailureDetails {
  readonly cluster: string;
  readonly service: string;
  readonly serviceDeployment?: string;
  readonly outcome?: ServiceDeploymentOutcome;
  readonly alarms: readonly string[];
  readonly stage?: string;
}

/** The exit-1 error for a verdict other than `succeeded` (code `rollout-failed`, the alarms in details). */
export function verdictError(target: Pick<ServiceDeploymentTarget, 'cluster' | 'service'>, v: ServiceDeploymentVerdict): OperationError {
  const alarms = v.alarms.length ? `${v.alarms.length === 1 ? 'alarm' : 'alarms'} ${v.alarms.join(', ')}` : undefined;
  const why = v.reason ? ` (${v.reason})` : '';
  const message =
    v.outcome === 'stopped'
      ? `the rollout of ${target.service} was stopped before it finished${why}: someone stopped it, or a newer deployment of the service replaced it (tapctl status shows what runs)`
      : v.outcome === 'rollback-failed'
        ? `the rollout of ${target.service} failed${alarms ? ` (${alarms} fired)` : ''} and ECS could not roll it back${why}: the service may be serving both releases`
        : `the rollout of ${target.service} was rolled back by ECS${alarms ? `: ${alarms} fired` : ''}${why}; the previous release serves all traffic again`;
  const details: ServiceDeploymentFailureDetails = { cluster: target.cluster, service: target.service, serviceDeployment: v.arn, outcome: v.outcome, alarms: v.alarms };
  return new OperationError(message, {
    code: 'rollout-failed',
    hint: `${alarms ? `see why ${v.alarms.length === 1 ? 'it' : 'they'} fired (tapctl status, tapctl logs) and ` : ''}aws ecs describe-service-deployments --service-deployment-arns ${v.arn}`,
    details,
  });
}

/**
 * Polls until the service deployment created since `target.since` finishes. Returns the verdict when it
 * succeeded; throws OperationError `rollout-failed` (exit 1, naming the alarms that fired) when ECS rolled it
 * back or it was stopped, `rollout-stuck` when a stage outlasts the plan (or no deployment appears within the
 * grace), InterruptedError on the signal. @throws TapctlError when ECS cannot be read.
 */
export async function waitForServiceDeployment(
  clients: AwsClients,
  target: ServiceDeploymentTarget,
  timing: ServiceDeploymentTiming | undefined,
  options: ServiceDeploymentWaitOptions = {},
): Promise<ServiceDeploymentVerdict> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const graceMs = options.graceMs ?? 15 * 60_000;
  const started = now();
  let seen: { key: string; at: number } | undefined;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError(`interrupted while following the deployment of ${target.service}; it goes on in ECS`);
    const sd = await latestServiceDeployment(clients, target);
    const t = now();
    if (!sd) {
      options.onProgress?.({ status: 'WAITING' });
      if (t - started > graceMs) {
        throw new OperationError(`ECS started no service deployment of ${target.service} within ${Math.round((t - started) / 60_000)}m`, {
          code: 'rollout-stuck',
          hint: `aws ecs list-service-deployments --cluster ${target.cluster} --service ${target.service}`,
          details: { cluster: target.cluster, service: target.service, alarms: [] } satisfies ServiceDeploymentFailureDetails,
        });
      }
    } else {
      const verdict = verdictOf(sd);
      if (verdict) {
        if (verdict.outcome === 'succeeded') return verdict;
        throw verdictError(target, verdict);
      }
      // A stage is the same while its status, stage and traffic share are; each change restarts its clock.
      const key = `${sd.status}|${sd.lifecycleStage ?? ''}|${sd.targetServiceRevision?.requestedProductionTrafficWeight ?? ''}`;
      if (seen?.key !== key) seen = { key, at: t };
      const stage = stageOf(sd, timing, seen.at, t);
      options.onProgress?.(stage);
      const allowed = stageBudgetMs(sd.lifecycleStage, timing) + graceMs;
      if (t - seen.at > allowed) {
        throw new OperationError(`the rollout of ${target.service} is stuck: ${describeStage(stage)} for ${Math.round((t - seen.at) / 60_000)}m, longer than its plan allows`, {
          code: 'rollout-stuck',
          hint: `it goes on in ECS: see aws ecs describe-service-deployments --service-deployment-arns ${sd.serviceDeploymentArn ?? ''} and the service's events (tapctl status); stop it with aws ecs stop-service-deployment`,
          details: { cluster: target.cluster, service: target.service, ...(sd.serviceDeploymentArn ? { serviceDeployment: sd.serviceDeploymentArn } : {}), alarms: triggeredAlarms(sd), ...(sd.lifecycleStage ? { stage: sd.lifecycleStage } : {}) } satisfies ServiceDeploymentFailureDetails,
        });
      }
    }
    await sleep(options.pollMs ?? 15_000, options.signal);
  }
}
