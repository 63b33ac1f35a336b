/** Schema section `api`: API Gateway stage and usage plan (tapstack.md §8.2-8.3). */
import * as z from 'zod';
import { strict } from './common.js';

export const ApiSchema = strict({
  throttleRateLimit: z.number().min(0).default(1000).describe('Stage and usage-plan steady-state rate (requests/second).'),
  throttleBurstLimit: z.number().int().min(0).default(2000).describe('Stage and usage-plan burst.'),
  quotaPerMonth: z.number().int().min(1).default(1_000_000).describe('Usage-plan monthly request quota.'),
  loggingLevel: z
    .enum(['OFF', 'ERROR', 'INFO'])
    .default('OFF')
    .describe(
      'Stage execution logging. Spec conflict: INFO + data trace vs OFF; tapctl defaults to OFF because INFO needs the ' +
        "account's API Gateway CloudWatch role (deploy checks it when you turn it on).",
    ),
  dataTrace: z.boolean().default(false).describe('Log full request/response data (never in production: it can log secrets).'),
  tracing: z.boolean().default(true).describe('X-Ray tracing on the stage.'),
});
