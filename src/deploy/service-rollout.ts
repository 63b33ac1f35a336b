/**
 * deploy's (and so push-image --deploy's and rollback's) side of a blue-green, canary or linear rollout: it
 * follows ECS's service deployment while CloudFormation works, shows each stage as it comes (traffic shifted,
 * bake time left), and gives ECS's verdict once CloudFormation is done (aws/service-deployment.ts). A rolling
 * environment is judged as before (the circuit breaker, CloudFormation and aws/ecs-rollout.ts): nothing here.
 *
 * It starts when the change is approved (ECS deployments created before that are not this release's) and runs
 * beside CloudFormation: whether CloudFormation's update of the service waits through the bake time or returns
 * earlier, the verdict is ECS's. When CloudFormation fails, one more read says whether ECS rolled the release back
 * (and which alarm made it), which is then the failure reported.
 */
import type { AwsClients } from '../aws/clients.js';
import {
  describeStage,
  latestServiceDeployment,
  latestServiceDeploymentArn,
  verdictOf,
  waitForServiceDeployment,
  type ServiceDeploymentStage,
  type ServiceDeploymentTiming,
  type ServiceDeploymentVerdict,
} from '../aws/service-deployment.js';
import type { CommandContext } from '../cli/context.js';
import { deploymentOf, waitingSteps } from '../config/deployment.js';
import type { ResolvedEnvironment } from '../config/resolve.js';

/** The plan's timing, for the stuck-stage bound and the bake time left; undefined for rolling or no service. */
export function rolloutTiming(env: ResolvedEnvironment): ServiceDeploymentTiming | undefined {
  const plan = deploymentOf(env);
  if (!plan || plan.strategy === 'rolling') return undefined;
  return { bakeMinutes: plan.bakeMinutes, stepMinutes: plan.canary?.waitMinutes ?? plan.linear?.intervalMinutes ?? 0, steps: waitingSteps(plan) };
}

export interface FollowOptions {
  readonly pollMs: number;
  readonly graceMs?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

/** Progress for a person (a waiting line per poll) and for --json (a `rollout` event per change of stage). */
export function reportStage(ctx: CommandContext, since: number): (s: ServiceDeploymentStage) => void {
  let last = '';
  return (s) => {
    const text = describeStage(s);
    ctx.io.waiting(`rollout: ${text}`, Date.now() - since);
    const key = `${s.status}|${s.stage ?? ''}|${s.percent ?? ''}`;
    if (key === last) return;
    last = key;
    ctx.io.event({ type: 'rollout', status: s.status, ...(s.stage ? { stage: s.stage } : {}), ...(s.percent !== undefined ? { percent: s.percent } : {}), ...(s.bakeLeftMs !== undefined ? { bakeLeftSeconds: Math.round(s.bakeLeftMs / 1000) } : {}), ...(s.arn ? { serviceDeployment: s.arn } : {}) });
  };
}

/**
 * Follows the service deployment of one release in the background from `start()`. `verdict()` waits for ECS's
 * verdict (throws `rollout-failed` naming the alarms, `rollout-stuck`); `settle()` stops following and reads the
 * deployment once (after CloudFormation failed).
 */
export class RolloutFollower {
  private running?: Promise<ServiceDeploymentVerdict>;
  private since?: Date;
  private readonly stop = new AbortController();

  constructor(
    private readonly ctx: CommandContext,
    private readonly clients: AwsClients,
    private readonly env: ResolvedEnvironment,
    private readonly options: FollowOptions,
  ) {}

  start(): void {
    if (this.running) return;
    const since = (this.since = new Date((this.options.now ?? Date.now)()));
    const signal = AbortSignal.any([this.stop.signal, ...(this.ctx.signal ? [this.ctx.signal] : [])]);
    this.running = waitForServiceDeployment(this.clients, this.where(since), rolloutTiming(this.env), {
      pollMs: this.options.pollMs,
      ...(this.options.graceMs !== undefined ? { graceMs: this.options.graceMs } : {}),
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
      signal,
      onProgress: reportStage(this.ctx, since.getTime()),
    });
    // Read by verdict() or dropped by settle(): never an unhandled rejection in between.
    this.running.catch(() => undefined);
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /**
   * ECS's verdict on the release, once CloudFormation's update completed. Undefined when ECS started no service
   * deployment since the approval: ECS creates it as CloudFormation updates the service, so none by now means the
   * change started none (a desired count, say), and there is nothing to wait for.
   */
  async verdict(): Promise<ServiceDeploymentVerdict | undefined> {
    if (!this.running || !this.since) this.start();
    if (!(await latestServiceDeploymentArn(this.clients, this.where(this.since!)))) {
      this.cancel();
      return undefined;
    }
    return this.running!;
  }

  /** Stops following; ECS's verdict if the deployment has one now (one read), else undefined. */
  async settle(): Promise<ServiceDeploymentVerdict | undefined> {
    this.stop.abort();
    if (!this.since) return undefined;
    await this.running?.catch(() => undefined);
    const sd = await latestServiceDeployment(this.clients, this.where(this.since)).catch(() => undefined);
    if (!sd) return undefined;
    // CloudFormation may report the failure while ECS is still moving the traffic back: that is the verdict already.
    if (sd.status === 'ROLLBACK_REQUESTED' || sd.status === 'ROLLBACK_IN_PROGRESS') {
      return verdictOf({ ...sd, status: 'ROLLBACK_SUCCESSFUL' });
    }
    return verdictOf(sd);
  }

  /** Stops following without another read (nothing to judge: no change, or the deploy failed before ECS). */
  cancel(): void {
    this.stop.abort();
  }

  private where(since: Date) {
    return { cluster: this.env.names.ecsCluster, service: this.env.names.ecsService, since };
  }
}
