/**
 * Target health behind the ALB: counts, and the reason for every target that is not healthy. A blue-green,
 * canary or linear environment has two target groups and the tasks live in whichever ECS last moved them to
 * (qa5 P2 #2): both are read, with the production rule's weights, and traffic sent to a group without healthy
 * tasks while the other has some is said (`stranded`; deploy repairs it after a failed release, traffic-repair.ts).
 */
import type { Section, TargetGroupHealth, TargetsInfo } from '../schema.js';
import { absent, callOptions, isNotFound, ok, sectionError, type SectionContext } from './section.js';
import { loadSdk } from '../../aws/sdk.js';
import { deploymentOf } from '../../config/deployment.js';

export async function readTargets(c: SectionContext): Promise<Section<TargetsInfo>> {
  const name = c.env.names.targetGroup;
  const what = `reading target group ${name}`;
  try {
    const primary = await readGroup(c, name);
    if (!primary) return absent(`target group ${name} not found`);
    if (!deploymentOf(c.env)?.alternateTargetGroup) return ok(primary);
    const alternate = await readGroup(c, c.env.names.alternateTargetGroup).catch(() => undefined);
    const weights = await readWeights(c);
    const stranded = strandedTraffic(primary, alternate, weights);
    return ok({ ...primary, ...(alternate ? { alternate } : {}), weights, ...(stranded ? { stranded } : {}) });
  } catch (e) {
    if (isNotFound(e, 'TargetGroupNotFoundException')) return absent(`target group ${name} not found`);
    return sectionError(e, what, c.signal);
  }
}

async function readGroup(c: SectionContext, name: string): Promise<TargetGroupHealth | undefined> {
  const elb = await c.clients.elbv2();
  const sdk = await loadSdk('@aws-sdk/client-elastic-load-balancing-v2');
  let arn: string | undefined;
  try {
    const groups = await elb.send(new sdk.DescribeTargetGroupsCommand({ Names: [name] }), callOptions(c.signal));
    arn = groups.TargetGroups?.[0]?.TargetGroupArn;
  } catch (e) {
    if (isNotFound(e, 'TargetGroupNotFoundException')) return undefined;
    throw e;
  }
  if (!arn) return undefined;
  const health = await elb.send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: arn }), callOptions(c.signal));
  const targets = (health.TargetHealthDescriptions ?? []).map((t) => ({
    id: t.Target?.Id ?? '',
    port: t.Target?.Port ?? null,
    state: t.TargetHealth?.State ?? 'unknown',
    reason: t.TargetHealth?.Reason ?? null,
    description: t.TargetHealth?.Description ?? null,
  }));
  const healthy = targets.filter((t) => t.state === 'healthy').length;
  const unhealthy = targets.filter((t) => t.state.startsWith('unhealthy')).length;
  return { targetGroup: name, targetGroupArn: arn, healthy, unhealthy, other: targets.length - healthy - unhealthy, targets };
}

/** The production rule's weights by group name; null when they could not be read or there is no rule yet. */
async function readWeights(c: SectionContext): Promise<TargetsInfo['weights']> {
  try {
    const { readLiveTraffic } = await import('../../aws/traffic.js');
    const n = c.env.names;
    const live = await readLiveTraffic(c.clients, { cluster: c.outputs.ECSClusterName || n.ecsCluster, service: c.outputs.ECSServiceName || n.ecsService, targetGroup: n.targetGroup, alternateTargetGroup: n.alternateTargetGroup });
    return live.weights ? { [n.targetGroup]: live.weights.primary, [n.alternateTargetGroup]: live.weights.alternate } : null;
  } catch {
    return null;
  }
}

function strandedTraffic(primary: TargetGroupHealth, alternate: TargetGroupHealth | undefined, weights: TargetsInfo['weights']): string | undefined {
  if (!weights || !alternate) return undefined;
  const groups = [primary, alternate];
  const served = groups.filter((g) => (weights[g.targetGroup] ?? 0) > 0);
  const empty = served.filter((g) => g.healthy === 0);
  const withTasks = groups.filter((g) => g.healthy > 0);
  if (empty.length === 0 || withTasks.length === 0) return undefined;
  return `the production rule sends traffic to ${empty.map((g) => g.targetGroup).join(', ')}, which has no healthy tasks, while ${withTasks.map((g) => g.targetGroup).join(', ')} has them`;
}
