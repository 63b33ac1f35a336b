/** Target health behind the ALB: counts, and the reason for every target that is not healthy. */
import type { Section, TargetsInfo } from '../schema.js';
import { absent, callOptions, isNotFound, ok, sectionError, type SectionContext } from './section.js';
import { loadSdk } from '../../aws/sdk.js';

export async function readTargets(c: SectionContext): Promise<Section<TargetsInfo>> {
  const name = c.env.names.targetGroup;
  const what = `reading target group ${name}`;
  try {
    const elb = await c.clients.elbv2();
    const sdk = await loadSdk('@aws-sdk/client-elastic-load-balancing-v2');
    const groups = await elb.send(new sdk.DescribeTargetGroupsCommand({ Names: [name] }), callOptions(c.signal));
    const arn = groups.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) return absent(`target group ${name} not found`);
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
    return ok({ targetGroup: name, targetGroupArn: arn, healthy, unhealthy, other: targets.length - healthy - unhealthy, targets });
  } catch (e) {
    if (isNotFound(e, 'TargetGroupNotFoundException')) return absent(`target group ${name} not found`);
    return sectionError(e, what, c.signal);
  }
}
