/**
 * THE one derivation of a preview's settings: its source environment as tapctl.config.yaml resolves it, plus
 * the preview overrides below, plus its record (read from its stack's tags). Nothing else goes in, so every
 * command on every machine derives the same environment from the config and the tags alone, and a deploy of a
 * preview from a fresh clone changes nothing that the last one did not.
 *
 * The overrides, for every preset:
 * - kind `development`, and protection off: nothing retained (buckets emptied, database without final
 *   snapshot), no deletion or termination protection, so sweep can always delete it whole;
 * - its own physical names: the preview's name is the suffix of every one (naming.ts), so nothing collides
 *   with its source or another preview in the same account and region;
 * - never the source's image pin: it runs what env create pushed, or the --image it was given (a pin);
 * - never the source's domain: the name, its certificates and alias records are the source's (two stacks on one
 *   name is rule DN6); a preview is served on CloudFront's own name;
 * - the smallest sizes that still run the stack (PREVIEW_SIZES).
 */
import { deepFreeze } from '../config/freeze.js';
import { physicalNames, sanitizeSuffix } from '../config/naming.js';
import { AURORA_CAPABILITIES, hasCapability } from '../config/engine-capabilities.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { Preset } from '../config/schema.js';
import { splitReference } from '../release/template-image.js';
import type { PreviewRecord } from './record.js';

type Sizes = (source: ResolvedEnvironment) => Record<string, Record<string, unknown>>;

/**
 * The smallest sizes per preset. Two availability zones everywhere: fewer is not possible (a load balancer
 * and a DB subnet group both need two). One NAT gateway (~$32/month each plus its Elastic IP): the private
 * subnets need egress for image pulls, logs and secrets unless catalog-api's egress is `endpoints`, which then
 * has none.
 *
 * - ecommerce: one task, never scaling out; Aurora Serverless v2 from 0 ACUs (auto-pause: a paused database
 *   costs only storage and takes ~15 s to resume on the first request) where the engine version allows it
 *   (engine-capabilities.ts), else 0.5, up to 1 ACU; no reader; 1 day of backups; CloudFront's cheapest price
 *   class. The Fargate task size stays the source's: it is what the application needs to run at all.
 * - catalog-api: the same task and network; the spec's smallest Aurora class (db.t3.medium) without a reader;
 *   every task on Fargate Spot (onDemandBase 0).
 * - rds-postgres: a db.t4g.micro primary (2 vCPU burstable, 1 GiB) without replicas or Multi-AZ, 20 GiB of gp3
 *   (RDS's minimum) without storage autoscaling, 1 day of backups, no Enhanced Monitoring, a t4g.nano bastion.
 */
export const PREVIEW_SIZES: Readonly<Record<Preset, Sizes>> = {
  ecommerce: (s) => ({
    network: network(s),
    container: { minTasks: 1, maxTasks: 1, desiredCount: 1 },
    database: { minCapacity: zeroCapacity(s) ? 0 : 0.5, maxCapacity: 1, readers: 0, backupRetentionDays: 1 },
    cdn: { priceClass: 'PriceClass_100' },
  }),
  'catalog-api': (s) => ({
    network: network(s),
    container: { minTasks: 1, maxTasks: 1, desiredCount: 1 },
    database: { readers: 0, backupRetentionDays: 1 },
    catalog: { dbInstanceClass: 'db.t3.medium', onDemandBase: 0 },
    cdn: { priceClass: 'PriceClass_100' },
  }),
  'rds-postgres': (s) => ({
    network: network(s),
    postgres: {
      instanceClass: 'db.t4g.micro',
      readReplicas: 0,
      multiAz: false,
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 20,
      backupRetentionDays: 1,
      monitoringIntervalSeconds: 0,
      bastionInstanceType: 't4g.nano',
    },
  }),
};

function network(s: ResolvedEnvironment): Record<string, unknown> {
  return { maxAzs: 2, availabilityZones: s.network.availabilityZones.slice(0, 2), natGateways: 1 };
}

function zeroCapacity(s: ResolvedEnvironment): boolean {
  return hasCapability(AURORA_CAPABILITIES[s.database.engine].zeroCapacity, s.database.version);
}

/**
 * The preview environment of `record`, built from `source` (the configured environment record.source names,
 * as resolved from tapctl.config.yaml). Pure: no AWS, no file. The caller checks that `source` is the
 * record's source and not production (previewSourceProblem).
 */
export function previewEnvironment(source: ResolvedEnvironment, record: PreviewRecord): ResolvedEnvironment {
  const suffix = sanitizeSuffix(record.name);
  // A deep, unfrozen copy of the source: every section is then overridden in place, and the result frozen again.
  const env = structuredClone(source) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(PREVIEW_SIZES[source.preset](source))) Object.assign(env[section], values);
  env.container.image = record.image ? splitReference(record.image) : {};
  delete env.domain;
  const preview = {
    name: record.name,
    kind: 'development',
    suffix,
    protection: { deletionProtection: false, retainData: false, terminationProtection: false },
    names: physicalNames({ project: source.project, suffix, account: source.account, region: source.region }),
    preview: { ...record },
  };
  return deepFreeze(Object.assign(env, preview)) as unknown as ResolvedEnvironment;
}

/** Why `source` cannot be a preview's source, or undefined. */
export function previewSourceProblem(source: ResolvedEnvironment | undefined, sourceName: string): string | undefined {
  if (!source) return `'${sourceName}' is not an environment of tapctl.config.yaml`;
  if (source.kind === 'production') return `'${sourceName}' is a production environment: previews are built only from non-production ones`;
  return undefined;
}
