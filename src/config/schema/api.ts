/** Schema section `api`: API Gateway stage and usage plan (tapstack.md §8.2-8.3). */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const ApiSchema = strict({
  throttleRateLimit: z._default(z.number().check(z.minimum(0)), 1000).register(z.globalRegistry, { description: 'Stage and usage-plan steady-state rate (requests/second).' }),
  throttleBurstLimit: z._default(z.int().check(z.minimum(0)), 2000).register(z.globalRegistry, { description: 'Stage and usage-plan burst.' }),
  quotaPerMonth: z._default(z.int().check(z.minimum(1)), 1_000_000).register(z.globalRegistry, { description: 'Usage-plan monthly request quota.' }),
  loggingLevel: z._default(z.enum(['OFF', 'ERROR', 'INFO']), 'OFF').register(z.globalRegistry, {
    description:
      'Stage execution logging. Spec conflict: INFO + data trace vs OFF; tapctl defaults to OFF because INFO needs the ' +
        "account's API Gateway CloudWatch role (deploy checks it when you turn it on).",
  }),
  dataTrace: z._default(z.boolean(), false).register(z.globalRegistry, { description: 'Log full request/response data (never in production: it can log secrets).' }),
  tracing: z._default(z.boolean(), true).register(z.globalRegistry, { description: 'X-Ray tracing on the stage.' }),
});
