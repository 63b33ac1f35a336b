/**
 * tapstack.md §4: the master credentials secret, its hosted rotation and the Aurora Serverless v2 cluster.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DB_PORT, rdsEngineVersion } from '../../config/engine-versions.js';
import type { DbEngine } from '../../config/schema.js';
import { suppressNag } from '../nag-suppressions.js';

/**
 * The 27 characters the generated password never contains (tapstack.md §4.1): they break connection strings,
 * shells and URLs. The hosted rotation uses the same list, so rotated passwords follow the same rule.
 */
export const EXCLUDED_PASSWORD_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Security group of the cluster; this construct adds the rule that admits the rotation function. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Key for the secret and the cluster storage. */
  readonly encryptionKey: kms.IKey;
  /**
   * Aurora engine; it decides the port and the hosted rotation type as well.
   *
   * @default 'aurora-postgresql'
   */
  readonly engine?: DbEngine;
  /** Engine version in tapctl's form: `16.4` (PostgreSQL), `3.08.0` (MySQL). */
  readonly engineVersion: string;
  /** DB cluster identifier. */
  readonly clusterIdentifier: string;
  /** Name of the master credentials secret. */
  readonly secretName: string;
  /** Name of the hosted rotation function (generated names overflowed 64 characters: failure-lessons.md #4). */
  readonly rotationFunctionName: string;
  /** @default 'dbadmin' */
  readonly username?: string;
  /** @default 'ecommerce' */
  readonly databaseName?: string;
  /** Serverless v2 minimum capacity, ACUs. @default 0.5 */
  readonly minCapacity?: number;
  /** Serverless v2 maximum capacity, ACUs. @default 2 */
  readonly maxCapacity?: number;
  /** Serverless v2 readers, each scaling with the writer. @default 1 */
  readonly readers?: number;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** UTC, hh:mm-hh:mm. @default '03:00-04:00' */
  readonly backupWindow?: string;
  /** UTC, ddd:hh:mm-ddd:hh:mm. @default 'sun:04:00-sun:05:00' */
  readonly maintenanceWindow?: string;
  /** @default 30 */
  readonly rotationDays?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /**
   * Keep the data when the stack is deleted: a final snapshot of the cluster and the secret are retained.
   * Off, everything is deleted (failure-lessons.md L1).
   *
   * @default true
   */
  readonly retainData?: boolean;
}

/** Aurora Serverless v2 with its credentials in Secrets Manager, rotated by a hosted rotation function. */
export class Database extends Construct {
  public readonly cluster: rds.DatabaseCluster;
  /** The credentials secret attached to the cluster (its value carries host, port and engine as well). */
  public readonly secret: secretsmanager.ISecret;
  /** Port the cluster listens on. */
  public readonly port: number;
  /** Security group of the rotation function; the cluster's group admits it on the database port. */
  public readonly rotationSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const engineName = props.engine ?? 'aurora-postgresql';
    const mysql = engineName === 'aurora-mysql';
    const retainData = props.retainData ?? true;
    const deletionProtection = props.deletionProtection ?? true;
    this.port = DB_PORT[engineName];

    const credentials = new secretsmanager.Secret(this, 'RDSCredentials', {
      secretName: props.secretName,
      description: 'RDS master user credentials',
      encryptionKey: props.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: props.username ?? 'dbadmin' }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      },
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const engine = mysql
      ? rds.DatabaseClusterEngine.auroraMysql({
          version: rds.AuroraMysqlEngineVersion.of(rdsEngineVersion(engineName, props.engineVersion), '8.0'),
        })
      : rds.DatabaseClusterEngine.auroraPostgres({
          version: rds.AuroraPostgresEngineVersion.of(props.engineVersion, props.engineVersion.split('.')[0]),
        });

    const readers = props.readers ?? 1;
    this.cluster = new rds.DatabaseCluster(this, 'AuroraCluster', {
      engine,
      clusterIdentifier: props.clusterIdentifier,
      credentials: rds.Credentials.fromSecret(credentials),
      defaultDatabaseName: props.databaseName ?? 'ecommerce',
      port: this.port,
      // Cluster-level placement, no instanceProps (failure-lessons.md #7).
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      serverlessV2MinCapacity: props.minCapacity ?? 0.5,
      serverlessV2MaxCapacity: props.maxCapacity ?? 2,
      writer: rds.ClusterInstance.serverlessV2('writer'),
      readers: Array.from({ length: readers }, (_, i) =>
        rds.ClusterInstance.serverlessV2(i === 0 ? 'reader' : `reader${i + 1}`, { scaleWithWriter: true }),
      ),
      backup: {
        retention: Duration.days(props.backupRetentionDays ?? 7),
        preferredWindow: props.backupWindow ?? '03:00-04:00',
      },
      preferredMaintenanceWindow: props.maintenanceWindow ?? 'sun:04:00-sun:05:00',
      // Not in the spec; costs nothing and lets clients use short-lived IAM tokens instead of the password.
      iamAuthentication: true,
      deletionProtection,
      removalPolicy: retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    // The cluster attaches the secret (host, port, engine are added to its value); rotation and consumers use
    // the attachment so they wait for it.
    this.secret = this.cluster.secret ?? credentials;

    // §13 flag: in the spec the rotation function shared the database group, which has no outbound rules, so
    // it could reach neither Secrets Manager nor the database. It gets its own group with outbound traffic
    // (Secrets Manager through the NAT gateways) and the database group admits it.
    this.rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: 'Hosted rotation function of the database credentials',
      allowAllOutbound: true,
    });
    props.securityGroup.addIngressRule(
      this.rotationSecurityGroup,
      ec2.Port.tcp(this.port),
      `Allow ${mysql ? 'MySQL' : 'PostgreSQL'} traffic from the secret rotation function`,
    );

    const rotationOptions: secretsmanager.SingleUserHostedRotationOptions = {
      functionName: props.rotationFunctionName,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.rotationSecurityGroup],
      excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
    };
    // Short construct ID: hosted rotation derived a name from it that overflowed 64 characters (failure #4).
    new secretsmanager.RotationSchedule(this, 'Rotation', {
      secret: this.secret,
      hostedRotation: mysql
        ? secretsmanager.HostedRotation.mysqlSingleUser(rotationOptions)
        : secretsmanager.HostedRotation.postgreSqlSingleUser(rotationOptions),
      automaticallyAfter: Duration.days(props.rotationDays ?? 30),
    });

    suppressNag(this.cluster, [
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'The engine default port is kept so that standard clients and drivers work; only the ECS, Lambda and rotation security groups can reach it, from isolated subnets.',
      },
      ...(deletionProtection
        ? []
        : [
            {
              id: 'AwsSolutions-RDS10',
              reason:
                'Deletion protection is off by configuration (protection.deletionProtection, default off outside production) so that the environment can be torn down.',
            },
          ]),
      ...(mysql
        ? [
            {
              id: 'AwsSolutions-RDS14',
              reason:
                'Recovery is point-in-time restore from automated backups (backupRetentionDays); Backtrack is not enabled because the spec does not ask for it and it bills per change record.',
            },
          ]
        : []),
    ]);
  }
}
