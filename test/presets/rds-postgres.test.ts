/** The rds-postgres preset against the tables of presets.md part b (b.1-b.8) and failure-lessons.md H. */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RdsPostgresStack } from '../../src/infra/presets/rds-postgres-stack.js';
import { only, synthPostgres, type Synthesized } from './fixtures.js';

type Postgres = Synthesized<RdsPostgresStack>;
const instances = (s: Postgres) => Object.values(s.template.findResources('AWS::RDS::DBInstance')) as Array<Record<string, any>>;
const lid = (s: Postgres, construct: { node: { defaultChild?: unknown } }) => s.stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;

describe('rds-postgres preset', () => {
  let dev: Postgres; // GIVEN: development with two replicas over three zones
  let prod: Postgres; // GIVEN: production, the same topology
  beforeAll(() => {
    dev = synthPostgres('dev', { postgres: { readReplicas: 2 } });
    prod = synthPostgres('prod', { postgres: { readReplicas: 2 } });
  });

  describe('b.1 engine and parameter group', () => {
    it('runs RDS for PostgreSQL 17.5 with one parameter group of the postgres17 family', () => {
      for (const r of instances(dev).filter((i) => !i.Properties.SourceDBInstanceIdentifier)) {
        expect(r.Properties).toMatchObject({ Engine: 'postgres', EngineVersion: '17.5', DBInstanceClass: 'db.r6g.large' });
      }
      dev.template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres17' });
    });

    it("writes memory parameters as integers in the engine's unit: shared_buffers in 8 kB pages, maintenance_work_mem in kB", () => {
      const { Parameters } = only(dev.template, 'AWS::RDS::DBParameterGroup').resource.Properties;
      // db.r6g.large has 16 GiB: a quarter in 8 kB pages is 524288 (the spec's 1048576 would be 8 GiB there).
      expect(Parameters).toMatchObject({ shared_buffers: '524288', effective_cache_size: '1572864', maintenance_work_mem: '262144' });
      for (const [name, value] of Object.entries(Parameters as Record<string, string>)) {
        expect(value, name).not.toMatch(/^\d+\s*(kB|MB|GB|TB)$/i);
      }
    });

    it('merges the config over the tuned set and follows the instance class', () => {
      const small = synthPostgres('dev', { postgres: { instanceClass: 'db.t4g.medium', readReplicas: 0, parameters: { work_mem: 8192 } } });
      const { Parameters } = only(small.template, 'AWS::RDS::DBParameterGroup').resource.Properties;
      expect(Parameters).toMatchObject({ shared_buffers: '131072', work_mem: '8192', 'pgaudit.log': 'ddl,role' });
    });
  });

  describe('b.2 topology', () => {
    it('pins the primary to the first zone and each replica to its own other zone', () => {
      const zones = instances(dev).map((r) => r.Properties.AvailabilityZone);
      expect(zones).toHaveLength(3);
      expect(new Set(zones).size).toBe(3);
      const primary = instances(dev).find((r) => !r.Properties.SourceDBInstanceIdentifier)!;
      expect(primary.Properties).toMatchObject({ AvailabilityZone: 'eu-north-1a', MultiAZ: false, DBInstanceIdentifier: 'shop-pg-dev' });
      dev.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'shop-pg-replica-1-dev', AvailabilityZone: 'eu-north-1b', SourceDBInstanceIdentifier: Match.anyValue() });
      dev.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'shop-pg-replica-2-dev', AvailabilityZone: 'eu-north-1c', SourceDBInstanceIdentifier: Match.anyValue() });
    });

    it('places the instances in the isolated tier and encrypts them with the rotating KMS key', () => {
      const key = lid(dev, dev.stack.encryption.key);
      dev.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      dev.template.hasResourceProperties('AWS::RDS::DBInstance', {
        DBInstanceIdentifier: 'shop-pg-dev',
        StorageEncrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
        PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
        PubliclyAccessible: false,
        StorageType: 'gp3',
        AllocatedStorage: '100',
        MaxAllocatedStorage: 500,
      });
      const { resource } = only(dev.template, 'AWS::RDS::DBSubnetGroup');
      expect(resource.Properties.DBSubnetGroupName).toBe('shop-pg-subnets-dev');
      expect(JSON.stringify(resource.Properties.SubnetIds)).toMatch(/DataSubnet/);
    });

    it('keeps the credentials in a generated, KMS-encrypted secret that rotates', () => {
      dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: 'shop/dev/pg-credentials',
        KmsKeyId: Match.anyValue(),
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
      });
      dev.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', RotationLambdaName: 'shop-pg-rotation-dev' }),
      });
    });
  });

  describe('b.3 security-group tiers and b.4 bastion', () => {
    it('lets the database be reached only from the application and bastion tiers', () => {
      const { stack, template } = dev;
      const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
      const toDb = rules.filter((r) => r.GroupId['Fn::GetAtt'][0] === lid(dev, stack.databaseSecurityGroup));
      const sources = toDb.map((r) => r.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
      const rotation = lid(dev, stack.database.rotationSecurityGroup);
      expect(sources).toEqual([lid(dev, stack.appSecurityGroup), lid(dev, stack.bastionSecurityGroup), rotation].sort());
      expect(toDb.every((r) => r.FromPort === 5432 && r.ToPort === 5432)).toBe(true);
      // No CIDR reaches the database, and the bastion has no inbound rule at all.
      expect(rules.some((r) => r.CidrIp)).toBe(false);
      expect(rules.some((r) => r.GroupId['Fn::GetAtt'][0] === lid(dev, stack.bastionSecurityGroup))).toBe(false);
    });

    it('runs an SSM-managed bastion: no key pair, no public address, IMDSv2, encrypted disk', () => {
      const { resource } = only(dev.template, 'AWS::EC2::Instance');
      expect(resource.Properties.KeyName).toBeUndefined();
      expect(resource.Properties).toMatchObject({ InstanceType: 't4g.micro', Monitoring: true, BlockDeviceMappings: [{ Ebs: { Encrypted: true } }] });
      dev.template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } } });
      dev.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] }),
        ManagedPolicyArns: Match.arrayWith([Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/AmazonSSMManagedInstanceCore'])] })]),
      });
    });
  });

  describe('b.5 separate roles', () => {
    it('has one role per service, each trusting only its own principal', () => {
      const trusts = Object.values(dev.template.findResources('AWS::IAM::Role')).map((r: any) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service);
      expect(trusts).toEqual(expect.arrayContaining(['monitoring.rds.amazonaws.com', 'rds.amazonaws.com', 'ec2.amazonaws.com']));
      dev.template.hasResourceProperties('AWS::RDS::DBInstance', {
        DBInstanceIdentifier: 'shop-pg-dev',
        MonitoringInterval: 60,
        MonitoringRoleArn: { 'Fn::GetAtt': [lid(dev, dev.stack.database.monitoringRole!), 'Arn'] },
        AssociatedRoles: [{ FeatureName: 's3Export', RoleArn: { 'Fn::GetAtt': [lid(dev, dev.stack.s3AccessRole), 'Arn'] } }],
      });
    });

    it('limits the S3 access role to the data bucket and its key', () => {
      const role = lid(dev, dev.stack.s3AccessRole);
      const policy = Object.values(dev.template.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.Roles[0].Ref === role) as any;
      const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
      expect(actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 's3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    });
  });

  describe('b.6 removal policies', () => {
    it('destroys everything in development, buckets emptied first', () => {
      for (const r of Object.values(dev.template.toJSON().Resources as Record<string, any>)) {
        expect(['Retain', 'Snapshot', 'RetainExceptOnCreate'], r.Type).not.toContain(r.DeletionPolicy);
      }
      expect(Object.keys(dev.template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(2);
    });

    it('keeps a snapshot, the secret, the key and the buckets in production; replicas are rebuilt from the primary', () => {
      const primary = Object.values(prod.template.findResources('AWS::RDS::DBInstance', { Properties: { DBInstanceIdentifier: 'shop-pg-prod' } }))[0] as any;
      expect(primary.DeletionPolicy).toBe('Snapshot');
      expect(primary.Properties.DeletionProtection).toBe(true);
      for (const type of ['AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::S3::Bucket']) {
        for (const r of Object.values(prod.template.findResources(type)) as any[]) expect(r.DeletionPolicy, type).toBe('Retain');
      }
      prod.template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DBInstanceIdentifier: 'shop-pg-replica-1-prod' }) });
    });
  });

  describe('b.7 monitoring', () => {
    it('alarms on each replica\'s lag with the replica\'s own DBInstanceIdentifier', () => {
      dev.stack.database.replicas.forEach((replica, i) => {
        dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `shop-dev-pg-replica-${i + 1}-lag`,
          MetricName: 'ReplicaLag',
          Namespace: 'AWS/RDS',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: lid(dev, replica) } }],
          Threshold: 30,
          EvaluationPeriods: 2,
        });
      });
    });

    it('alarms on CPU, free storage and connections of every instance, with explicit thresholds', () => {
      const primary = { Ref: lid(dev, dev.stack.database.primary) };
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop-dev-pg-high-cpu', MetricName: 'CPUUtilization', Threshold: 80, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: primary }] });
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop-dev-pg-low-storage', MetricName: 'FreeStorageSpace', Threshold: 10 * 1024 ** 3, ComparisonOperator: 'LessThanThreshold' });
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop-dev-pg-high-connections', MetricName: 'DatabaseConnections', Threshold: 500 });
      expect(Object.keys(dev.template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(3 * 3 + 2);
    });

    it('turns on Performance Insights and exports the PostgreSQL logs into groups with retention', () => {
      for (const r of instances(dev)) {
        expect(r.Properties).toMatchObject({ EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 7, EnableCloudwatchLogsExports: ['postgresql', 'upgrade'] });
      }
      dev.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/shop-pg-dev/postgresql', RetentionInDays: 30 });
      // The group exists before RDS exports into it (or RDS creates its own, without retention).
      dev.template.hasResource('AWS::RDS::DBInstance', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('Logsshoppgdevpostgresql')]) });
    });
  });

  describe('b.8 outputs', () => {
    it('outputs the bastion, key, bucket, endpoints and the keys shared with the other presets', () => {
      const outputs = Object.keys(prod.template.toJSON().Outputs);
      expect(outputs).toEqual(
        expect.arrayContaining(['BastionInstanceId', 'KMSKeyArn', 'S3BucketName', 'DatabaseEndpoint', 'DatabasePort', 'DatabaseSecretArn', 'DatabaseInstanceId', 'ReadReplica1Endpoint', 'ReadReplica2Endpoint', 'ReadReplicaEndpoints']),
      );
      for (const absent of ['ALBDNSName', 'CloudFrontURL', 'ECSServiceName', 'ECRRepositoryURI', 'APIGatewayURL']) expect(outputs).not.toContain(absent);
    });
  });
});
