/** Schema section `alarms`: SNS alerts and alarm thresholds (tapstack.md §9). */
import * as z from 'zod';
import { strict } from './common.js';

export const AlarmsSchema = strict({
  email: z.email('expected an email address such as ops@example.com').default('admin@example.com').describe('Address subscribed to the alert topic (must confirm the subscription).'),
  evaluationPeriods: z.number().int().min(1).default(2).describe('Evaluation periods of every alarm.'),
  ecsCpuPercent: z.number().default(70).describe('Alarm when service CPU is above this.'),
  ecsMemoryPercent: z.number().default(80).describe('Alarm when service memory is above this.'),
  dbConnections: z.number().default(80).describe('Alarm when average database connections are above this.'),
  dbCpuPercent: z.number().default(80).describe('Alarm when database CPU is above this.'),
  unhealthyTargets: z.number().default(1).describe('Alarm when unhealthy targets are at or above this.'),
  alb5xx: z.number().default(10).describe('Alarm when target 5xx responses (sum) are above this.'),
  api4xx: z.number().default(50).describe('Alarm when API 4XX errors per 5 minutes are above this. Spec conflict: 50 vs 10; tapctl uses 50.'),
  api5xx: z.number().default(10).describe('Alarm when API 5XX errors per 5 minutes are above this. Spec conflict: 10 vs 5; tapctl uses 10.'),
  apiLatencyMs: z.number().default(3000).describe('Alarm when average API latency (ms) is above this.'),
  lambdaErrors: z.number().default(5).describe('Alarm when Lambda errors per 5 minutes are above this.'),
  lambdaThrottles: z.number().default(10).describe('Alarm when Lambda throttles per 5 minutes are above this.'),
});
