/**
 * What the live load balancer and alarms say before a release starts: the production listener rule's weights
 * as ECS last left them (blue-green, canary and linear deployments shift them), and the state of the alarms
 * that would roll the release back.
 *
 * The rule is found through the ECS service itself (DescribeServices: loadBalancers[].advancedConfiguration
 * names the production listener rule), its weights read with DescribeRules, and each target group told apart by
 * the name in its ARN (`arn:...:targetgroup/<name>/<id>`), the naming module's.
 */
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface LiveWeights {
  /** The target group named `names.targetGroup`. */
  readonly primary: number;
  /** The one named `names.alternateTargetGroup`. */
  readonly alternate: number;
}

export interface LiveTraffic {
  /** The production listener rule ECS shifts traffic with, when the service has one. */
  readonly ruleArn?: string;
  /** Its weights by target group; undefined when the service has no production rule (rolling, or none yet). */
  readonly weights?: LiveWeights;
  /** Target groups in the rule that are neither of the stack's two (by name). */
  readonly strangers: readonly string[];
  /** Every target group of the rule's forward action, as ELB answered (ARN, name from the ARN, weight). */
  readonly groups?: ReadonlyArray<{ readonly arn: string; readonly name: string; readonly weight: number }>;
  /** The forward action's stickiness, kept as it is when tapctl rewrites the weights (traffic-repair.ts). */
  readonly stickiness?: { Enabled?: boolean; DurationSeconds?: number };
}

/** `arn:aws:elasticloadbalancing:<r>:<a>:targetgroup/<name>/<id>` -> `<name>`. */
export function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

/**
 * The live production rule of the service and its weights. Nothing (no rule) when the service does not exist or
 * was deployed without an alternate target group. @throws TapctlError when ECS or ELB cannot be read.
 */
export async function readLiveTraffic(clients: AwsClients, where: { cluster: string; service: string; targetGroup: string; alternateTargetGroup: string }): Promise<LiveTraffic> {
  const ecsSdk = await loadSdk('@aws-sdk/client-ecs');
  let ruleArn: string | undefined;
  try {
    const out = await (await clients.ecs()).send(new ecsSdk.DescribeServicesCommand({ cluster: where.cluster, services: [where.service] }));
    const service = out.services?.find((s) => s.status !== 'INACTIVE');
    ruleArn = service?.loadBalancers?.find((lb) => lb.advancedConfiguration?.productionListenerRule)?.advancedConfiguration?.productionListenerRule;
  } catch (e) {
    if ((e as { name?: string }).name === 'ClusterNotFoundException') return { strangers: [] };
    throw explainAwsError(e, `reading ECS service ${where.service}`);
  }
  if (!ruleArn) return { strangers: [] };
  const elbSdk = await loadSdk('@aws-sdk/client-elastic-load-balancing-v2');
  let groups: Array<{ TargetGroupArn?: string; Weight?: number }>;
  let stickiness: { Enabled?: boolean; DurationSeconds?: number } | undefined;
  try {
    const rules = (await (await clients.elbv2()).send(new elbSdk.DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules ?? [];
    const forward = (rules[0]?.Actions ?? []).find((a) => a.Type === 'forward');
    groups = forward?.ForwardConfig?.TargetGroups ?? (forward?.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
    stickiness = forward?.ForwardConfig?.TargetGroupStickinessConfig;
  } catch (e) {
    throw explainAwsError(e, `reading the production listener rule ${ruleArn}`);
  }
  const weightOf = (name: string) => groups.filter((g) => g.TargetGroupArn && targetGroupName(g.TargetGroupArn) === name).reduce((sum, g) => sum + (g.Weight ?? 0), 0);
  const strangers = groups.map((g) => g.TargetGroupArn ?? '').filter((arn) => ![where.targetGroup, where.alternateTargetGroup].includes(targetGroupName(arn)));
  const listed = groups.flatMap((g) => (g.TargetGroupArn ? [{ arn: g.TargetGroupArn, name: targetGroupName(g.TargetGroupArn), weight: g.Weight ?? 0 }] : []));
  return { ruleArn, weights: { primary: weightOf(where.targetGroup), alternate: weightOf(where.alternateTargetGroup) }, strangers, groups: listed, ...(stickiness ? { stickiness } : {}) };
}

/** Traffic on both target groups at once: ECS is between two steps of a deployment (or someone split it by hand). */
export function isSplit(w: LiveWeights): boolean {
  return w.primary > 0 && w.alternate > 0;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  readonly name: string;
  readonly state: AlarmStateValue;
  readonly reason?: string;
  readonly since?: Date;
}

/**
 * The states of the named CloudWatch alarms (DescribeAlarms, up to 100 names per call). Alarms that do not exist
 * are left out. @throws TapctlError when CloudWatch cannot be read.
 */
export async function alarmStates(clients: AwsClients, names: readonly string[]): Promise<AlarmState[]> {
  if (names.length === 0) return [];
  const sdk = await loadSdk('@aws-sdk/client-cloudwatch');
  try {
    const out = await (await clients.cloudWatch()).send(new sdk.DescribeAlarmsCommand({ AlarmNames: [...names], MaxRecords: 100 }));
    return (out.MetricAlarms ?? []).flatMap((a) =>
      a.AlarmName && a.StateValue ? [{ name: a.AlarmName, state: a.StateValue as AlarmStateValue, ...(a.StateReason ? { reason: a.StateReason } : {}), ...(a.StateUpdatedTimestamp ? { since: a.StateUpdatedTimestamp } : {}) }] : [],
    );
  } catch (e) {
    throw explainAwsError(e, `reading the states of alarms ${names.join(', ')}`);
  }
}

/**
 * How many targets of each target group ELB counts healthy (DescribeTargetHealth; state `healthy` only:
 * `initial` and `draining` targets take no new requests from a forward rule that trusts them).
 * @throws TapctlError when ELB cannot be read.
 */
export async function healthyTargets(clients: AwsClients, targetGroupArns: readonly string[]): Promise<Map<string, number>> {
  const sdk = await loadSdk('@aws-sdk/client-elastic-load-balancing-v2');
  const out = new Map<string, number>();
  for (const arn of targetGroupArns) {
    try {
      const health = (await (await clients.elbv2()).send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ?? [];
      out.set(arn, health.filter((h) => h.TargetHealth?.State === 'healthy').length);
    } catch (e) {
      throw explainAwsError(e, `reading the health of target group ${targetGroupName(arn)}`);
    }
  }
  return out;
}

/**
 * Sends all of the production rule's traffic to one target group (ModifyRule with a weighted forward action: 100
 * to `to`, 0 to the others, stickiness kept). @throws TapctlError when ELB refuses it.
 */
export async function forwardAllTo(clients: AwsClients, rule: { ruleArn: string; groups: ReadonlyArray<{ arn: string }>; stickiness?: { Enabled?: boolean; DurationSeconds?: number } }, to: string): Promise<void> {
  const sdk = await loadSdk('@aws-sdk/client-elastic-load-balancing-v2');
  const TargetGroups = rule.groups.map((g) => ({ TargetGroupArn: g.arn, Weight: g.arn === to ? 100 : 0 }));
  try {
    await (await clients.elbv2()).send(new sdk.ModifyRuleCommand({ RuleArn: rule.ruleArn, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups, ...(rule.stickiness ? { TargetGroupStickinessConfig: rule.stickiness } : {}) } }] }));
  } catch (e) {
    throw explainAwsError(e, `moving the production rule's traffic to ${targetGroupName(to)}`);
  }
}
