/**
 * The load balancer alarms of a service that deploys gradually (config `deployment:`), shared by the ecommerce
 * and catalog-api stacks.
 *
 * - Both target groups (qa5 P2 #2): after a blue-green, canary or linear release the tasks live in whichever group
 *   ECS last moved them to, so the unhealthy-targets alarm adds both groups' UnHealthyHostCount (metric math,
 *   each FILLed with 0: a group without targets reports no data).
 * - Sized for the rollout (qa5 P2 #4): an alarm that rolls a release back must fire while the canary share is
 *   still small. So a gradual environment's rollback alarms use 1-minute periods, 2 of 3 datapoints
 *   (ROLLBACK_ALARM_WINDOW in config/deployment.ts: ALARM within ~3 minutes of the errors starting), and the
 *   load balancer 5XX alarm counts the load balancer's own 5XX (502/503/504 from tasks that crash or time out)
 *   with the targets' 5XX. A count threshold set per 5 minutes (`alarms.alb5xx`) is divided by 5 (rounded up), the
 *   same rate per minute. Rolling environments keep tapstack.md §9.2's 5-minute alarms.
 *   Metrics: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
import elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
import { deploymentOf, ROLLBACK_ALARM_WINDOW } from '../../config/deployment.js';
import type { ResolvedEnvironment } from '../../config/resolve.js';

/** The alarm settings of a rollback alarm in a gradual environment, and the per-minute threshold of a count. */
export const ROLLOUT_ALARM = {
  period: Duration.minutes(ROLLBACK_ALARM_WINDOW.periodMinutes),
  evaluationPeriods: ROLLBACK_ALARM_WINDOW.evaluationPeriods,
  datapointsToAlarm: ROLLBACK_ALARM_WINDOW.datapointsToAlarm,
  /** A count threshold per 5 minutes, as the same rate per period. */
  countPerPeriod: (per5Minutes: number) => Math.max(1, Math.ceil((per5Minutes * ROLLBACK_ALARM_WINDOW.periodMinutes) / 5)),
} as const;

/** UnHealthyHostCount of the target group, or of both when there is an alternate (their sum). */
export function unhealthyTargetsMetric(primary: elbv2.IApplicationTargetGroup, alternate: elbv2.IApplicationTargetGroup | undefined): cloudwatch.IMetric {
  if (!alternate) return primary.metrics.unhealthyHostCount();
  return new cloudwatch.MathExpression({
    expression: 'FILL(tg1, 0) + FILL(tg2, 0)',
    usingMetrics: { tg1: primary.metrics.unhealthyHostCount(), tg2: alternate.metrics.unhealthyHostCount() },
    label: 'Unhealthy targets (both target groups)',
    period: Duration.minutes(1),
  });
}

/** HTTPCode_Target_5XX_Count, plus (gradual) HTTPCode_ELB_5XX_Count over 1-minute periods. */
export function alb5xxMetric(loadBalancer: elbv2.IApplicationLoadBalancer, gradual: boolean): cloudwatch.IMetric {
  const target = loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: cloudwatch.Stats.SUM, ...(gradual ? { period: ROLLOUT_ALARM.period } : {}) });
  if (!gradual) return target;
  return new cloudwatch.MathExpression({
    expression: 'FILL(target, 0) + FILL(elb, 0)',
    usingMetrics: { target, elb: loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: cloudwatch.Stats.SUM, period: ROLLOUT_ALARM.period }) },
    label: '5XX from the targets and the load balancer',
    period: ROLLOUT_ALARM.period,
  });
}

/** The keys of the alarms that roll a release back: a gradual environment's deployment.alarms; none for rolling. */
export function rollbackAlarmKeys(env: ResolvedEnvironment): string[] {
  const plan = deploymentOf(env);
  return plan && plan.strategy !== 'rolling' ? plan.alarms.map((a) => a.key) : [];
}
