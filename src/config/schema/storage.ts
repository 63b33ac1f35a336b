/** Schema section `storage`: S3 lifecycle (tapstack.md §7.1-7.2). */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const StorageSchema = strict({
  assetsInfrequentAccessDays: z._default(z.int().check(z.minimum(30)), 30).register(z.globalRegistry, { description: 'Static assets move to STANDARD_IA after N days (S3 minimum: 30).' }),
  assetsGlacierDays: z._default(z.int().check(z.minimum(1)), 90).register(z.globalRegistry, { description: 'Static assets move to GLACIER after N days.' }),
  assetsNoncurrentExpireDays: z._default(z.int().check(z.minimum(1)), 90).register(z.globalRegistry, { description: 'Old versions of static assets expire after N days.' }),
  logsExpireDays: z._default(z.int().check(z.minimum(1)), 90).register(z.globalRegistry, { description: 'Access logs expire after N days.' }),
});
