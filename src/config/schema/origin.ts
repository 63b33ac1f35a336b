/** Schema section `origin`: how the load balancer admits CloudFront and nothing else. */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const OriginSchema = strict({
  secretGeneration: z._default(z.int().check(z.minimum(1)), 1).register(z.globalRegistry, {
    description:
      'Generation of the secret header CloudFront adds to every request and the load balancer checks (X-Origin-Verify, its value generated in ' +
        'Secrets Manager). To rotate it, add 1 and deploy: a new value is generated, CloudFront sends it, and the load balancer accepts it and the ' +
        'previous one, so no request fails while CloudFront rolls out. Add 2 to stop accepting a leaked value at once (requests may fail for a few minutes).',
  }),
  securityGroupRuleQuota: z._default(z.int().check(z.minimum(1), z.maximum(1000)), 60).register(z.globalRegistry, {
    description:
      "Your account's \"Inbound rules per security group\" quota (Service Quotas L-0EA8095F; AWS default 60). The CloudFront prefix list " +
        'counts as 55 rules in it (its documented weight): validate refuses a load balancer group that would not fit (rule OR1).',
  }),
  prefixListId: z.optional(z.string().check(z.regex(/^pl-[0-9a-f]{8,17}$/, 'expected a prefix list ID such as pl-3b927c52'))).register(z.globalRegistry, {
    description:
      "CloudFront's origin-facing managed prefix list in the region. Leave it out: deploy and diff ask the region for it " +
        '(DescribeManagedPrefixLists, com.amazonaws.global.cloudfront.origin-facing), synth takes it from a table. Set it only to pin it.',
  }),
});
