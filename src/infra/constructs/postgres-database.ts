/**
 * presets.md b.1-b.2, b.5-b.7: an RDS for PostgreSQL primary and read replicas, each pinned to its own zone, one
 * parameter group, KMS encryption of storage and Performance Insights, enhanced monitoring through its own
 * role, log exports into log groups this construct owns (so their retention is set without a custom resource),
 * and a generated, rotated master password.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import RemovalPolicy = cdk.RemovalPolicy;
import ec2 = require('aws-cdk-lib/aws-ec2');
import iam = require('aws-cdk-lib/aws-iam');
import type * as kms from 'aws-cdk-lib/aws-kms';
import logs = require('aws-cdk-lib/aws-logs');
import rds = require('aws-cdk-lib/aws-rds');
import secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
import { Construct } from 'constructs';
import { rdsLogGroupName } from '../../config/presets/rds-postgres.js';
import { EXCLUDED_PASSWORD_CHARACTERS } from './database.js';
import { suppressPostgresFindings } from './postgres-nag.js';

/** PostgreSQL's log types RDS can export: the server log (slow queries, connections, pgaudit) and upgrades. */
export const POSTGRES_LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

export interface PostgresDatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the instances: the isolated tier (b.2). */
  readonly subnets: ec2.SubnetSelection;
  readonly subnetGroupName: string;
  /** The database tier's group (b.3); this construct adds the rotation function's ingress rule. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Storage, Performance Insights, secret and log groups. */
  readonly encryptionKey: kms.IKey;
  /** `17.5`. */
  readonly version: string;
  readonly instanceType: ec2.InstanceType;
  readonly primaryIdentifier: string;
  /** One identifier per read replica. */
  readonly replicaIdentifiers: readonly string[];
  /**
   * Zones: the primary in the first, replica i in zone i + 1, so that no two share one (failure-lessons.md #49).
   * Needs replicas + 1 zones (rule PG4).
   */
  readonly availabilityZones: readonly string[];
  /** A Multi-AZ primary cannot be pinned to a zone; RDS picks it. @default false */
  readonly multiAz?: boolean;
  readonly secretName: string;
  readonly rotationFunctionName: string;
  /** Subnets of the rotation function, which must reach Secrets Manager. */
  readonly rotationSubnets: ec2.SubnetSelection;
  /** @default 30 */
  readonly rotationDays?: number;
  /** @default 'dbadmin' */
  readonly username?: string;
  readonly databaseName: string;
  /** @default 5432 */
  readonly port?: number;
  readonly allocatedStorageGiB: number;
  /** Equal to allocatedStorageGiB: no storage autoscaling. */
  readonly maxAllocatedStorageGiB: number;
  readonly storageType: rds.StorageType;
  readonly backupRetentionDays: number;
  readonly backupWindow: string;
  readonly maintenanceWindow: string;
  /** Parameter-group values, already in the engine's units (src/config/presets/postgres-engine.ts). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly performanceInsightsRetentionDays: number;
  /** 0 turns enhanced monitoring off. */
  readonly monitoringIntervalSeconds: number;
  readonly logRetention: logs.RetentionDays;
  readonly deletionProtection: boolean;
  /** Primary: SNAPSHOT when kept, else DESTROY with its automated backups. Replicas are always deleted. */
  readonly retainData: boolean;
  /** Associated with the primary for aws_s3.query_export_to_s3 (b.5 S3 access role). @default - none */
  readonly s3ExportRole?: iam.IRole;
}

export class PostgresDatabase extends Construct {
  public readonly primary: rds.DatabaseInstance;
  public readonly replicas: readonly rds.DatabaseInstanceReadReplica[];
  /** The credentials secret, attached to the primary (its value carries host and port as well). */
  public readonly secret: secretsmanager.ISecret;
  public readonly parameterGroup: rds.ParameterGroup;
  /** b.5: enhanced monitoring only. */
  public readonly monitoringRole?: iam.Role;
  /** The exported log groups, by `<instance>/<log type>`. */
  public readonly logGroups: Readonly<Record<string, logs.LogGroup>>;
  public readonly rotationSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const { vpc, encryptionKey: key } = props;
    const port = props.port ?? 5432;
    const zones = props.availabilityZones;
    if (props.replicaIdentifiers.length > zones.length - 1) {
      throw new Error(`PostgresDatabase: ${props.replicaIdentifiers.length} replicas need ${props.replicaIdentifiers.length + 1} zones, got ${zones.length}`);
    }

    const credentials = new secretsmanager.Secret(this, 'Credentials', {
      secretName: props.secretName,
      description: 'RDS for PostgreSQL master user credentials',
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: props.username ?? 'dbadmin' }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      },
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const major = props.version.split('.')[0];
    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.of(props.version, major, { s3Import: true, s3Export: true }),
    });
    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `PostgreSQL ${major} tuned for read-heavy e-commerce (tapctl rds-postgres)`,
      parameters: { ...props.parameters },
    });
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc,
      vpcSubnets: props.subnets,
      subnetGroupName: props.subnetGroupName,
      description: `Isolated subnets of ${props.primaryIdentifier}`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (props.monitoringIntervalSeconds > 0) {
      this.monitoringRole = new iam.Role(this, 'MonitoringRole', {
        description: 'RDS enhanced monitoring: publishes OS metrics to CloudWatch Logs',
        assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
      });
    }

    const logGroups: Record<string, logs.LogGroup> = {};
    const logGroupsOf = (instanceId: string): logs.LogGroup[] =>
      POSTGRES_LOG_EXPORTS.map((type) => {
        const group = new logs.LogGroup(this, `Logs-${instanceId}-${type}`, {
          logGroupName: rdsLogGroupName(instanceId, type),
          retention: props.logRetention,
          encryptionKey: key,
          removalPolicy: RemovalPolicy.DESTROY,
        });
        logGroups[`${instanceId}/${type}`] = group;
        return group;
      });

    const common = {
      vpc,
      vpcSubnets: props.subnets,
      subnetGroup,
      securityGroups: [props.securityGroup],
      instanceType: props.instanceType,
      parameterGroup: this.parameterGroup,
      maxAllocatedStorage: props.maxAllocatedStorageGiB > props.allocatedStorageGiB ? props.maxAllocatedStorageGiB : undefined,
      storageType: props.storageType,
      enablePerformanceInsights: true,
      performanceInsightRetention: props.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      performanceInsightEncryptionKey: key,
      ...(this.monitoringRole ? { monitoringInterval: Duration.seconds(props.monitoringIntervalSeconds), monitoringRole: this.monitoringRole } : {}),
      cloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
      iamAuthentication: true,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      preferredMaintenanceWindow: props.maintenanceWindow,
      deletionProtection: props.deletionProtection,
      copyTagsToSnapshot: true,
    } satisfies Partial<rds.DatabaseInstanceProps>;

    this.primary = new rds.DatabaseInstance(this, 'Primary', {
      ...common,
      engine,
      instanceIdentifier: props.primaryIdentifier,
      credentials: rds.Credentials.fromSecret(credentials),
      databaseName: props.databaseName,
      port,
      storageEncrypted: true,
      storageEncryptionKey: key,
      multiAz: props.multiAz ?? false,
      ...(props.multiAz ? {} : { availabilityZone: zones[0] }),
      allocatedStorage: props.allocatedStorageGiB,
      backupRetention: Duration.days(props.backupRetentionDays),
      preferredBackupWindow: props.backupWindow,
      deleteAutomatedBackups: !props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      ...(props.s3ExportRole ? { s3ExportRole: props.s3ExportRole } : {}),
    });
    // RDS creates a missing export log group itself, without retention or key; ours must exist first.
    logGroupsOf(props.primaryIdentifier).forEach((g) => this.primary.node.addDependency(g));
    this.secret = this.primary.secret ?? credentials;

    this.replicas = props.replicaIdentifiers.map((instanceIdentifier, i) => {
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${i + 1}`, {
        ...common,
        sourceDatabaseInstance: this.primary,
        instanceIdentifier,
        availabilityZone: zones[i + 1],
        // No storage encryption settings: a replica in the primary's region is encrypted with the primary's key,
        // and CloudFormation asks not to repeat it (AWS::RDS::DBInstance KmsKeyId, StorageEncrypted).
        // A replica holds nothing the primary (and its backups and snapshot) does not.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      logGroupsOf(instanceIdentifier).forEach((g) => replica.node.addDependency(g));
      return replica;
    });
    this.logGroups = logGroups;

    suppressPostgresFindings(this, props);

    this.rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc,
      description: 'Hosted rotation function of the PostgreSQL credentials',
      allowAllOutbound: true,
    });
    props.securityGroup.addIngressRule(this.rotationSecurityGroup, ec2.Port.tcp(port), 'PostgreSQL from the secret rotation function');
    // Short construct ID: hosted rotation derives names from it (failure-lessons.md #4); the name is set anyway.
    new secretsmanager.RotationSchedule(this, 'Rotation', {
      secret: this.secret,
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        functionName: props.rotationFunctionName,
        vpc,
        vpcSubnets: props.rotationSubnets,
        securityGroups: [this.rotationSecurityGroup],
        excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      }),
      automaticallyAfter: Duration.days(props.rotationDays ?? 30),
    });
  }
}
