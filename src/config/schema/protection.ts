/** Schema section `protection`: What survives a delete; defaults depend on the environment kind (resolve.ts). */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const ProtectionSchema = strict({
  deletionProtection: z.optional(z.boolean()).register(z.globalRegistry, { description: 'Database and ALB deletion protection. Default: on for kind production, off otherwise.' }),
  retainData: z.optional(z.boolean()).register(z.globalRegistry, {
    description:
      'Keep the database (snapshot), buckets, KMS key and ECR repository when the stack is deleted. ' +
        'Default: on for production; off elsewhere, so dev can be torn down completely (buckets are emptied).',
  }),
  terminationProtection: z.optional(z.boolean()).register(z.globalRegistry, { description: 'CloudFormation stack termination protection. Default: on for production.' }),
});
