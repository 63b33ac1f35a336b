/** Schema section `network`: VPC and subnets (tapstack.md §2.1). */
import * as z from 'zod';
import { strict } from './common.js';

export const NetworkSchema = strict({
  cidr: z
    .string()
    .default('10.0.0.0/16')
    .describe('IPv4 CIDR block of the VPC. Must leave room for 3 subnet tiers x maxAzs subnets of size subnetMask.'),
  maxAzs: z.number().int().min(2).max(6).default(2).describe('Number of availability zones the VPC spans.'),
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'expected an availability zone name such as us-east-1a'))
    .optional()
    .describe(
      'Availability zones to use, e.g. [us-east-1a, us-east-1b]. Default: the first maxAzs zones of the region ' +
        '(<region>a, <region>b, ...). Given explicitly so that synth never looks them up in the account.',
    ),
  natGateways: z
    .number()
    .int()
    .min(1)
    .max(6)
    .default(2)
    .describe('NAT gateways (one per AZ in the spec). 1 saves ~$32/month per gateway in non-production.'),
  subnetMask: z.number().int().min(16).max(28).default(24).describe('Prefix length of every subnet (Public, Private, Isolated tiers).'),
});
