/**
 * The alarms and stack outputs of the catalog-api preset. The outputs keep the keys tapctl's deploy, push-image
 * and status read (the spec's own a.12 names map onto them, docs/presets.md); the alarms reuse the ecommerce
 * thresholds of `alarms:` for the parts this preset has.
 */
import cdk = require('aws-cdk-lib');
import Token = cdk.Token;
import cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
import type { ResolvedEnvironment } from '../../config/resolve.js';
import { AlertTopic } from '../constructs/alert-topic.js';
import { alb5xxMetric, rollbackAlarmKeys, ROLLOUT_ALARM, unhealthyTargetsMetric } from '../constructs/rollout-alarms.js';
import { logGroupsOutput, StackOutputs } from '../constructs/outputs.js';
import { domainOutputs } from '../constructs/site-domain.js';
import { lambdaLogGroup } from '../log-sources.js';
import type { CatalogApiStack } from './catalog-api-stack.js';

const { GREATER_THAN_OR_EQUAL_TO_THRESHOLD } = cloudwatch.ComparisonOperator;

export function catalogAlarms(stack: CatalogApiStack, env: ResolvedEnvironment): AlertTopic {
  const { names, service, database } = stack;
  const t = env.alarms;
  const alerts = new AlertTopic(stack, 'Alerts', {
    topicName: names.alertTopic,
    displayName: `Catalog API alerts - ${env.suffix}`,
    email: t.email,
    encryptionKey: stack.encryption.key,
    evaluationPeriods: t.evaluationPeriods,
  });
  const a = names.alarms;
  const avg = { statistic: cloudwatch.Stats.AVERAGE };
  alerts.addAlarm({ alarmName: a['ecs-high-cpu'], metric: service.service.metricCpuUtilization(), threshold: t.ecsCpuPercent });
  alerts.addAlarm({ alarmName: a['ecs-high-memory'], metric: service.service.metricMemoryUtilization(), threshold: t.ecsMemoryPercent });
  // Both target groups of a gradual service, and a rollback alarm sized for the rollout (rollout-alarms.ts).
  alerts.addAlarm({
    alarmName: a['alb-unhealthy-targets'],
    metric: unhealthyTargetsMetric(service.targetGroup, service.loadBalancing.alternateTargetGroup),
    threshold: t.unhealthyTargets,
    comparisonOperator: GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });
  const rollback = rollbackAlarmKeys(env).includes('alb-5xx-errors');
  alerts.addAlarm({
    alarmName: a['alb-5xx-errors'],
    metric: alb5xxMetric(service.loadBalancer, rollback),
    threshold: rollback ? ROLLOUT_ALARM.countPerPeriod(t.alb5xx) : t.alb5xx,
    ...(rollback ? { evaluationPeriods: ROLLOUT_ALARM.evaluationPeriods, datapointsToAlarm: ROLLOUT_ALARM.datapointsToAlarm } : {}),
  });
  alerts.addAlarm({ alarmName: a['db-high-cpu'], metric: database.cluster.metricCPUUtilization(avg), threshold: t.dbCpuPercent });
  alerts.addAlarm({ alarmName: a['db-high-connections'], metric: database.cluster.metricDatabaseConnections(avg), threshold: t.dbConnections });
  return alerts;
}

export function catalogOutputs(stack: CatalogApiStack, env: ResolvedEnvironment): StackOutputs {
  const { network, service, cdn, database, registry, encryption, logsBucket, alerts } = stack;
  const db = database.cluster.clusterEndpoint;
  return new StackOutputs(stack, 'Outputs', {
    exportPrefix: env.names.exportPrefix,
    outputs: [
      { key: 'VpcId', value: network.vpc.vpcId, description: 'VPC ID', exportSuffix: 'vpc-id' },
      // a.12 alb_dns_name
      { key: 'ALBDNSName', value: service.loadBalancer.loadBalancerDnsName, description: 'Application Load Balancer DNS name', exportSuffix: 'alb-dns' },
      // a.12 cloudfront_distribution_url
      { key: 'CloudFrontURL', value: cdn.url, description: 'CloudFront distribution URL', exportSuffix: 'cloudfront-url' },
      { key: 'CloudFrontDistributionId', value: cdn.distribution.distributionId, description: 'CloudFront distribution ID', exportSuffix: 'cloudfront-id' },
      ...(stack.domain ? domainOutputs(stack.domain, false) : []),
      // a.12 rds_cluster_endpoint
      { key: 'DatabaseEndpoint', value: db.hostname, description: 'Aurora cluster writer endpoint', exportSuffix: 'db-endpoint' },
      { key: 'DatabaseReaderEndpoint', value: database.cluster.clusterReadEndpoint.hostname, description: 'Aurora cluster reader endpoint', exportSuffix: 'db-reader-endpoint' },
      { key: 'DatabasePort', value: Token.asString(db.port), description: 'Aurora cluster port', exportSuffix: 'db-port' },
      { key: 'DatabaseSecretArn', value: database.secret.secretArn, description: 'Database credentials secret ARN', exportSuffix: 'db-secret-arn' },
      { key: 'ECRRepositoryURI', value: registry.repository.repositoryUri, description: 'ECR repository URI', exportSuffix: 'ecr-uri' },
      { key: 'ECRRepositoryName', value: registry.repository.repositoryName, description: 'ECR repository name', exportSuffix: 'ecr-name' },
      // a.12 ecs_cluster_name
      { key: 'ECSClusterName', value: service.cluster.clusterName, description: 'ECS cluster name', exportSuffix: 'ecs-cluster' },
      { key: 'ECSServiceName', value: service.service.serviceName, description: 'ECS service name', exportSuffix: 'ecs-service' },
      { key: 'LogsBucketName', value: logsBucket.bucketName, description: 'Log bucket name (ALB, CloudFront, VPC flow logs)', exportSuffix: 'logs-bucket' },
      { key: 'SNSTopicArn', value: alerts.topic.topicArn, description: 'Alert topic ARN', exportSuffix: 'sns-topic-arn' },
      { key: 'KMSKeyArn', value: encryption.key.keyArn, description: 'KMS key ARN', exportSuffix: 'kms-key-arn' },
      logGroupsOutput(stack, { app: [service.logGroup.logGroupName], appStreamPrefix: service.logStreamPrefix, rotation: [lambdaLogGroup(stack.names.rotationFunction)] }),
    ],
  });
}
