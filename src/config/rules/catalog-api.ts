/**
 * The config side of the catalog spec's pre-deployment checks (presets.md a.13) and of its settings. The spec's
 * script exits 1 ("deployment blocked") on a critical finding and 0 otherwise; here a critical finding is an
 * error (tapctl validate exits 2, deploy refuses to start) and an expensive setting is a warning, which never
 * blocks. The template side of the same checks is src/infra/presets/catalog-checks.ts (validate --deep).
 */
import { isBurstable, DB_INSTANCE_CLASS } from '../presets/postgres-engine.js';
import type { EnvironmentKind } from '../schema.js';
import type { ConfigIssue } from '../issues.js';
import { finding, type EnvironmentRule } from './rule.js';

/** Words that name an environment, and the kind each names. */
const ENVIRONMENT_WORDS: ReadonlyArray<[RegExp, EnvironmentKind]> = [
  [/^(dev|development|local)$/, 'development'],
  [/^(prod|production|prd|live)$/, 'production'],
  [/^(staging|stage|stg|qa|test|uat)$/, 'staging'],
];

/** The environment kinds the words of a suffix name: `feature-prod-copy` -> production. */
export function kindsNamedIn(suffix: string): EnvironmentKind[] {
  const words = suffix.split(/[-_]/);
  return ENVIRONMENT_WORDS.filter(([word]) => words.some((w) => word.test(w))).map(([, kind]) => kind);
}

/**
 * CA1 (a.13 #1, hard-coded environment names): a suffix that names another kind of environment puts, say,
 * `-prod` into every name of a development stack, so that dashboards, IAM conditions and people mistake it.
 */
export const hardCodedEnvironmentRules: EnvironmentRule = (env) => {
  const other = kindsNamedIn(env.suffix).filter((k) => k !== env.kind);
  if (other.length === 0) return [];
  return [
    finding(env, 'suffix', 'error', 'CA1', `suffix '${env.suffix}' names a ${other[0]} environment, but ${env.name} is ${env.kind}: every resource name would say so`, {
      hint: `use a suffix that matches the environment (the default is its name), or set environments.${env.name}.kind`,
    }),
  ];
};

/**
 * CA3 (a.13 #3, failure-lessons.md L1-L3): outside production everything must be destroyable, or a teardown
 * leaves resources whose literal names block the next deploy. Production is the reverse (rule S2).
 */
export const destroyableRules: EnvironmentRule = (env) => {
  if (env.kind === 'production') return [];
  const p = env.protection;
  const blocked: Array<[string, boolean, string]> = [
    ['protection.retainData', p.retainData, 'the database (final snapshot), buckets, key and repository would outlive the stack'],
    ['protection.deletionProtection', p.deletionProtection, 'the database and load balancer refuse deletion, so destroy fails'],
    ['protection.terminationProtection', p.terminationProtection, 'CloudFormation refuses to delete the stack'],
  ];
  return blocked
    .filter(([, on]) => on)
    .map(([path, , why]) =>
      finding(env, path, 'error', 'CA3', `${env.kind} environment is not destroyable: ${why}`, {
        hint: `the catalog-api preset tears non-production down completely; remove ${path}, or set kind: production`,
      }),
    );
};

/** CA4 (a.13 #4): settings that cost money a development environment does not need. Warnings only. */
export const expensiveResourceRules: EnvironmentRule = (env) => {
  if (env.kind !== 'development') return [];
  const out: ConfigIssue[] = [];
  const warn = (path: string, message: string, hint: string) => out.push(finding(env, path, 'warning', 'CA4', message, { hint }));
  const zones = env.network.availabilityZones.length;
  if (env.catalog.egress === 'nat' && env.network.natGateways > 1) {
    warn('network.natGateways', `${env.network.natGateways} NAT gateways in a development environment (~$32/month each)`, 'one is enough for development: network.natGateways: 1');
  }
  if (env.catalog.egress === 'endpoints') {
    warn('catalog.egress', `VPC endpoints in a development environment: 4 interface endpoints x ${zones} zones (~$${Math.round(4 * zones * 7.3)}/month)`, 'one NAT gateway costs less: catalog.egress: nat');
  }
  if (!isBurstable(env.catalog.dbInstanceClass)) {
    warn('catalog.dbInstanceClass', `${env.catalog.dbInstanceClass} in a development environment`, 'a burstable class such as db.t3.medium (the spec) or db.t4g.medium is enough');
  }
  if (env.database.readers > 0) {
    warn('database.readers', `${env.database.readers} database reader(s) in a development environment double the database cost`, 'database.readers: 0');
  }
  if (env.catalog.onDemandBase > 0) {
    warn('catalog.onDemandBase', `${env.catalog.onDemandBase} on-demand task(s) in a development environment; Spot is up to ~70 % cheaper`, 'catalog.onDemandBase: 0');
  }
  if (env.cdn.priceClass !== 'PriceClass_100') {
    warn('cdn.priceClass', `${env.cdn.priceClass} in a development environment`, 'PriceClass_100 (the spec) serves North America and Europe at the lowest price');
  }
  return out;
};

/** The catalog's own settings: instance class syntax, and production on Spot or burstable instances only. */
export const catalogSettingsRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  const { dbInstanceClass, onDemandBase } = env.catalog;
  if (!DB_INSTANCE_CLASS.test(dbInstanceClass)) {
    out.push(finding(env, 'catalog.dbInstanceClass', 'error', 'CS1', `'${dbInstanceClass}' is not an RDS instance class`, { hint: 'write it like db.t3.medium or db.r6g.large' }));
  }
  if (env.kind === 'production') {
    if (onDemandBase === 0) {
      out.push(finding(env, 'catalog.onDemandBase', 'warning', 'CS2', 'every production task runs on Fargate Spot: an interruption wave or a Spot shortage takes the API down', { hint: 'keep a base on on-demand Fargate, e.g. catalog.onDemandBase: 2' }));
    } else if (onDemandBase > env.container.maxTasks) {
      out.push(finding(env, 'catalog.onDemandBase', 'warning', 'CS2', `onDemandBase ${onDemandBase} is above maxTasks ${env.container.maxTasks}: no task ever runs on Spot`));
    }
    if (isBurstable(dbInstanceClass)) {
      out.push(finding(env, 'catalog.dbInstanceClass', 'warning', 'CS1', `${dbInstanceClass} is burstable: under sustained load Aurora bills CPU credits and AWS advises T classes for development and test only`, { hint: 'e.g. db.r6g.large' }));
    }
  }
  return out;
};

/**
 * CS3: the preset runs its tasks on FARGATE_SPOT (a.9), and Fargate Spot runs Linux X86_64 tasks only: an arm64
 * task would never be placed. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
 */
export const spotArchitectureRules: EnvironmentRule = (env) => {
  if (env.container.architecture !== 'arm64') return [];
  return [
    finding(env, 'container.architecture', 'error', 'CS3', 'Fargate Spot runs x86_64 tasks only, and the catalog-api preset places its tasks on FARGATE_SPOT (presets.md a.9): arm64 tasks would never start', {
      hint: 'container.architecture: x86_64 (push-image then builds for linux/amd64)',
    }),
  ];
};
