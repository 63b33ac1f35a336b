/** Schema section `postgres`: rds-postgres preset only (presets.md part b). */
import * as z from 'zod/mini';
import { strict } from './common.js';

/** Alarm thresholds of the rds-postgres preset, sized for ~30,000 orders a day on db.r6g.large. */
export const PostgresAlarmsSchema = strict({
  cpuPercent: z._default(z.number().check(z.minimum(1), z.maximum(100)), 80).register(z.globalRegistry, {
    description: 'Alarm when average CPU of the primary or a replica is above this (80: headroom for a traffic peak before queries slow down).',
  }),
  freeStorageGiB: z._default(z.number().check(z.minimum(1)), 10).register(z.globalRegistry, {
    description: 'Alarm when free storage of an instance is below this many GiB (10: storage autoscaling grows the volume at 10 % free of 100 GiB, so the alarm means it did not).',
  }),
  connections: z._default(z.int().check(z.minimum(1)), 500).register(z.globalRegistry, {
    description: 'Alarm when connections of an instance are above this (500: ~2.5x what pooled app servers need for 30,000 orders/day; db.r6g.large allows ~1,700).',
  }),
  replicaLagSeconds: z._default(z.number().check(z.minimum(1)), 30).register(z.globalRegistry, {
    description: 'Alarm when a read replica is more than this many seconds behind (30: readers would show stale stock and order states). One alarm per replica, on its own DBInstanceIdentifier.',
  }),
});

/**
 * Settings of the rds-postgres preset (presets.md part b). b.10 leaves these numbers open; each default is sized
 * for ~30,000 orders a day, read-heavy, and says why. docs/presets.md has the reasoning in one table.
 */
export const PostgresSchema = strict({
  version: z._default(z.string(), '17.5').register(z.globalRegistry, {
    description: 'RDS for PostgreSQL engine version. Default 17.5, the spec\'s; 14.7 failed to deploy (failure-lessons.md #18) and is refused.',
  }),
  instanceClass: z._default(z.string(), 'db.r6g.large').register(z.globalRegistry, {
    description:
      'Instance class of the primary and every replica. db.r6g.large (2 vCPU, 16 GiB, Graviton): memory-optimized, so the hot catalog and ' +
        'recent orders stay cached for a read-heavy load; 30,000 orders/day (~10/s at peak) is far from its CPU limit.',
  }),
  readReplicas: z._default(z.int().check(z.minimum(0), z.maximum(15)), 1).register(z.globalRegistry, {
    description:
      'Read replicas, each pinned to its own availability zone, never the primary\'s (so at most network.maxAzs - 1). Default 1, which fits ' +
        'the default 2 zones; the rds-postgres template runs 2 over 3 zones so that reads survive the loss of any one zone.',
  }),
  multiAz: z._default(z.boolean(), false).register(z.globalRegistry, {
    description:
      'Multi-AZ standby of the primary. Off: the primary is pinned to the first zone and the replicas to the others (presets.md b.2); ' +
        'failover is promoting a replica. On: RDS chooses the primary\'s zone, so replicas can no longer be kept out of it (a warning says so).',
  }),
  allocatedStorageGiB: z._default(z.int().check(z.minimum(20), z.maximum(65536)), 100).register(z.globalRegistry, {
    description: 'Initial storage (GiB). 100: about a year of orders at 30,000/day with indexes, and gp3 gives 3,000 IOPS from the first GiB.',
  }),
  maxAllocatedStorageGiB: z._default(z.int().check(z.minimum(20), z.maximum(65536)), 500).register(z.globalRegistry, {
    description: 'Storage autoscaling ceiling (GiB); equal to allocatedStorageGiB turns autoscaling off. 500: five years of growth without an operator.',
  }),
  storageType: z._default(z.enum(['gp3', 'gp2', 'io1', 'io2']), 'gp3').register(z.globalRegistry, {
    description: 'EBS storage type. gp3: 3,000 IOPS and 125 MiB/s baseline at any size, cheaper than gp2.',
  }),
  port: z._default(z.int().check(z.minimum(1150), z.maximum(65535)), 5432).register(z.globalRegistry, {
    description: 'Port the instances listen on. 5432, the PostgreSQL default, so every client works unchanged.',
  }),
  backupRetentionDays: z._default(z.int().check(z.minimum(1), z.maximum(35)), 14).register(z.globalRegistry, {
    description: 'Automated backup retention in days. 14: a problem noticed a week later (a bad migration, a pricing bug) can still be restored to before it.',
  }),
  performanceInsightsRetentionDays: z._default(z.int(), 7).register(z.globalRegistry, {
    description: 'Performance Insights retention: 7 (free) or a multiple of 31 up to 713, or 731. 7 covers a week of query analysis at no cost.',
  }),
  logRetentionDays: z._default(z.int(), 30).register(z.globalRegistry, {
    description: 'Retention of the exported PostgreSQL logs (postgresql, upgrade) in CloudWatch Logs. 30: a month of slow-query and audit history.',
  }),
  monitoringIntervalSeconds: z._default(z.union([z.literal(0), z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)]), 60).register(z.globalRegistry, {
    description: 'Enhanced Monitoring interval (0 turns it off). 60: OS metrics every minute at the lowest price.',
  }),
  bastionInstanceType: z._default(z.string(), 't4g.micro').register(z.globalRegistry, {
    description: 'EC2 instance type of the SSM bastion (Graviton). t4g.micro: the SSM agent and psql need no more.',
  }),
  parameters: z._default(z.record(z.string(), z.union([z.string(), z.number()])), {}).register(z.globalRegistry, {
    description:
      "Parameter-group values, merged over tapctl's tuned set (docs/presets.md). Memory values are integers in the engine's unit: " +
        'shared_buffers, effective_cache_size, wal_buffers and temp_buffers in 8 kB pages, work_mem and maintenance_work_mem in kB. ' +
        "Unit strings such as '1GB' are refused with the number to use.",
  }),
  alarms: z._default(PostgresAlarmsSchema, PostgresAlarmsSchema.parse({})).register(z.globalRegistry, { description: 'Alarm thresholds of the instances.' }),
});
