/**
 * tapstack.md §9: the alert topic, the 11 alarms and the dashboard.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlertTopic } from './alert-topic.js';
import { alb5xxMetric, ROLLOUT_ALARM, unhealthyTargetsMetric } from './rollout-alarms.js';
import type { AlarmKey } from '../../config/naming.js';

/** Alarm thresholds, one per alarm of tapstack.md §9.2. */
export interface AlarmThresholds {
  readonly ecsCpuPercent: number;
  readonly ecsMemoryPercent: number;
  readonly dbConnections: number;
  readonly dbCpuPercent: number;
  readonly unhealthyTargets: number;
  readonly alb5xx: number;
  readonly api4xx: number;
  readonly api5xx: number;
  readonly apiLatencyMs: number;
  readonly lambdaErrors: number;
  readonly lambdaThrottles: number;
}

/** tapstack.md §9.2's values. */
export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  ecsCpuPercent: 70,
  ecsMemoryPercent: 80,
  dbConnections: 80,
  dbCpuPercent: 80,
  unhealthyTargets: 1,
  alb5xx: 10,
  api4xx: 50,
  api5xx: 10,
  apiLatencyMs: 3000,
  lambdaErrors: 5,
  lambdaThrottles: 10,
};

export interface ObservabilityProps {
  readonly topicName: string;
  /** Environment kind, in the topic's display name. */
  readonly environmentKind: string;
  /** Address subscribed to the topic; the recipient must confirm. */
  readonly email: string;
  /** Key of the topic; CloudWatch is allowed to use it so that alarms can publish. */
  readonly encryptionKey: kms.IKey;
  readonly dashboardName: string;
  /** Name of each alarm; its construct ID is the name without non-alphanumerics. */
  readonly alarmNames: Readonly<Record<AlarmKey, string>>;
  /** @default DEFAULT_ALARM_THRESHOLDS */
  readonly thresholds?: AlarmThresholds;
  /** @default 2 */
  readonly evaluationPeriods?: number;
  readonly service: ecs.BaseService;
  readonly databaseCluster: rds.IDatabaseCluster;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The second target group of a blue-green, canary or linear service: the unhealthy-targets alarm watches both. */
  readonly alternateTargetGroup?: elbv2.IApplicationTargetGroup;
  /**
   * The alarms that roll a gradual release back (config deployment.alarms, empty for rolling): those among
   * alb-5xx-errors, api-5xx-errors and api-high-latency are sized for the rollout (rollout-alarms.ts).
   * @default none
   */
  readonly rollbackAlarms?: readonly string[];
  readonly restApi: apigw.RestApiBase;
  readonly function: lambda.IFunction;
  readonly distribution: cloudfront.Distribution;
}

/** Alerts by email, alarms on every tier, and one dashboard. */
export class Observability extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: Readonly<Record<AlarmKey, cloudwatch.Alarm>>;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const t = props.thresholds ?? DEFAULT_ALARM_THRESHOLDS;
    const fiveMinutes = Duration.minutes(5);

    // The shared encrypted topic (it also lets CloudWatch use the key: without that no alarm would ever notify).
    const alerts = new AlertTopic(this, 'Alerts', {
      topicName: props.topicName,
      displayName: `E-Commerce Infrastructure Alerts - ${props.environmentKind}`,
      email: props.email,
      encryptionKey: props.encryptionKey,
      evaluationPeriods: props.evaluationPeriods,
    });
    this.topic = alerts.topic;

    const service = props.service;
    const tg = props.targetGroup.metrics;
    const api = props.restApi;
    const fn = props.function;
    const db = props.databaseCluster;
    const rollback = new Set(props.rollbackAlarms ?? []);
    const sized = (key: AlarmKey) => (rollback.has(key) ? { evaluationPeriods: ROLLOUT_ALARM.evaluationPeriods, datapointsToAlarm: ROLLOUT_ALARM.datapointsToAlarm } : {});
    const alarm = (
      key: AlarmKey,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ): cloudwatch.Alarm => alerts.addAlarm({ alarmName: props.alarmNames[key], metric, threshold, comparisonOperator, ...sized(key) });
    // A rollback alarm counts per minute (rollout-alarms.ts); the others keep tapstack.md §9.2's 5 minutes.
    const apiPeriod = (key: AlarmKey) => (rollback.has(key) ? ROLLOUT_ALARM.period : fiveMinutes);
    const apiCount = (key: AlarmKey, per5: number) => (rollback.has(key) ? ROLLOUT_ALARM.countPerPeriod(per5) : per5);

    // Statistics and periods live on the metrics, never on the alarms (failure-lessons.md #13).
    this.alarms = {
      'ecs-high-cpu': alarm('ecs-high-cpu', service.metricCpuUtilization(), t.ecsCpuPercent),
      'ecs-high-memory': alarm('ecs-high-memory', service.metricMemoryUtilization(), t.ecsMemoryPercent),
      'db-high-connections': alarm(
        'db-high-connections',
        db.metricDatabaseConnections({ statistic: cloudwatch.Stats.AVERAGE }),
        t.dbConnections,
      ),
      'db-high-cpu': alarm('db-high-cpu', db.metricCPUUtilization({ statistic: cloudwatch.Stats.AVERAGE }), t.dbCpuPercent),
      'alb-unhealthy-targets': alarm(
        'alb-unhealthy-targets',
        unhealthyTargetsMetric(props.targetGroup, props.alternateTargetGroup),
        t.unhealthyTargets,
        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ),
      'alb-5xx-errors': alarm(
        'alb-5xx-errors',
        alb5xxMetric(props.loadBalancer, rollback.has('alb-5xx-errors')),
        rollback.has('alb-5xx-errors') ? ROLLOUT_ALARM.countPerPeriod(t.alb5xx) : t.alb5xx,
      ),
      'api-4xx-errors': alarm(
        'api-4xx-errors',
        api.metricClientError({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
        t.api4xx,
      ),
      'api-5xx-errors': alarm(
        'api-5xx-errors',
        api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: apiPeriod('api-5xx-errors') }),
        apiCount('api-5xx-errors', t.api5xx),
      ),
      'api-high-latency': alarm(
        'api-high-latency',
        api.metricLatency({ statistic: cloudwatch.Stats.AVERAGE, period: apiPeriod('api-high-latency') }),
        t.apiLatencyMs,
      ),
      'lambda-errors': alarm('lambda-errors', fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }), t.lambdaErrors),
      'lambda-throttles': alarm(
        'lambda-throttles',
        fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
        t.lambdaThrottles,
      ),
    };

    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({ title, left, right, width: 12, height: 6 });
    const single = (title: string, metric: cloudwatch.IMetric): cloudwatch.SingleValueWidget =>
      new cloudwatch.SingleValueWidget({ title, metrics: [metric], width: 6, height: 4 });
    const { AVERAGE, SUM } = cloudwatch.Stats;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      graph('ECS CPU Utilization', [service.metricCpuUtilization()]),
      graph('ECS Memory Utilization', [service.metricMemoryUtilization()]),
    );
    this.dashboard.addWidgets(
      graph('ALB Request Count', [tg.requestCount({ statistic: SUM, label: 'Total Requests' })]),
      graph('ALB Target Response Time', [tg.targetResponseTime({ statistic: AVERAGE, label: 'Avg Response Time' })]),
    );
    this.dashboard.addWidgets(
      graph('Database Connections', [db.metricDatabaseConnections({ statistic: AVERAGE, label: 'Active Connections' })]),
      graph('Database CPU Utilization', [db.metricCPUUtilization({ statistic: AVERAGE, label: 'CPU %' })]),
    );
    this.dashboard.addWidgets(
      graph(
        'API Gateway Errors',
        [api.metricClientError({ statistic: SUM, label: '4XX Errors', color: cloudwatch.Color.ORANGE })],
        [api.metricServerError({ statistic: SUM, label: '5XX Errors', color: cloudwatch.Color.RED })],
      ),
      graph('API Gateway Latency', [api.metricLatency({ statistic: AVERAGE, label: 'Avg Latency' })]),
    );
    this.dashboard.addWidgets(
      graph(
        'Lambda Invocations & Errors',
        [fn.metricInvocations({ statistic: SUM, label: 'Invocations', color: cloudwatch.Color.BLUE })],
        [fn.metricErrors({ statistic: SUM, label: 'Errors', color: cloudwatch.Color.RED })],
      ),
      graph('Lambda Duration', [fn.metricDuration({ statistic: AVERAGE, label: 'Avg Duration' })]),
    );
    this.dashboard.addWidgets(
      single('Healthy Targets', tg.healthyHostCount({ statistic: AVERAGE })),
      single('Unhealthy Targets', tg.unhealthyHostCount({ statistic: AVERAGE })),
      single('API Request Count (24h)', api.metricCount({ statistic: SUM, period: Duration.hours(24) })),
      // The spec counts SampleCount of CPUUtilization, which is the number of datapoints in the period, not the
      // number of tasks. Container Insights (enabled on the cluster) publishes the real RunningTaskCount.
      single(
        'Running Tasks',
        new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
          statistic: AVERAGE,
          label: 'Task Count',
        }),
      ),
    );
    // CloudFront publishes its metrics in us-east-1 only, with dimensions DistributionId and Region=Global;
    // Distribution.metric*() sets neither the region nor the Region dimension, so the graphs would stay empty.
    const cdn = (metricName: string, options: cloudwatch.MetricOptions): cloudwatch.Metric =>
      props.distribution.metric(metricName, {
        ...options,
        dimensionsMap: { DistributionId: props.distribution.distributionId, Region: 'Global' },
        region: 'us-east-1',
      });
    this.dashboard.addWidgets(
      graph('CloudFront Requests', [cdn('Requests', { statistic: SUM, label: 'Total Requests' })]),
      graph('CloudFront Error Rate', [
        cdn('4xxErrorRate', { statistic: AVERAGE, label: '4xx Error Rate', color: cloudwatch.Color.ORANGE }),
        cdn('5xxErrorRate', { statistic: AVERAGE, label: '5xx Error Rate', color: cloudwatch.Color.RED }),
      ]),
    );
  }
}
