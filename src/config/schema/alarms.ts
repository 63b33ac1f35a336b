/** Schema section `alarms`: SNS alerts and alarm thresholds (tapstack.md §9). */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const AlarmsSchema = strict({
  email: z._default(z.email('expected an email address such as ops@example.com'), 'admin@example.com').register(z.globalRegistry, {
    description: 'Address subscribed to the alert topic (must confirm the subscription).',
  }),
  evaluationPeriods: z._default(z.int().check(z.minimum(1)), 2).register(z.globalRegistry, { description: 'Evaluation periods of every alarm.' }),
  ecsCpuPercent: z._default(z.number(), 70).register(z.globalRegistry, { description: 'Alarm when service CPU is above this.' }),
  ecsMemoryPercent: z._default(z.number(), 80).register(z.globalRegistry, { description: 'Alarm when service memory is above this.' }),
  dbConnections: z._default(z.number(), 80).register(z.globalRegistry, { description: 'Alarm when average database connections are above this.' }),
  dbCpuPercent: z._default(z.number(), 80).register(z.globalRegistry, { description: 'Alarm when database CPU is above this.' }),
  unhealthyTargets: z._default(z.number(), 1).register(z.globalRegistry, { description: 'Alarm when unhealthy targets are at or above this.' }),
  alb5xx: z._default(z.number(), 10).register(z.globalRegistry, { description: 'Alarm when target 5xx responses (sum) are above this.' }),
  api4xx: z._default(z.number(), 50).register(z.globalRegistry, { description: 'Alarm when API 4XX errors per 5 minutes are above this. Spec conflict: 50 vs 10; tapctl uses 50.' }),
  api5xx: z._default(z.number(), 10).register(z.globalRegistry, { description: 'Alarm when API 5XX errors per 5 minutes are above this. Spec conflict: 10 vs 5; tapctl uses 10.' }),
  apiLatencyMs: z._default(z.number(), 3000).register(z.globalRegistry, { description: 'Alarm when average API latency (ms) is above this.' }),
  lambdaErrors: z._default(z.number(), 5).register(z.globalRegistry, { description: 'Alarm when Lambda errors per 5 minutes are above this.' }),
  lambdaThrottles: z._default(z.number(), 10).register(z.globalRegistry, { description: 'Alarm when Lambda throttles per 5 minutes are above this.' }),
});
