/**
 * presets.md b.7 and b.8: the alarms of every instance (explicit thresholds from `postgres.alarms`, evaluation
 * periods from `alarms.evaluationPeriods`), one replica-lag alarm per replica on its own DBInstanceIdentifier,
 * and the outputs operators and integration tests use. Keys shared with the other presets (DatabaseEndpoint,
 * DatabasePort, DatabaseSecretArn, KMSKeyArn ...) keep their names.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import Fn = cdk.Fn;
import Token = cdk.Token;
import cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
import type * as rds from 'aws-cdk-lib/aws-rds';
import type { ResolvedEnvironment } from '../../config/resolve.js';
import { AlertTopic } from '../constructs/alert-topic.js';
import { StackOutputs, type StackOutput } from '../constructs/outputs.js';
import type { RdsPostgresStack } from './rds-postgres-stack.js';

const FIVE_MINUTES = Duration.minutes(5);

export function postgresAlarms(stack: RdsPostgresStack, env: ResolvedEnvironment): AlertTopic {
  const t = env.postgres.alarms;
  const alerts = new AlertTopic(stack, 'Alerts', {
    topicName: stack.names.alertTopic,
    displayName: `E-commerce PostgreSQL alerts - ${env.suffix}`,
    email: env.alarms.email,
    encryptionKey: stack.encryption.key,
    evaluationPeriods: env.alarms.evaluationPeriods,
  });
  const a = stack.names.alarms;
  const { primary, replicas } = stack.database;
  const instances: Array<[string, rds.IDatabaseInstance]> = [['pg', primary], ...replicas.map((r, i): [string, rds.IDatabaseInstance] => [`pg-replica-${i + 1}`, r])];
  for (const [who, instance] of instances) {
    const id = instance.instanceIdentifier;
    alerts.addAlarm({
      alarmName: a[`${who}-high-cpu`],
      description: `CPU of ${id} above ${t.cpuPercent} %`,
      metric: instance.metricCPUUtilization({ statistic: cloudwatch.Stats.AVERAGE, period: FIVE_MINUTES }),
      threshold: t.cpuPercent,
    });
    alerts.addAlarm({
      alarmName: a[`${who}-low-storage`],
      description: `Free storage of ${id} below ${t.freeStorageGiB} GiB`,
      metric: instance.metricFreeStorageSpace({ statistic: cloudwatch.Stats.MINIMUM, period: FIVE_MINUTES }),
      // FreeStorageSpace is in bytes.
      threshold: t.freeStorageGiB * 1024 ** 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    alerts.addAlarm({
      alarmName: a[`${who}-high-connections`],
      description: `Connections to ${id} above ${t.connections}`,
      metric: instance.metricDatabaseConnections({ statistic: cloudwatch.Stats.AVERAGE, period: FIVE_MINUTES }),
      threshold: t.connections,
    });
  }
  replicas.forEach((replica, i) => {
    alerts.addAlarm({
      alarmName: a[`pg-replica-${i + 1}-lag`],
      description: `Replica ${replica.instanceIdentifier} more than ${t.replicaLagSeconds} s behind the primary`,
      // The metric of the replica itself: DBInstanceIdentifier is the replica's, which is where RDS reports lag.
      metric: replica.metric('ReplicaLag', { statistic: cloudwatch.Stats.AVERAGE, period: Duration.minutes(1) }),
      threshold: t.replicaLagSeconds,
    });
  });
  return alerts;
}

export function postgresOutputs(stack: RdsPostgresStack, env: ResolvedEnvironment): StackOutputs {
  const { database, bastion, encryption, dataBucket, s3AccessRole, network, alerts } = stack;
  const { primary, replicas } = database;
  const host = primary.dbInstanceEndpointAddress;
  const port = primary.dbInstanceEndpointPort;
  const outputs: StackOutput[] = [
    { key: 'VpcId', value: network.vpc.vpcId, description: 'VPC ID', exportSuffix: 'vpc-id' },
    { key: 'DatabaseInstanceId', value: primary.instanceIdentifier, description: 'Primary DB instance identifier', exportSuffix: 'db-instance-id' },
    { key: 'DatabaseEndpoint', value: host, description: 'Primary endpoint (reads and writes)', exportSuffix: 'db-endpoint' },
    { key: 'DatabasePort', value: Token.asString(port), description: 'PostgreSQL port', exportSuffix: 'db-port' },
    { key: 'DatabaseSecretArn', value: database.secret.secretArn, description: 'Database credentials secret ARN', exportSuffix: 'db-secret-arn' },
    ...replicas.map((r, i) => ({
      key: `ReadReplica${i + 1}Endpoint`,
      value: r.dbInstanceEndpointAddress,
      description: `Read replica ${i + 1} endpoint (${env.network.availabilityZones[i + 1]})`,
      exportSuffix: `db-replica-${i + 1}-endpoint`,
    })),
    ...(replicas.length > 0
      ? [{ key: 'ReadReplicaEndpoints', value: Fn.join(',', replicas.map((r) => r.dbInstanceEndpointAddress)), description: 'Every read replica endpoint, comma-separated' }]
      : []),
    { key: 'BastionInstanceId', value: bastion.instance.instanceId, description: 'SSM bastion instance ID (port-forwarding target)', exportSuffix: 'bastion-id' },
    {
      key: 'PortForwardCommand',
      value: Fn.join('', [
        'aws ssm start-session --target ', bastion.instance.instanceId,
        ' --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters host=', host,
        ',portNumber=', port, ',localPortNumber=', port, ` --region ${env.region}`,
      ]),
      description: 'Forwards localhost to the primary through the bastion (Session Manager plugin required)',
    },
    { key: 'KMSKeyArn', value: encryption.key.keyArn, description: 'KMS key ARN', exportSuffix: 'kms-key-arn' },
    { key: 'KMSKeyId', value: encryption.key.keyId, description: 'KMS key ID', exportSuffix: 'kms-key-id' },
    { key: 'S3BucketName', value: dataBucket.bucketName, description: 'Data bucket name', exportSuffix: 's3-bucket' },
    { key: 'S3AccessRoleArn', value: s3AccessRole.roleArn, description: 'S3 access role ARN (aws_s3 exports)', exportSuffix: 's3-role-arn' },
    { key: 'ApplicationSecurityGroupId', value: stack.appSecurityGroup.securityGroupId, description: 'Security group for application hosts that use the database', exportSuffix: 'app-sg-id' },
    { key: 'DatabaseSecurityGroupId', value: stack.databaseSecurityGroup.securityGroupId, description: 'Database security group ID', exportSuffix: 'db-sg-id' },
    { key: 'SNSTopicArn', value: alerts.topic.topicArn, description: 'Alert topic ARN', exportSuffix: 'sns-topic-arn' },
  ];
  return new StackOutputs(stack, 'Outputs', { exportPrefix: env.names.exportPrefix, outputs });
}
