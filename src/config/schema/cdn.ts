/** Schema section `cdn`: CloudFront (tapstack.md §7.4). */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const CdnSchema = strict({
  priceClass: z._default(z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']), 'PriceClass_100').register(z.globalRegistry, { description: 'CloudFront price class.' }),
  assetsDefaultTtlSeconds: z._default(z.int().check(z.minimum(0)), 86_400).register(z.globalRegistry, { description: 'Default TTL of the /static/js/* and /static/css/* cache policies.' }),
  assetsMaxTtlSeconds: z._default(z.int().check(z.minimum(0)), 31_536_000).register(z.globalRegistry, { description: 'Maximum TTL of the /static/js/* and /static/css/* cache policies.' }),
});
