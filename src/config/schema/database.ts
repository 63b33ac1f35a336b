/** Schema section `database`: The Aurora Serverless v2 cluster, its secret and rotation (tapstack.md §4). */
import * as z from 'zod/mini';
import { strict, DB_ENGINES } from './common.js';

export const DatabaseSchema = strict({
  engine: z._default(z.enum(DB_ENGINES), 'aurora-postgresql').register(z.globalRegistry, {
    description:
      'Aurora engine. Changing it changes the port (5432/3306), the security-group rules and the rotation type together. ' +
        'Spec conflict: PostgreSQL (baseline) vs MySQL (region-safe); tapctl keeps PostgreSQL at a version the spec records as available.',
  }),
  version: z.optional(z.string()).register(z.globalRegistry, {
    description:
      'Engine version. Default: 16.4 for aurora-postgresql (the spec records 15.2/15.3/15.4/15.7 as unavailable), ' +
        '3.08.0 for aurora-mysql. Retired versions are refused.',
  }),
  name: z._default(z.string(), 'ecommerce').register(z.globalRegistry, { description: "Default database name. Spec conflict: 'ecommerce' vs 'ecommerce_db'; tapctl uses 'ecommerce'." }),
  username: z._default(z.string(), 'dbadmin').register(z.globalRegistry, { description: 'Master username. The password is generated into Secrets Manager, never configured.' }),
  minCapacity: z._default(z.number(), 0.5).register(z.globalRegistry, { description: 'Aurora Serverless v2 minimum capacity in ACUs (0 to 256, in steps of 0.5).' }),
  maxCapacity: z._default(z.number(), 2).register(z.globalRegistry, {
    description: 'Aurora Serverless v2 maximum capacity in ACUs (1 to 256, in steps of 0.5). Spec conflict: 2 vs 1; tapctl uses 2.',
  }),
  readers: z._default(z.int().check(z.minimum(0), z.maximum(15)), 1).register(z.globalRegistry, { description: 'Serverless v2 reader instances (scale with the writer).' }),
  backupRetentionDays: z._default(z.int().check(z.minimum(1), z.maximum(35)), 7).register(z.globalRegistry, { description: 'Automated backup retention in days.' }),
  backupWindow: z._default(z.string(), '03:00-04:00').register(z.globalRegistry, { description: 'Daily backup window, UTC, hh:mm-hh:mm.' }),
  maintenanceWindow: z._default(z.string(), 'sun:04:00-sun:05:00').register(z.globalRegistry, { description: 'Weekly maintenance window, UTC, ddd:hh:mm-ddd:hh:mm.' }),
  rotationDays: z._default(z.int().check(z.minimum(1), z.maximum(1000)), 30).register(z.globalRegistry, { description: 'Rotate the master password every N days (hosted rotation).' }),
});
