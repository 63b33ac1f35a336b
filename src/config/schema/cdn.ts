/** Schema section `cdn`: CloudFront (tapstack.md §7.4). */
import * as z from 'zod';
import { strict } from './common.js';

export const CdnSchema = strict({
  priceClass: z
    .enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All'])
    .default('PriceClass_100')
    .describe('CloudFront price class.'),
  assetsDefaultTtlSeconds: z.number().int().min(0).default(86_400).describe('Default TTL of the /static/js/* and /static/css/* cache policies.'),
  assetsMaxTtlSeconds: z.number().int().min(0).default(31_536_000).describe('Maximum TTL of the /static/js/* and /static/css/* cache policies.'),
});
