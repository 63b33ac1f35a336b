/**
 * Physical names of the catalog-api preset (presets.md part a): the spec's `catalog-api-<thing>-<s>` pattern,
 * with the project in place of the fixed `catalog-api` (a project named catalog-api gets the spec's names
 * exactly) and the sanitized suffix everywhere. Every name is checked against its AWS limit by rule N-rules
 * through `catalogApiNameChecks` before anything is synthesized.
 */
import { nameLimit, type NameCheck, type NameInputs, type PhysicalNames, ruleChecks } from '../naming.js';

/** The alarms of the catalog-api preset: the ecommerce alarms of its service, load balancer and database. */
export const CATALOG_ALARM_KEYS = [
  'ecs-high-cpu',
  'ecs-high-memory',
  'alb-unhealthy-targets',
  'alb-5xx-errors',
  'db-high-cpu',
  'db-high-connections',
] as const;
export type CatalogAlarmKey = (typeof CATALOG_ALARM_KEYS)[number];

export interface CatalogApiNames {
  readonly stack: string;
  readonly exportPrefix: string;
  /** `Name` tags of the network (a.3): the VPC, the internet gateway, one per subnet and the public route tables. */
  readonly vpc: string;
  readonly internetGateway: string;
  readonly publicSubnets: readonly string[];
  readonly privateSubnets: readonly string[];
  /** Not in the spec: tapctl keeps the database in its own isolated tier, unreachable from the app subnets' routes. */
  readonly dataSubnets: readonly string[];
  readonly publicRouteTable: string;
  /** `Name` tags of the security groups (a.4); group names would block replacement, so they are tags. */
  readonly albSecurityGroup: string;
  readonly ecsSecurityGroup: string;
  readonly dbSecurityGroup: string;
  /** a.5; the account makes the (global) bucket name unique, failure-lessons.md #3. */
  readonly logsBucket: string;
  readonly ecsLogGroup: string;
  /** a.5: the log group's `Name` tag. */
  readonly ecsLogGroupTag: string;
  /** a.6: `-v2` avoids a collision with a deleted predecessor. */
  readonly dbSecret: string;
  readonly dbSubnetGroup: string;
  readonly dbCluster: string;
  /** Writer first, then one per reader: `<p>-db-instance-1-<s>`, `-2-`, ... */
  readonly dbInstances: readonly string[];
  readonly rotationFunction: string;
  readonly loadBalancer: string;
  readonly targetGroup: string;
  /** The second target group of blue-green, canary and linear deployments (as PhysicalNames.alternateTargetGroup). */
  readonly alternateTargetGroup: string;
  readonly ecsCluster: string;
  readonly taskFamily: string;
  readonly ecsService: string;
  readonly scalingPolicy: string;
  readonly ecrRepository: string;
  readonly kmsAlias: string;
  readonly alertTopic: string;
  /** AWS WAF web ACL on CloudFront. */
  readonly webAcl: string;
  /** Secrets of the origin header: this, then `-<generation>`. */
  readonly originSecret: string;
  readonly alarms: Readonly<Record<CatalogAlarmKey, string>>;
  /** a.11 */
  readonly distributionComment: string;
  readonly originId: string;
}

export interface CatalogApiNameInputs extends NameInputs {
  /** Names shared with every preset (stack, export prefix, ECR repository, alarms): from physicalNames(). */
  readonly common: PhysicalNames;
  readonly availabilityZones: number;
  readonly readers: number;
}

export function catalogApiNames({ project: p, suffix: s, account, common, availabilityZones, readers }: CatalogApiNameInputs): CatalogApiNames {
  const perZone = (tier: string) => Array.from({ length: availabilityZones }, (_, i) => `${p}-${tier}-${i + 1}-${s}`);
  return {
    stack: common.stack,
    exportPrefix: common.exportPrefix,
    vpc: `${p}-vpc-${s}`,
    internetGateway: `${p}-igw-${s}`,
    publicSubnets: perZone('public'),
    privateSubnets: perZone('private'),
    dataSubnets: perZone('data'),
    publicRouteTable: `${p}-public-rt-${s}`,
    albSecurityGroup: `${p}-alb-sg-${s}`,
    ecsSecurityGroup: `${p}-ecs-sg-${s}`,
    dbSecurityGroup: `${p}-rds-sg-${s}`,
    logsBucket: `${p}-logs-${s}-${account}`,
    ecsLogGroup: `/ecs/${p}-${s}`,
    ecsLogGroupTag: `${p}-ecs-logs-${s}`,
    dbSecret: `${p}-db-password-${s}-v2`,
    dbSubnetGroup: `${p}-db-subnet-${s}`,
    dbCluster: `${p}-db-${s}`,
    dbInstances: Array.from({ length: 1 + readers }, (_, i) => `${p}-db-instance-${i + 1}-${s}`),
    rotationFunction: `${p}-db-rotation-${s}`,
    loadBalancer: `${p}-alb-${s}`,
    targetGroup: `${p}-tg-${s}`,
    alternateTargetGroup: common.alternateTargetGroup,
    ecsCluster: `${p}-cluster-${s}`,
    taskFamily: `${p}-${s}`,
    ecsService: `${p}-service-${s}`,
    scalingPolicy: `${p}-cpu-scaling-${s}`,
    ecrRepository: common.ecrRepository,
    kmsAlias: `alias/${p}-key-${s}`,
    alertTopic: `${p}-alerts-${s}`,
    webAcl: common.webAcl,
    originSecret: common.originSecret,
    alarms: Object.fromEntries(CATALOG_ALARM_KEYS.map((k) => [k, common.alarms[k]])) as Record<CatalogAlarmKey, string>,
    distributionComment: `CloudFront distribution for catalog API ${s}`,
    originId: `alb-origin-${s}`,
  };
}

/**
 * Every catalog-api name with the AWS rule it must follow (failure-lessons.md N1-N7); the alternate target group
 * only when the stack creates one (`alternateTargetGroup`: a blue-green, canary or linear deployment).
 */
export function catalogApiNameChecks(n: CatalogApiNames, options: { readonly alternateTargetGroup?: boolean } = {}): NameCheck[] {
  const rds = nameLimit('dbCluster', 'RDS instance identifier');
  return [
    ...ruleChecks(n, ['stack', 'exportPrefix', 'loadBalancer', 'targetGroup', 'logsBucket', 'ecsLogGroup', 'dbSecret', 'dbCluster']),
    ...(options.alternateTargetGroup ? ruleChecks(n, ['alternateTargetGroup']) : []),
    ...n.dbInstances.map((name, i) => ({ key: `dbInstances.${i}`, name, limit: rds })),
    { key: 'dbSubnetGroup', name: n.dbSubnetGroup, limit: { ...nameLimit('dbCluster', 'DB subnet group name'), max: 255 } },
    ...ruleChecks(n, ['rotationFunction', 'ecsCluster', 'ecsService', 'taskFamily', 'ecrRepository', 'kmsAlias', 'alertTopic', 'webAcl', 'originSecret']),
    { key: 'scalingPolicy', name: n.scalingPolicy, limit: { ...nameLimit('alertTopic', 'scaling policy name'), max: 256 } },
  ];
}
