/**
 * Preflight checks of what the config assumes about the region, asked of the account: its availability zones
 * (src/config/regions.ts is an upper bound: letters differ per account) and its engine versions with their
 * Serverless v2 limits (src/config/engine-capabilities.ts is the offline table; rule R4). Each returns the
 * detail of a passing check or throws the error that fails it.
 */
import type { AwsClients } from '../aws/clients.js';
import { offeredEngineVersion, offeredEngineVersions } from '../aws/rds-engines.js';
import { accountAvailabilityZones } from '../aws/zones.js';
import { ConfigError, OperationError } from '../cli/errors.js';
import { rdsEngineVersion } from '../config/engine-versions.js';
import { PRESET_PARTS } from '../config/presets/index.js';
import type { ResolvedEnvironment } from '../config/resolve.js';

/** The configured zones are ones the account has (DescribeAvailabilityZones); the failure names those it has. */
export async function availabilityZonesCheck(env: ResolvedEnvironment, clients: AwsClients): Promise<string> {
  const wanted = env.network.availabilityZones;
  const has = await accountAvailabilityZones(clients);
  const missing = wanted.filter((az) => !has.includes(az));
  if (missing.length === 0) return `${wanted.join(', ')} (the account has ${has.join(', ')})`;
  throw new ConfigError(`account ${env.account} has no ${missing.join(', ')} in ${env.region}: it has ${has.join(', ') || 'none'}`, {
    hint: `list ${Math.min(wanted.length, has.length)} of those in network.availabilityZones for '${env.name}'`,
  });
}

/**
 * The engine version is offered in the region (failure-lessons.md #15-#18): Aurora's database.version, or RDS for
 * PostgreSQL's postgres.version for rds-postgres. For Serverless v2 (ecommerce) the version's own limits must
 * allow database.minCapacity and maxCapacity.
 */
export async function databaseEngineCheck(env: ResolvedEnvironment, clients: AwsClients): Promise<string> {
  const instances = PRESET_PARTS[env.preset].database === 'instances';
  const engine = instances ? 'postgres' : env.database.engine;
  const version = instances ? env.postgres.version : env.database.version;
  const key = instances ? 'postgres.version' : 'database.version';
  const rdsVersion = instances ? version : rdsEngineVersion(env.database.engine, version);
  const offeredVersion = await offeredEngineVersion(clients, engine, rdsVersion);
  if (!offeredVersion) {
    const offered = await offeredEngineVersions(clients, engine);
    throw new OperationError(`${engine} ${version} is not offered in ${env.region} (failure-lessons.md #15-#18)`, {
      code: 'engine-version-unavailable',
      hint: offered.length > 0 ? `set ${key} to one RDS offers there, e.g. ${offered.slice(-4).join(', ')}` : `choose another engine version or region`,
    });
  }
  if (env.preset !== 'ecommerce') return `${engine} ${version} is offered in ${env.region}`;

  const limits = offeredVersion.serverlessV2;
  const { minCapacity, maxCapacity } = env.database;
  if (limits?.minCapacity !== undefined && minCapacity < limits.minCapacity) {
    throw new ConfigError(`${engine} ${version} in ${env.region} has a Serverless v2 minimum of ${limits.minCapacity} ACUs; database.minCapacity is ${minCapacity}`, {
      hint: `set database.minCapacity: ${limits.minCapacity}, or a version with auto-pause (rule R4 names the lowest)`,
    });
  }
  if (limits?.maxCapacity !== undefined && maxCapacity > limits.maxCapacity) {
    throw new ConfigError(`${engine} ${version} in ${env.region} scales Serverless v2 to ${limits.maxCapacity} ACUs at most; database.maxCapacity is ${maxCapacity}`, {
      hint: `set database.maxCapacity: ${limits.maxCapacity}, or a newer version (rule R4 names the lowest)`,
    });
  }
  const range = limits ? ` (Serverless v2 ${limits.minCapacity ?? '?'}-${limits.maxCapacity ?? '?'} ACUs)` : '';
  return `${engine} ${version} is offered in ${env.region}${range}`;
}
