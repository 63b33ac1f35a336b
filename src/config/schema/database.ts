/** Schema section `database`: The Aurora Serverless v2 cluster, its secret and rotation (tapstack.md §4). */
import * as z from 'zod';
import { strict, DB_ENGINES } from './common.js';

export const DatabaseSchema = strict({
  engine: z
    .enum(DB_ENGINES)
    .default('aurora-postgresql')
    .describe(
      'Aurora engine. Changing it changes the port (5432/3306), the security-group rules and the rotation type together. ' +
        'Spec conflict: PostgreSQL (baseline) vs MySQL (region-safe); tapctl keeps PostgreSQL at a version the spec records as available.',
    ),
  version: z
    .string()
    .optional()
    .describe(
      'Engine version. Default: 16.4 for aurora-postgresql (the spec records 15.2/15.3/15.4/15.7 as unavailable), ' +
        '3.08.0 for aurora-mysql. Retired versions are refused.',
    ),
  name: z
    .string()
    .default('ecommerce')
    .describe("Default database name. Spec conflict: 'ecommerce' vs 'ecommerce_db'; tapctl uses 'ecommerce'."),
  username: z.string().default('dbadmin').describe('Master username. The password is generated into Secrets Manager, never configured.'),
  minCapacity: z.number().default(0.5).describe('Aurora Serverless v2 minimum capacity in ACUs (0 to 256, in steps of 0.5).'),
  maxCapacity: z.number().default(2).describe('Aurora Serverless v2 maximum capacity in ACUs (1 to 256, in steps of 0.5). Spec conflict: 2 vs 1; tapctl uses 2.'),
  readers: z.number().int().min(0).max(15).default(1).describe('Serverless v2 reader instances (scale with the writer).'),
  backupRetentionDays: z.number().int().min(1).max(35).default(7).describe('Automated backup retention in days.'),
  backupWindow: z.string().default('03:00-04:00').describe('Daily backup window, UTC, hh:mm-hh:mm.'),
  maintenanceWindow: z.string().default('sun:04:00-sun:05:00').describe('Weekly maintenance window, UTC, ddd:hh:mm-ddd:hh:mm.'),
  rotationDays: z.number().int().min(1).max(1000).default(30).describe('Rotate the master password every N days (hosted rotation).'),
});
