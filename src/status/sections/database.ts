/** The Aurora cluster: status, engine, writer and readers with their state, Serverless v2 capacity range. */
import type { DBInstance } from '@aws-sdk/client-rds';
import type { DatabaseInfo, Section } from '../schema.js';
import { absent, callOptions, isNotFound, ok, sectionError, type SectionContext } from './section.js';
import { loadSdk } from '../../aws/sdk.js';
import { byCodeUnit } from '../../cli/plain-text.js';

export async function readDatabase(c: SectionContext): Promise<Section<DatabaseInfo>> {
  const id = c.env.names.dbCluster;
  const what = `reading database cluster ${id}`;
  try {
    const rds = await c.clients.rds();
    const sdk = await loadSdk('@aws-sdk/client-rds');
    const [clusters, instances] = await Promise.all([
      rds.send(new sdk.DescribeDBClustersCommand({ DBClusterIdentifier: id }), callOptions(c.signal)),
      // Instance states are a bonus: without them the roles still show, from the cluster's member list.
      rds
        .send(new sdk.DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [id] }] }), callOptions(c.signal))
        .then((out) => out.DBInstances ?? [])
        .catch(() => [] as DBInstance[]),
    ]);
    const cluster = clusters.DBClusters?.[0];
    if (!cluster) return absent(`database cluster ${id} not found`);
    const byId = new Map(instances.map((i) => [i.DBInstanceIdentifier ?? '', i]));
    const scaling = cluster.ServerlessV2ScalingConfiguration;
    return ok({
      cluster: cluster.DBClusterIdentifier ?? id,
      status: cluster.Status ?? 'unknown',
      engine: cluster.Engine ?? 'unknown',
      engineVersion: cluster.EngineVersion ?? 'unknown',
      endpoint: cluster.Endpoint ?? null,
      readerEndpoint: cluster.ReaderEndpoint ?? null,
      capacity: scaling?.MinCapacity !== undefined && scaling.MaxCapacity !== undefined ? { minAcu: scaling.MinCapacity, maxAcu: scaling.MaxCapacity } : null,
      instances: (cluster.DBClusterMembers ?? [])
        .map((m) => {
          const instance = byId.get(m.DBInstanceIdentifier ?? '');
          return {
            id: m.DBInstanceIdentifier ?? '',
            role: m.IsClusterWriter ? ('writer' as const) : ('reader' as const),
            status: instance?.DBInstanceStatus ?? null,
            instanceClass: instance?.DBInstanceClass ?? null,
          };
        })
        .sort((a, b) => (a.role === b.role ? byCodeUnit(a.id, b.id) : a.role === 'writer' ? -1 : 1)),
    });
  } catch (e) {
    if (isNotFound(e, 'DBClusterNotFoundFault')) return absent(`database cluster ${id} not found`);
    return sectionError(e, what, c.signal);
  }
}
