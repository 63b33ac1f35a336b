/**
 * Physical names of the rds-postgres preset (presets.md part b). The spec fixes none, only that the
 * environment suffix is in every one (b.9); tapctl uses `<project>-pg-...-<suffix>` so that a catalog-api or
 * ecommerce project of the same name could share the account.
 */
import { nameLimit, type NameCheck, type NameInputs, type PhysicalNames, ruleChecks } from '../naming.js';

export interface RdsPostgresNames {
  readonly stack: string;
  readonly exportPrefix: string;
  readonly vpc: string;
  readonly primary: string;
  /** One per read replica: `<p>-pg-replica-1-<s>`, ... */
  readonly replicas: readonly string[];
  readonly subnetGroup: string;
  readonly secret: string;
  readonly rotationFunction: string;
  readonly kmsAlias: string;
  /** Database exports and the S3 access role's bucket (b.5, b.8); the account makes the global name unique. */
  readonly dataBucket: string;
  /** Server access logs of the data bucket. */
  readonly accessLogsBucket: string;
  /** `Name` tag of the SSM bastion instance. */
  readonly bastion: string;
  /** `Name` tags of the three security-group tiers (b.3). */
  readonly appSecurityGroup: string;
  readonly dbSecurityGroup: string;
  readonly bastionSecurityGroup: string;
  readonly alertTopic: string;
  /** Alarm names by key: `pg-high-cpu`, `pg-low-storage`, `pg-high-connections`, then `pg-replica-<n>-...` and `-lag` per replica. */
  readonly alarms: Readonly<Record<string, string>>;
}

export interface RdsPostgresNameInputs extends NameInputs {
  readonly common: PhysicalNames;
  readonly readReplicas: number;
}

/** The log group RDS exports a log type of an instance to; it must be named exactly so. */
export const rdsLogGroupName = (instanceId: string, logType: string): string => `/aws/rds/instance/${instanceId}/${logType}`;

export function rdsPostgresNames({ project: p, suffix: s, account, common, readReplicas }: RdsPostgresNameInputs): RdsPostgresNames {
  const primary = `${p}-pg-${s}`;
  const replicas = Array.from({ length: readReplicas }, (_, i) => `${p}-pg-replica-${i + 1}-${s}`);
  const alarms: Record<string, string> = {};
  for (let i = 0; i <= readReplicas; i++) {
    const who = i === 0 ? 'pg' : `pg-replica-${i}`;
    for (const what of ['high-cpu', 'low-storage', 'high-connections', ...(i > 0 ? ['lag'] : [])]) {
      alarms[`${who}-${what}`] = `${common.exportPrefix}-${who}-${what}`;
    }
  }
  return {
    stack: common.stack,
    exportPrefix: common.exportPrefix,
    vpc: `${p}-pg-vpc-${s}`,
    primary,
    replicas,
    subnetGroup: `${p}-pg-subnets-${s}`,
    secret: `${p}/${s}/pg-credentials`,
    rotationFunction: `${p}-pg-rotation-${s}`,
    kmsAlias: `alias/${p}-pg-key-${s}`,
    dataBucket: `${p}-pg-data-${s}-${account}`,
    accessLogsBucket: `${p}-pg-logs-${s}-${account}`,
    bastion: `${p}-pg-bastion-${s}`,
    appSecurityGroup: `${p}-pg-app-sg-${s}`,
    dbSecurityGroup: `${p}-pg-db-sg-${s}`,
    bastionSecurityGroup: `${p}-pg-bastion-sg-${s}`,
    alertTopic: `${p}-pg-alerts-${s}`,
    alarms,
  };
}

/** Every rds-postgres name with the AWS rule it must follow (failure-lessons.md N1-N7). */
export function rdsPostgresNameChecks(n: RdsPostgresNames): NameCheck[] {
  const instance = nameLimit('dbCluster', 'RDS instance identifier');
  return [
    ...ruleChecks(n, ['stack', 'exportPrefix']),
    { key: 'primary', name: n.primary, limit: instance },
    ...n.replicas.map((name, i) => ({ key: `replicas.${i}`, name, limit: instance })),
    // The exported log group carries the instance name: the longest log group name of the stack.
    ...[n.primary, ...n.replicas].map((id, i) => ({ key: `logGroups.${i}`, name: rdsLogGroupName(id, 'postgresql'), limit: nameLimit('ecsLogGroup') })),
    { key: 'subnetGroup', name: n.subnetGroup, limit: { ...nameLimit('dbCluster', 'DB subnet group name'), max: 255 } },
    { key: 'secret', name: n.secret, limit: nameLimit('dbSecret') },
    ...ruleChecks(n, ['rotationFunction', 'kmsAlias']),
    { key: 'dataBucket', name: n.dataBucket, limit: nameLimit('staticBucket') },
    { key: 'accessLogsBucket', name: n.accessLogsBucket, limit: nameLimit('logsBucket') },
    ...ruleChecks(n, ['alertTopic']),
    ...Object.entries(n.alarms).map(([key, name]) => ({ key: `alarms.${key}`, name, limit: { ...nameLimit('dashboard', 'alarm name'), max: 255 } })),
  ];
}
