/** Schema section `catalog`: catalog-api preset only (presets.md part a). */
import * as z from 'zod/mini';
import { strict } from './common.js';

/**
 * Settings of the catalog-api preset (presets.md part a) that no other preset has. The shared sections it reads
 * (network, database, container, cdn.priceClass, alarms, storage.logsExpireDays, ...) are listed in
 * docs/presets.md; setting a key the preset does not read is a warning (rule X1).
 */
export const CatalogSchema = strict({
  egress: z._default(z.enum(['nat', 'endpoints']), 'nat').register(z.globalRegistry, {
    description:
      'How tasks in the private subnets reach ECR, CloudWatch Logs and Secrets Manager (presets.md a.16: the spec has neither). ' +
        'nat (default): the NAT gateways of network.natGateways; one gateway (~$32/month) costs less than the four interface endpoints a private ' +
        'image pull needs (~$7/month each per zone) and lets the service call other HTTPS APIs. endpoints: no NAT gateway; interface endpoints for ' +
        'ECR (api, dkr), CloudWatch Logs and Secrets Manager and an S3 gateway endpoint, for accounts whose policy forbids internet egress.',
  }),
  dbInstanceClass: z._default(z.string(), 'db.t3.medium').register(z.globalRegistry, {
    description: "Aurora instance class of the writer and of each reader (database.readers). Default: the spec's db.t3.medium (2 vCPU, 4 GiB), burstable; production warns about CPU credits.",
  }),
  onDemandBase: z._default(z.int().check(z.minimum(0)), 0).register(z.globalRegistry, {
    description:
      'Tasks that always run on on-demand FARGATE before any FARGATE_SPOT task. 0 is the spec (every task on Spot, up to ~70 % cheaper); ' +
        'the production template sets 2, because a Spot interruption wave or a Spot shortage would otherwise take the whole API down.',
  }),
});
