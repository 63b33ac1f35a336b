/**
 * The e-commerce RDS PostgreSQL platform of presets.md part b, composed from tapctl's constructs: a three-tier
 * VPC, three security-group tiers, a KMS key with rotation, RDS for PostgreSQL with zone-pinned read replicas,
 * an SSM bastion, a data bucket with its S3 access role, alarms and the outputs integration tests need. Every
 * number b.10 leaves open comes from the config's `postgres:` section.
 */
import cdk = require('aws-cdk-lib');
import CfnResource = cdk.CfnResource;
import Duration = cdk.Duration;
import Stack = cdk.Stack;
import Tags = cdk.Tags;
import ec2 = require('aws-cdk-lib/aws-ec2');
import iam = require('aws-cdk-lib/aws-iam');
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import rds = require('aws-cdk-lib/aws-rds');
import s3 = require('aws-cdk-lib/aws-s3');
import type { Construct } from 'constructs';
import { rdsPostgresNamesOf } from '../../config/presets/index.js';
import { postgresParameters } from '../../config/presets/postgres-engine.js';
import type { RdsPostgresNames } from '../../config/presets/rds-postgres.js';
import type { AlertTopic } from '../constructs/alert-topic.js';
import { Bastion } from '../constructs/bastion.js';
import { Encryption } from '../constructs/encryption.js';
import type { StackOutputs } from '../constructs/outputs.js';
import { PostgresDatabase } from '../constructs/postgres-database.js';
import { TieredVpc } from '../constructs/tiered-vpc.js';
import { suppressNag } from '../nag-suppressions.js';
import { postgresAlarms, postgresOutputs } from './rds-postgres-outputs.js';
import { removalPolicyOf, stackPropsOf, tagStack, type PresetStackProps } from './preset-stack.js';

export const POSTGRES_STACK_DESCRIPTION = 'E-commerce RDS PostgreSQL: primary and zone-pinned read replicas, SSM bastion, KMS';

export class RdsPostgresStack extends Stack {
  public readonly names: RdsPostgresNames;
  public readonly encryption: Encryption;
  public readonly network: TieredVpc;
  /** b.3: application hosts; may reach the database. */
  public readonly appSecurityGroup: ec2.SecurityGroup;
  /** b.3: reachable only from the application and bastion tiers. */
  public readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** b.3: no inbound rule at all; Session Manager needs none. */
  public readonly bastionSecurityGroup: ec2.SecurityGroup;
  public readonly database: PostgresDatabase;
  public readonly bastion: Bastion;
  /** b.8: data exports; reached by the S3 access role. */
  public readonly dataBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  /** b.5: bucket access only, assumed by RDS for aws_s3 exports. */
  public readonly s3AccessRole: iam.Role;
  public readonly alerts: AlertTopic;
  public readonly outputs: StackOutputs;

  constructor(scope: Construct, id: string, props: PresetStackProps) {
    super(scope, id, stackPropsOf(props, POSTGRES_STACK_DESCRIPTION));
    const env = props.config;
    if (env.preset !== 'rds-postgres') throw new Error(`RdsPostgresStack builds the rds-postgres preset, not '${env.preset}'`);
    const n = (this.names = rdsPostgresNamesOf(env));
    const pg = env.postgres;
    const retain = env.protection.retainData;
    // b.6: development and test are torn down completely, buckets emptied first; production keeps its data.
    const removalPolicy = removalPolicyOf(env);

    this.encryption = new Encryption(this, 'Encryption', {
      aliasName: n.kmsAlias,
      description: 'KMS key of the e-commerce PostgreSQL: storage, Performance Insights, secret, logs, bucket',
      removalPolicy,
    });
    const key = this.encryption.key;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      bucketName: n.accessLogsBucket,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', enabled: true, prefix: '', expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: !retain,
    });
    this.dataBucket = new s3.Bucket(this, 'DataBucket', {
      bucketName: n.dataBucket,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [{ id: 'expire-old-versions', enabled: true, prefix: '', noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: !retain,
    });

    this.network = new TieredVpc(this, 'Network', {
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      subnetMask: env.network.subnetMask,
      // The NAT carries management traffic only (SSM for the bastion, Secrets Manager for rotation).
      egress: 'nat',
      natGateways: env.network.natGateways,
      flowLogsBucket: this.accessLogsBucket,
      names: { vpc: n.vpc },
    });
    const vpc = this.network.vpc;
    [this.appSecurityGroup, this.databaseSecurityGroup, this.bastionSecurityGroup] = this.securityTiers(vpc, n, pg.port);

    this.s3AccessRole = this.s3Access(key);

    const azs = env.network.availabilityZones;
    this.database = new PostgresDatabase(this, 'Database', {
      vpc,
      subnets: this.network.dataSubnets,
      subnetGroupName: n.subnetGroup,
      securityGroup: this.databaseSecurityGroup,
      encryptionKey: key,
      version: pg.version,
      instanceType: new ec2.InstanceType(pg.instanceClass.replace(/^db\./, '')),
      primaryIdentifier: n.primary,
      replicaIdentifiers: n.replicas,
      availabilityZones: azs,
      multiAz: pg.multiAz,
      secretName: n.secret,
      rotationFunctionName: n.rotationFunction,
      rotationSubnets: this.network.appSubnets,
      rotationDays: env.database.rotationDays,
      username: env.database.username,
      databaseName: env.database.name,
      port: pg.port,
      allocatedStorageGiB: pg.allocatedStorageGiB,
      maxAllocatedStorageGiB: pg.maxAllocatedStorageGiB,
      storageType: pg.storageType as rds.StorageType,
      backupRetentionDays: pg.backupRetentionDays,
      backupWindow: env.database.backupWindow,
      maintenanceWindow: env.database.maintenanceWindow,
      parameters: postgresParameters(pg.instanceClass, pg.parameters),
      performanceInsightsRetentionDays: pg.performanceInsightsRetentionDays,
      monitoringIntervalSeconds: pg.monitoringIntervalSeconds,
      logRetention: pg.logRetentionDays as logs.RetentionDays,
      deletionProtection: env.protection.deletionProtection,
      retainData: retain,
      s3ExportRole: this.s3AccessRole,
    });

    this.bastion = new Bastion(this, 'Bastion', {
      vpc,
      subnets: this.network.appSubnets,
      securityGroup: this.bastionSecurityGroup,
      instanceType: new ec2.InstanceType(pg.bastionInstanceType),
      name: n.bastion,
    });

    this.alerts = postgresAlarms(this, env);
    this.outputs = postgresOutputs(this, env);
    tagStack(this, env, { Project: env.project });
  }

  /**
   * b.5: the S3 access role, for aws_s3.query_export_to_s3 (and table_import_from_s3) from the primary: the data
   * bucket's objects and the key that encrypts them, nothing else. Narrower than bucket.grantReadWrite(), which
   * adds deletes, ACL changes and every List and Get action.
   */
  private s3Access(key: kms.IKey): iam.Role {
    const role = new iam.Role(this, 'S3AccessRole', {
      description: 'RDS for PostgreSQL exports to and imports from the data bucket: bucket access only',
      assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.dataBucket.bucketArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [this.dataBucket.arnForObjects('*')] }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }));
    const bucketId = this.resolve((this.dataBucket.node.defaultChild as CfnResource).logicalId) as string;
    suppressNag(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Exports write and imports read objects of any name, but only in the data bucket (b.5: bucket access only).',
          appliesTo: [`Resource::<${bucketId}.Arn>/*`],
        },
      ],
      { applyToChildren: true },
    );
    return role;
  }

  /** b.3: three tiers; the database admits its port from the application and bastion tiers only. */
  private securityTiers(vpc: ec2.IVpc, n: RdsPostgresNames, port: number): [ec2.SecurityGroup, ec2.SecurityGroup, ec2.SecurityGroup] {
    const group = (id: string, name: string, description: string) => {
      const sg = new ec2.SecurityGroup(this, id, { vpc, description, allowAllOutbound: false });
      Tags.of(sg).add('Name', name);
      return sg;
    };
    const app = group('AppSecurityGroup', n.appSecurityGroup, 'Application tier: hosts that use the database');
    const database = group('DbSecurityGroup', n.dbSecurityGroup, 'Database tier: PostgreSQL from the application and bastion tiers only');
    const bastion = group('BastionSecurityGroup', n.bastionSecurityGroup, 'Bastion tier: Session Manager only, no inbound');
    const pg = ec2.Port.tcp(port);
    database.addIngressRule(app, pg, 'PostgreSQL from the application tier');
    database.addIngressRule(bastion, pg, 'PostgreSQL from the bastion (SSM port forwarding)');
    app.addEgressRule(database, pg, 'PostgreSQL to the database tier');
    bastion.addEgressRule(database, pg, 'PostgreSQL to the database tier');
    // The SSM agent dials out to the Session Manager endpoints over HTTPS (through the NAT gateway).
    bastion.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to Session Manager');
    return [app, database, bastion];
  }
}
