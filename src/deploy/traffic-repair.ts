/**
 * After a failed deploy of a blue-green, canary or linear environment: put the production rule's traffic back on
 * the target group that holds the service's healthy tasks, when CloudFormation's rollback moved it off them.
 *
 * Why this is needed. The template carries the production rule's weights as ECS last left them
 * (traffic-checks.ts), so that an infrastructure change never moves traffic back. But CloudFormation's rollback
 * restores the weights of the PREVIOUS template, which recorded them as they were before the previous release
 * shifted them: release A lands in the alternate group while its template still says primary 100; release B
 * writes alternate 100; B fails (an alarm rolls it back, or any resource fails) and the rollback writes primary
 * 100 again, where no task runs. Every request then fails.
 *
 * The design chosen: repair after the rollback, from the truth (ELB's target health), rather than
 *  - syncing the recorded weights first with an extra stack update before every release: it doubles every
 *    deploy's CloudFormation time, and that update can itself fail and roll back the same way;
 *  - leaving the weights out of the template: CloudFormation would then write the construct's 100/0 whenever it
 *    replaces or updates the rule for any other reason.
 * The repair is narrow so that it can never make things worse: it changes the rule only when all its traffic
 * goes to target groups with no healthy target AND exactly one of the stack's two groups has healthy targets;
 * then that group gets all of it (ModifyRule, the only write). Traffic split between both groups means ECS is
 * shifting it (a deployment the rollback started): left alone, and reported. Anything else unclear is reported,
 * never guessed. `tapctl status` shows the same condition (sections/targets.ts).
 */
import type { AwsClients } from '../aws/clients.js';
import { forwardAllTo, healthyTargets, isSplit, readLiveTraffic } from '../aws/traffic.js';
import { isTapctlError } from '../cli/errors.js';
import { deploymentOf } from '../config/deployment.js';
import type { ResolvedEnvironment } from '../config/resolve.js';

export interface TrafficRepair {
  /** restored: tapctl moved the traffic; stranded: traffic on a group without healthy tasks, left (why in message); unknown: not read. */
  readonly action: 'restored' | 'stranded' | 'unknown';
  /** One sentence for deploy's failure message. */
  readonly message: string;
  readonly from?: string;
  readonly to?: string;
  /** Healthy targets per target group name, as read. */
  readonly healthy?: Readonly<Record<string, number>>;
}

/**
 * Reads the production rule and the health of its target groups; moves the traffic when (and only when) the
 * rule's traffic is all on groups with no healthy target and one of the stack's groups has some. Undefined when
 * nothing needs doing (the traffic is on healthy tasks, or the environment has no production rule).
 * Never throws for an AWS failure: that is `unknown`, said in the deploy's failure.
 */
export async function repairTrafficAfterRollback(clients: AwsClients, env: ResolvedEnvironment): Promise<TrafficRepair | undefined> {
  const plan = deploymentOf(env);
  if (!plan) return undefined;
  const { targetGroup, alternateTargetGroup } = env.names;
  try {
    const live = await readLiveTraffic(clients, { cluster: env.names.ecsCluster, service: env.names.ecsService, targetGroup, alternateTargetGroup });
    if (!live.ruleArn || !live.weights || !live.groups?.length) return undefined;
    const ours = live.groups.filter((g) => g.name === targetGroup || g.name === alternateTargetGroup);
    const health = await healthyTargets(clients, ours.map((g) => g.arn));
    const healthy = Object.fromEntries(ours.map((g) => [g.name, health.get(g.arn) ?? 0]));
    const served = live.groups.filter((g) => g.weight > 0);
    if (served.length > 0 && served.every((g) => (healthy[g.name] ?? 0) > 0)) return undefined;
    const from = served.map((g) => g.name).join(', ') || 'no target group';
    if (isSplit(live.weights)) {
      return { action: 'stranded', from, healthy, message: `the production rule's traffic is split (${targetGroup} ${live.weights.primary}, ${alternateTargetGroup} ${live.weights.alternate}) and a group without healthy tasks has some: ECS is shifting it, so tapctl left it; check tapctl status --env ${env.name}` };
    }
    const withTasks = ours.filter((g) => (healthy[g.name] ?? 0) > 0);
    if (withTasks.length !== 1) {
      return { action: 'stranded', from, healthy, message: `the production rule sends traffic to ${from}, which has no healthy tasks, and ${withTasks.length === 0 ? 'neither target group has any' : 'both target groups have some'}: tapctl left the rule as it is; check tapctl status --env ${env.name}` };
    }
    const to = withTasks[0]!;
    await forwardAllTo(clients, { ruleArn: live.ruleArn, groups: live.groups, ...(live.stickiness ? { stickiness: live.stickiness } : {}) }, to.arn);
    return {
      action: 'restored',
      from,
      to: to.name,
      healthy,
      message: `CloudFormation's rollback had put the production rule's traffic on ${from}, which has no healthy tasks (the weights its previous template recorded); tapctl moved all of it to ${to.name}, where the service's ${healthy[to.name]} healthy ${healthy[to.name] === 1 ? 'task runs' : 'tasks run'}`,
    };
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    return { action: 'unknown', message: `tapctl could not check that the production rule's traffic is on the target group with healthy tasks (${e.message}): check tapctl status --env ${env.name}` };
  }
}
