import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_KEYS, type AlarmKey } from '../../src/config/naming.js';
import { dashboardBody, lid, ref, synthStack, type SynthesizedStack } from './fixtures.js';

/** tapstack.md §9.2: metric, statistic, period (s), threshold, comparison. */
const SPEC_ALARMS: Record<AlarmKey, [string, string, string, number, number, string]> = {
  'ecs-high-cpu': ['AWS/ECS', 'CPUUtilization', 'Average', 300, 70, 'GreaterThanThreshold'],
  'ecs-high-memory': ['AWS/ECS', 'MemoryUtilization', 'Average', 300, 80, 'GreaterThanThreshold'],
  'db-high-connections': ['AWS/RDS', 'DatabaseConnections', 'Average', 300, 80, 'GreaterThanThreshold'],
  'db-high-cpu': ['AWS/RDS', 'CPUUtilization', 'Average', 300, 80, 'GreaterThanThreshold'],
  'alb-unhealthy-targets': ['AWS/ApplicationELB', 'UnHealthyHostCount', 'Average', 300, 1, 'GreaterThanOrEqualToThreshold'],
  'alb-5xx-errors': ['AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 'Sum', 300, 10, 'GreaterThanThreshold'],
  'api-4xx-errors': ['AWS/ApiGateway', '4XXError', 'Sum', 300, 50, 'GreaterThanThreshold'],
  'api-5xx-errors': ['AWS/ApiGateway', '5XXError', 'Sum', 300, 10, 'GreaterThanThreshold'],
  'api-high-latency': ['AWS/ApiGateway', 'Latency', 'Average', 300, 3000, 'GreaterThanThreshold'],
  'lambda-errors': ['AWS/Lambda', 'Errors', 'Sum', 300, 5, 'GreaterThanThreshold'],
  'lambda-throttles': ['AWS/Lambda', 'Throttles', 'Sum', 300, 10, 'GreaterThanThreshold'],
};

/** tapstack.md §9.3, in order: view, title. */
const SPEC_WIDGETS: Array<['timeSeries' | 'singleValue', string]> = [
  ['timeSeries', 'ECS CPU Utilization'],
  ['timeSeries', 'ECS Memory Utilization'],
  ['timeSeries', 'ALB Request Count'],
  ['timeSeries', 'ALB Target Response Time'],
  ['timeSeries', 'Database Connections'],
  ['timeSeries', 'Database CPU Utilization'],
  ['timeSeries', 'API Gateway Errors'],
  ['timeSeries', 'API Gateway Latency'],
  ['timeSeries', 'Lambda Invocations & Errors'],
  ['timeSeries', 'Lambda Duration'],
  ['singleValue', 'Healthy Targets'],
  ['singleValue', 'Unhealthy Targets'],
  ['singleValue', 'API Request Count (24h)'],
  ['singleValue', 'Running Tasks'],
  ['timeSeries', 'CloudFront Requests'],
  ['timeSeries', 'CloudFront Error Rate'],
];

describe('Observability', () => {
  let dev: SynthesizedStack;
  let widgets: Array<Record<string, any>>;
  beforeAll(() => {
    // GIVEN the default development stack
    dev = synthStack('dev');
    const [dashboard] = Object.values(dev.template.findResources('AWS::CloudWatch::Dashboard'));
    widgets = dashboardBody(dashboard.Properties.DashboardBody).widgets;
  });

  describe('alert topic (§9.1)', () => {
    it('is KMS-encrypted, named by the config, with an email subscription', () => {
      const topic = lid(dev.stack, dev.stack.observability.topic);
      dev.template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: dev.env.names.alertTopic,
        DisplayName: 'E-Commerce Infrastructure Alerts - development',
        KmsMasterKeyId: Match.objectLike({ 'Fn::GetAtt': [lid(dev.stack, dev.stack.encryption.key), 'Arn'] }),
      });
      dev.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: dev.env.alarms.email,
        TopicArn: ref(topic),
      });
    });

    it('refuses publishing without TLS', () => {
      dev.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('lets CloudWatch use the key, or alarms could not publish to the encrypted topic', () => {
      dev.template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
          ]),
        },
      });
    });

    it('subscribes the configured address', () => {
      synthStack('dev', { alarms: { email: 'ops@example.org' } }).template.hasResourceProperties('AWS::SNS::Subscription', {
        Endpoint: 'ops@example.org',
      });
    });
  });

  describe('alarms (§9.2)', () => {
    it('has exactly the 11 alarms', () => {
      dev.template.resourceCountIs('AWS::CloudWatch::Alarm', 11);
      expect(Object.keys(dev.stack.observability.alarms).sort()).toEqual([...ALARM_KEYS].sort());
    });

    it.each(ALARM_KEYS.map((k) => [k, ...SPEC_ALARMS[k]] as const))(
      '%s: %s %s, %s per %i s, threshold %i, %s',
      (key, namespace, metricName, statistic, period, threshold, comparison) => {
        dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: dev.env.names.alarms[key],
          Namespace: namespace,
          MetricName: metricName,
          Statistic: statistic,
          Period: period,
          Threshold: threshold,
          ComparisonOperator: comparison,
          EvaluationPeriods: 2,
          TreatMissingData: 'notBreaching',
          AlarmActions: [ref(lid(dev.stack, dev.stack.observability.topic))],
        });
      },
    );

    it('uses the alarm name without non-alphanumerics as construct ID', () => {
      for (const key of ALARM_KEYS) {
        expect(dev.stack.observability.alarms[key].node.id).toBe(dev.env.names.alarms[key].replace(/[^A-Za-z0-9]/g, ''));
      }
    });

    it('watches the right resources', () => {
      const dims = (key: AlarmKey) =>
        Object.values(dev.template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: dev.env.names.alarms[key] } }))[0]
          .Properties.Dimensions.map((d: { Name: string }) => d.Name)
          .sort();
      expect(dims('ecs-high-cpu')).toEqual(['ClusterName', 'ServiceName']);
      expect(dims('db-high-connections')).toEqual(['DBClusterIdentifier']);
      expect(dims('alb-unhealthy-targets')).toEqual(['LoadBalancer', 'TargetGroup']);
      expect(dims('alb-5xx-errors')).toEqual(['LoadBalancer']);
      expect(dims('api-4xx-errors')).toEqual(['ApiName']);
      expect(dims('lambda-errors')).toEqual(['FunctionName']);
    });

    it('takes thresholds and evaluation periods from the config', () => {
      const s = synthStack('dev', { alarms: { api4xx: 10, api5xx: 5, evaluationPeriods: 3 } });
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: s.env.names.alarms['api-4xx-errors'], Threshold: 10, EvaluationPeriods: 3 });
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: s.env.names.alarms['api-5xx-errors'], Threshold: 5 });
    });
  });

  describe('dashboard (§9.3)', () => {
    it('is named by the config', () => {
      dev.template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: dev.env.names.dashboard });
    });

    it('has the 16 widgets in order: graphs 12x6, single values 6x4', () => {
      expect(widgets.map((w) => [w.properties.view, w.properties.title])).toEqual(SPEC_WIDGETS);
      for (const w of widgets) {
        expect([w.width, w.height]).toEqual(w.properties.view === 'singleValue' ? [6, 4] : [12, 6]);
      }
    });

    it('lays the widgets out without overlap on the 24-column grid', () => {
      const cells = new Set<string>();
      for (const w of widgets) {
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        for (let x = w.x; x < w.x + w.width; x++) {
          for (let y = w.y; y < w.y + w.height; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    });

    /** The metric rows of a widget: [namespace, metricName, ...dimensions, options]. */
    const metrics = (index: number): unknown[][] => widgets[index].properties.metrics;
    /** The rendering options of a metric row; CloudWatch's default statistic (Average) is left out of the JSON. */
    const options = (row: unknown[]): Record<string, unknown> => {
      const last = row[row.length - 1];
      const rendered = typeof last === 'object' && last !== null ? (last as Record<string, unknown>) : {};
      return { stat: 'Average', ...rendered };
    };

    it.each([
      [2, 'AWS/ApplicationELB', 'RequestCount', { stat: 'Sum', label: 'Total Requests' }],
      [3, 'AWS/ApplicationELB', 'TargetResponseTime', { stat: 'Average', label: 'Avg Response Time' }],
      [4, 'AWS/RDS', 'DatabaseConnections', { stat: 'Average', label: 'Active Connections' }],
      [5, 'AWS/RDS', 'CPUUtilization', { stat: 'Average', label: 'CPU %' }],
      [7, 'AWS/ApiGateway', 'Latency', { stat: 'Average', label: 'Avg Latency' }],
      [9, 'AWS/Lambda', 'Duration', { stat: 'Average', label: 'Avg Duration' }],
      [10, 'AWS/ApplicationELB', 'HealthyHostCount', { stat: 'Average' }],
      [11, 'AWS/ApplicationELB', 'UnHealthyHostCount', { stat: 'Average' }],
      [12, 'AWS/ApiGateway', 'Count', { stat: 'Sum', period: 86_400 }],
      [13, 'ECS/ContainerInsights', 'RunningTaskCount', { stat: 'Average', label: 'Task Count' }],
      [14, 'AWS/CloudFront', 'Requests', { stat: 'Sum', label: 'Total Requests' }],
    ])('widget %i shows %s %s', (index, namespace, metricName, expected) => {
      const [row] = metrics(index);
      expect(row.slice(0, 2)).toEqual([namespace, metricName]);
      expect(options(row)).toMatchObject(expected);
    });

    it('puts API 5XX and Lambda errors on the right axis, in red', () => {
      const [api4xx, api5xx] = metrics(6);
      expect(api4xx.slice(0, 2)).toEqual(['AWS/ApiGateway', '4XXError']);
      expect(options(api4xx)).toMatchObject({ stat: 'Sum', color: '#ff7f0e' });
      expect(api5xx.slice(0, 2)).toEqual(['AWS/ApiGateway', '5XXError']);
      expect(options(api5xx)).toMatchObject({ stat: 'Sum', color: '#d62728', yAxis: 'right' });
      const [invocations, errors] = metrics(8);
      expect(options(invocations)).toMatchObject({ stat: 'Sum', color: '#1f77b4' });
      expect(errors.slice(0, 2)).toEqual(['AWS/Lambda', 'Errors']);
      expect(options(errors)).toMatchObject({ stat: 'Sum', color: '#d62728', yAxis: 'right' });
    });

    it('reads CloudFront metrics by distribution in the Global region', () => {
      const [row] = metrics(14);
      expect(row).toEqual(expect.arrayContaining(['DistributionId', '<token>', 'Region', 'Global']));
    });

    it('reads CloudFront metrics from us-east-1 whatever the stack region', () => {
      const s = synthStack('dev', { region: 'eu-north-1' });
      const [dashboard] = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'));
      const body = dashboardBody(dashboard.Properties.DashboardBody);
      expect(options(body.widgets[14].properties.metrics[0])).toMatchObject({ region: 'us-east-1' });
      expect(options(body.widgets[0].properties.metrics[0]).region).toBeUndefined();
    });

    it('graphs CloudFront 4xx (orange) and 5xx (red) error rates', () => {
      const [r4, r5] = metrics(15);
      expect([r4[1], options(r4)]).toEqual(['4xxErrorRate', expect.objectContaining({ stat: 'Average', color: '#ff7f0e' })]);
      expect([r5[1], options(r5)]).toEqual(['5xxErrorRate', expect.objectContaining({ stat: 'Average', color: '#d62728' })]);
    });
  });
});
