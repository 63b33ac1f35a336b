/** Schema section `network`: VPC and subnets (tapstack.md §2.1). */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const NetworkSchema = strict({
  cidr: z._default(z.string(), '10.0.0.0/16').register(z.globalRegistry, { description: 'IPv4 CIDR block of the VPC. Must leave room for 3 subnet tiers x maxAzs subnets of size subnetMask.' }),
  maxAzs: z._default(z.int().check(z.minimum(2), z.maximum(6)), 2).register(z.globalRegistry, { description: 'Number of availability zones the VPC spans.' }),
  availabilityZones: z.optional(z.array(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'expected an availability zone name such as us-east-1a')))).register(z.globalRegistry, {
    description:
      'Availability zones to use, e.g. [us-east-1a, us-east-1b]. Default: the first maxAzs zones of the region ' +
        '(<region>a, <region>b, ...). Given explicitly so that synth never looks them up in the account.',
  }),
  natGateways: z._default(z.int().check(z.minimum(1), z.maximum(6)), 2).register(z.globalRegistry, {
    description: 'NAT gateways (one per AZ in the spec). 1 saves ~$32/month per gateway in non-production.',
  }),
  subnetMask: z._default(z.int().check(z.minimum(16), z.maximum(28)), 24).register(z.globalRegistry, { description: 'Prefix length of every subnet (Public, Private, Isolated tiers).' }),
});
