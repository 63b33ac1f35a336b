/**
 * What differs between the three presets outside the CDK app: their physical names, which settings each reads,
 * and which parts (service, load balancer, CDN, API, database kind) a deployed stack of the preset has. The
 * rules, `tapctl status` and the infra all ask here instead of testing preset names themselves.
 */
import type { ResolvedEnvironment } from '../resolve.js';
import type { Preset } from '../schema.js';
import { deploymentOf } from '../deployment.js';
import { ecommerceNameChecks, physicalNames, type NameCheck } from '../naming.js';
import { catalogApiNameChecks, catalogApiNames, type CatalogApiNames } from './catalog-api.js';
import { rdsPostgresNameChecks, rdsPostgresNames, type RdsPostgresNames } from './rds-postgres.js';

export function catalogApiNamesOf(env: ResolvedEnvironment): CatalogApiNames {
  return catalogApiNames({
    project: env.project,
    suffix: env.suffix,
    account: env.account,
    region: env.region,
    common: env.names,
    availabilityZones: env.network.availabilityZones.length,
    readers: env.database.readers,
  });
}

export function rdsPostgresNamesOf(env: ResolvedEnvironment): RdsPostgresNames {
  return rdsPostgresNames({
    project: env.project,
    suffix: env.suffix,
    account: env.account,
    region: env.region,
    common: env.names,
    readReplicas: env.postgres.readReplicas,
  });
}

/**
 * Every name the environment's stack gets from tapctl, with its AWS rule. `suffix` replaces the environment's own,
 * so that a rule can ask whether a name would break whatever the suffix is (then the project is the cause).
 */
export function nameChecksOf(env: ResolvedEnvironment, suffix: string = env.suffix): NameCheck[] {
  const inputs = { project: env.project, suffix, account: env.account, region: env.region };
  const common = suffix === env.suffix ? env.names : physicalNames(inputs);
  // The second target group exists only for blue-green, canary and linear deployments (config/deployment.ts).
  const alternateTargetGroup = deploymentOf(env)?.alternateTargetGroup ?? false;
  switch (env.preset) {
    case 'catalog-api':
      return catalogApiNameChecks(catalogApiNames({ ...inputs, common, availabilityZones: env.network.availabilityZones.length, readers: env.database.readers }), { alternateTargetGroup });
    case 'rds-postgres':
      return rdsPostgresNameChecks(rdsPostgresNames({ ...inputs, common, readReplicas: env.postgres.readReplicas }));
    default:
      return ecommerceNameChecks(common, alternateTargetGroup ? [] : ['alternateTargetGroup']);
  }
}

/** Every physical name an environment's stack creates, in the shape of its preset. */
export function presetNames(env: ResolvedEnvironment): object {
  switch (env.preset) {
    case 'catalog-api':
      return catalogApiNamesOf(env);
    case 'rds-postgres':
      return rdsPostgresNamesOf(env);
    default:
      return env.names;
  }
}

/** The alarm names an environment's stack creates, by key (status reads them to count what fires). */
export function presetAlarmNames(env: ResolvedEnvironment): Readonly<Record<string, string>> {
  switch (env.preset) {
    case 'catalog-api':
      return catalogApiNamesOf(env).alarms;
    case 'rds-postgres':
      return rdsPostgresNamesOf(env).alarms;
    default:
      return env.names.alarms;
  }
}

/** The parts of a deployed stack that `tapctl status` shows a section for. */
export interface PresetParts {
  /** ECS service (and its image, rollout and targets). */
  readonly service: boolean;
  /** Load balancer target group. */
  readonly targets: boolean;
  /** `cluster`: an Aurora cluster; `instances`: an RDS primary with read replicas. */
  readonly database: 'cluster' | 'instances';
  /** Endpoints by stack output key. */
  readonly endpointOutputs: readonly string[];
}

export const PRESET_PARTS: Readonly<Record<Preset, PresetParts>> = {
  ecommerce: { service: true, targets: true, database: 'cluster', endpointOutputs: ['CloudFrontURL', 'DomainURL', 'APIGatewayURL', 'ApiDomainURL', 'ALBDNSName'] },
  'catalog-api': { service: true, targets: true, database: 'cluster', endpointOutputs: ['CloudFrontURL', 'DomainURL', 'ALBDNSName'] },
  'rds-postgres': { service: false, targets: false, database: 'instances', endpointOutputs: [] },
};

const ECOMMERCE_ONLY_ALARMS = ['api4xx', 'api5xx', 'apiLatencyMs', 'lambdaErrors', 'lambdaThrottles'].map((k) => `alarms.${k}`);
const ASSETS = ['cdn.assetsDefaultTtlSeconds', 'cdn.assetsMaxTtlSeconds', 'storage.assetsInfrequentAccessDays', 'storage.assetsGlacierDays', 'storage.assetsNoncurrentExpireDays'];

/**
 * Settings (dotted paths under an environment) that a preset does not read. Setting one is a warning (rule
 * X1), not an error: the value is ignored, nothing breaks, and switching a project's preset should not fail on
 * every leftover key. A whole section is named by its key.
 */
export const NOT_APPLICABLE: Readonly<Record<Preset, readonly string[]>> = {
  ecommerce: ['catalog', 'postgres'],
  'catalog-api': [
    'postgres',
    'api',
    // No API Gateway: no api.<name>.
    'domain.api',
    'lambda',
    ...ECOMMERCE_ONLY_ALARMS,
    ...ASSETS,
    // A provisioned Aurora cluster (a.7): catalog.dbInstanceClass instead of Serverless v2 capacity.
    'database.minCapacity',
    'database.maxCapacity',
    // The catalog scales on CPU only (a.10).
    'container.memoryTargetPercent',
  ],
  'rds-postgres': [
    'catalog',
    'container',
    // No service to deploy (a blue-green, canary or linear strategy there is an error, rule DP6).
    'deployment.bake',
    'deployment.canary',
    'deployment.linear',
    'deployment.alarms',
    'api',
    'cdn',
    // No CloudFront and no load balancer.
    'domain',
    'waf',
    'origin',
    'lambda',
    'storage',
    'logRetentionDays',
    'alarms.ecsCpuPercent',
    'alarms.ecsMemoryPercent',
    'alarms.dbConnections',
    'alarms.dbCpuPercent',
    'alarms.unhealthyTargets',
    'alarms.alb5xx',
    ...ECOMMERCE_ONLY_ALARMS,
    // RDS for PostgreSQL, sized under postgres: (version, readReplicas, backupRetentionDays).
    'database.engine',
    'database.version',
    'database.minCapacity',
    'database.maxCapacity',
    'database.readers',
    'database.backupRetentionDays',
  ],
};

/** Where a preset's own setting lives instead of one it does not read, for the hint of rule X1. */
export const INSTEAD: Readonly<Record<Preset, Readonly<Record<string, string>>>> = {
  ecommerce: {},
  'catalog-api': { 'database.minCapacity': 'catalog.dbInstanceClass', 'database.maxCapacity': 'catalog.dbInstanceClass' },
  'rds-postgres': {
    'database.version': 'postgres.version',
    'database.readers': 'postgres.readReplicas',
    'database.backupRetentionDays': 'postgres.backupRetentionDays',
    'database.minCapacity': 'postgres.instanceClass',
    'database.maxCapacity': 'postgres.instanceClass',
    logRetentionDays: 'postgres.logRetentionDays',
    'alarms.dbConnections': 'postgres.alarms.connections',
    'alarms.dbCpuPercent': 'postgres.alarms.cpuPercent',
  },
};
