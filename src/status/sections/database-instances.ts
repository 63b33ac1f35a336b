/**
 * The rds-postgres preset's database: an RDS primary and its read replicas rather than an Aurora cluster. Shown in
 * the same DatabaseInfo shape: `cluster` is the primary's identifier, the replicas are the readers.
 */
import type { DBInstance } from '@aws-sdk/client-rds';
import { rdsPostgresNamesOf } from '../../config/presets/index.js';
import type { DatabaseInfo, DbInstanceInfo, Section } from '../schema.js';
import { absent, callOptions, isNotFound, ok, sectionError, type SectionContext } from './section.js';
import { loadSdk } from '../../aws/sdk.js';
import { byCodeUnit } from '../../cli/plain-text.js';

export async function readDatabaseInstances(c: SectionContext): Promise<Section<DatabaseInfo>> {
  const id = c.outputs.DatabaseInstanceId || rdsPostgresNamesOf(c.env).primary;
  try {
    const rds = await c.clients.rds();
    const sdk = await loadSdk('@aws-sdk/client-rds');
    const described = await rds.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), callOptions(c.signal));
    const primary = described.DBInstances?.[0];
    if (!primary) return absent(`database instance ${id} not found`);
    const replicaIds = primary.ReadReplicaDBInstanceIdentifiers ?? [];
    // Replica states are a bonus: without them the primary still shows.
    const replicas =
      replicaIds.length === 0
        ? []
        : await rds
            .send(new sdk.DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: replicaIds }] }), callOptions(c.signal))
            .then((out) => out.DBInstances ?? [])
            .catch(() => [] as DBInstance[]);
    const info = (i: DBInstance, role: DbInstanceInfo['role']): DbInstanceInfo => ({
      id: i.DBInstanceIdentifier ?? '',
      role,
      status: i.DBInstanceStatus ?? null,
      instanceClass: [i.DBInstanceClass, i.AvailabilityZone].filter(Boolean).join(' in ') || null,
    });
    return ok({
      cluster: primary.DBInstanceIdentifier ?? id,
      status: primary.DBInstanceStatus ?? 'unknown',
      engine: primary.Engine ?? 'unknown',
      engineVersion: primary.EngineVersion ?? 'unknown',
      endpoint: primary.Endpoint?.Address ?? null,
      readerEndpoint: null,
      capacity: null,
      instances: [info(primary, 'writer'), ...replicas.map((r) => info(r, 'reader')).sort((a, b) => byCodeUnit(a.id, b.id))],
    });
  } catch (e) {
    if (isNotFound(e, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return absent(`database instance ${id} not found`);
    return sectionError(e, `reading database instance ${id}`, c.signal);
  }
}
