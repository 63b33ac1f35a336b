/** Schema section `storage`: S3 lifecycle (tapstack.md §7.1-7.2). */
import * as z from 'zod';
import { strict } from './common.js';

export const StorageSchema = strict({
  assetsInfrequentAccessDays: z.number().int().min(30).default(30).describe('Static assets move to STANDARD_IA after N days (S3 minimum: 30).'),
  assetsGlacierDays: z.number().int().min(1).default(90).describe('Static assets move to GLACIER after N days.'),
  assetsNoncurrentExpireDays: z.number().int().min(1).default(90).describe('Old versions of static assets expire after N days.'),
  logsExpireDays: z.number().int().min(1).default(90).describe('Access logs expire after N days.'),
});
