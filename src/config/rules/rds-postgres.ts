/**
 * Rules of the rds-postgres preset's settings (postgres:), failure-lessons.md #18 and H: the engine version per
 * region, parameter values in the engine's own units, replicas in distinct zones, sizes RDS accepts.
 */
import { own } from '../keys.js';
import type { ConfigIssue } from '../issues.js';
import {
  DB_INSTANCE_CLASS,
  EXTENDED_SUPPORT_POSTGRES_MAJORS,
  inParameterUnit,
  instanceMemoryGiB,
  isBurstable,
  KNOWN_POSTGRES_VERSIONS,
  MEMORY_PARAMETER_UNIT_KB,
  postgresParameters,
  RECORDED_POSTGRES_FAILURES,
  RETIRED_POSTGRES_MAJORS,
  unitStringToKb,
  validInsightsRetention,
} from '../presets/postgres-engine.js';
import { LOG_RETENTION_DAYS } from '../schema.js';
import { finding, type EnvironmentRule } from './rule.js';

const LATEST = KNOWN_POSTGRES_VERSIONS[KNOWN_POSTGRES_VERSIONS.length - 1];

/** PG1 (R1 for RDS for PostgreSQL): known, supported, and not recorded as failing. */
export const postgresVersionRules: EnvironmentRule = (env) => {
  const { version } = env.postgres;
  const major = version.split('.')[0];
  const path = 'postgres.version';
  if ((RETIRED_POSTGRES_MAJORS as readonly string[]).includes(major)) {
    return [finding(env, path, 'error', 'PG1', `PostgreSQL ${version} is retired on RDS (major ${major} is past end of support)`, { hint: 'use 17.5, the spec\'s version' })];
  }
  if (!KNOWN_POSTGRES_VERSIONS.includes(version)) {
    const sameMajor = KNOWN_POSTGRES_VERSIONS.filter((v) => v.split('.')[0] === major);
    return [finding(env, path, 'error', 'PG1', `RDS for PostgreSQL has no version '${version}'`, { hint: sameMajor.length ? `versions of ${major}: ${sameMajor.join(', ')}` : `for example 17.5 or ${LATEST}` })];
  }
  const out: ConfigIssue[] = [];
  for (const rec of RECORDED_POSTGRES_FAILURES) {
    if (rec.version === version && (rec.region === '*' || rec.region === env.region)) {
      out.push(finding(env, path, 'error', 'PG1', `PostgreSQL ${version} is recorded as failing to deploy (${rec.error}, failure-lessons.md #18)`, { hint: 'use 17.5' }));
    }
  }
  if ((EXTENDED_SUPPORT_POSTGRES_MAJORS as readonly string[]).includes(major)) {
    out.push(finding(env, path, 'warning', 'PG1', `PostgreSQL ${major} is in paid RDS Extended Support`, { hint: 'move to 17.5' }));
  }
  return out;
};

/**
 * PG2 (R3): memory parameters are integers in the engine's unit. A unit string is refused with the number to
 * write; the spec's own example, shared_buffers "1GB", becomes 131072 (8 kB pages), not 1048576.
 */
export const postgresParameterRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  for (const [name, raw] of Object.entries(env.postgres.parameters)) {
    const unit = own(MEMORY_PARAMETER_UNIT_KB, name);
    if (unit === undefined) continue;
    const value = String(raw);
    const kb = unitStringToKb(value);
    const path = `postgres.parameters.${name}`;
    const unitText = unit === 8 ? '8 kB pages' : unit === 1024 ? 'MB' : 'kB';
    if (kb !== undefined) {
      out.push(finding(env, path, 'error', 'PG2', `${name} '${value}' is a unit string; RDS for PostgreSQL takes an integer in ${unitText}`, { hint: `write ${name}: ${inParameterUnit(name, kb)}` }));
    } else if (!/^\d+$/.test(value.trim())) {
      out.push(finding(env, path, 'error', 'PG2', `${name} '${value}' is not an integer in ${unitText}`));
    }
  }
  return [...out, ...sharedMemoryRules(env)];
};

/** PG3: shared_buffers against the instance's memory; RDS refuses to start above 90 % (incompatible-parameters). */
function sharedMemoryRules(env: Parameters<EnvironmentRule>[0]): ConfigIssue[] {
  const gib = instanceMemoryGiB(env.postgres.instanceClass);
  const pages = Number(postgresParameters(env.postgres.instanceClass, env.postgres.parameters).shared_buffers);
  if (gib === undefined || !Number.isInteger(pages)) return [];
  const share = (pages * 8) / (gib * 1024 ** 2);
  const quarter = inParameterUnit('shared_buffers', (gib * 1024 ** 2) / 4);
  const text = `shared_buffers ${pages} (8 kB pages = ${((pages * 8) / 1024 ** 2).toFixed(1)} GiB) is ${Math.round(share * 100)} % of ${env.postgres.instanceClass}'s ${gib} GiB`;
  if (share > 0.9) return [finding(env, 'postgres.parameters.shared_buffers', 'error', 'PG3', `${text}: RDS leaves the instance in incompatible-parameters`, { hint: `a quarter of memory is ${quarter}` })];
  if (share > 0.4) return [finding(env, 'postgres.parameters.shared_buffers', 'warning', 'PG3', `${text}: little is left for connections, work_mem and the OS cache`, { hint: `a quarter of memory is ${quarter}` })];
  return [];
}

/** PG4 (failure-lessons.md #49): each replica in its own zone, none in the primary's. */
export const replicaPlacementRules: EnvironmentRule = (env) => {
  const { readReplicas, multiAz } = env.postgres;
  const zones = env.network.availabilityZones.length;
  const out: ConfigIssue[] = [];
  if (readReplicas > zones - 1) {
    out.push(
      finding(env, 'postgres.readReplicas', 'error', 'PG4', `${readReplicas} read replicas need ${readReplicas + 1} availability zones (the primary's and one per replica); the network has ${zones}`, {
        hint: `set network.maxAzs: ${readReplicas + 1} (the region must have that many zones), or postgres.readReplicas: ${zones - 1}`,
      }),
    );
  }
  if (multiAz && readReplicas > 0) {
    out.push(finding(env, 'postgres.multiAz', 'warning', 'PG4', "with multiAz RDS chooses the primary's zone, so a replica may share it", { hint: 'multiAz: false pins the primary to the first zone and keeps the replicas out of it' }));
  }
  if (env.kind === 'production' && readReplicas === 0) {
    out.push(finding(env, 'postgres.readReplicas', 'warning', 'PG4', 'production has no read replica: every read and any recovery depend on the primary alone'));
  }
  return out;
};

const EC2_TYPE = /^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|\d*xlarge|metal)$/;

/** PG5-PG7: instance classes, storage sizes and retention values RDS and CloudWatch accept. */
export const postgresSizingRules: EnvironmentRule = (env) => {
  const p = env.postgres;
  const out: ConfigIssue[] = [];
  const error = (path: string, rule: string, message: string, hint?: string) => out.push(finding(env, path, 'error', rule, message, { hint }));
  if (!DB_INSTANCE_CLASS.test(p.instanceClass)) error('postgres.instanceClass', 'PG5', `'${p.instanceClass}' is not an RDS instance class`, 'write it like db.r6g.large');
  else if (env.kind === 'production' && isBurstable(p.instanceClass)) {
    out.push(finding(env, 'postgres.instanceClass', 'warning', 'PG5', `${p.instanceClass} is burstable: sustained order traffic exhausts its CPU credits`, { hint: 'db.r6g.large, the preset default' }));
  }
  if (!EC2_TYPE.test(p.bastionInstanceType)) error('postgres.bastionInstanceType', 'PG5', `'${p.bastionInstanceType}' is not an EC2 instance type`, 'write it like t4g.micro');
  if (p.maxAllocatedStorageGiB < p.allocatedStorageGiB) {
    error('postgres.maxAllocatedStorageGiB', 'PG6', `the autoscaling ceiling ${p.maxAllocatedStorageGiB} GiB is below the allocated ${p.allocatedStorageGiB} GiB`, 'make it larger, or equal to turn autoscaling off');
  }
  if ((p.storageType === 'io1' || p.storageType === 'io2') && p.allocatedStorageGiB < 100) {
    error('postgres.allocatedStorageGiB', 'PG6', `${p.storageType} storage needs at least 100 GiB; got ${p.allocatedStorageGiB}`);
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(p.logRetentionDays)) {
    error('postgres.logRetentionDays', 'PG7', `CloudWatch Logs does not accept a retention of ${p.logRetentionDays} days`, `allowed: ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  if (!validInsightsRetention(p.performanceInsightsRetentionDays)) {
    error('postgres.performanceInsightsRetentionDays', 'PG7', `Performance Insights does not keep data for ${p.performanceInsightsRetentionDays} days`, '7 (free), a multiple of 31 up to 713, or 731');
  }
  return out;
};
