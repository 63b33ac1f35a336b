/**
 * Schema section `deployment`: how ECS replaces the service's tasks with a new release, and what rolls it back
 * (src/config/deployment.ts resolves it; rules DP1-DP8 check it). Bounds are the rules', so that each error can
 * name the AWS page it comes from; the schema checks only the forms.
 */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const DEPLOYMENT_STRATEGIES = ['rolling', 'blue-green', 'canary', 'linear'] as const;
export type DeploymentStrategyName = (typeof DEPLOYMENT_STRATEGIES)[number];

/**
 * `10m`, `2h`, `0m`: whole minutes or hours (ECS counts bake times in whole minutes). Any number of digits: the
 * bound (0-1440 minutes) is rule DP3's, which names it (a length cap here said only "expected minutes", qa5 P3).
 * A bare number (`bake: 90`) has no unit: its message says to add one, not to quote it (config/load.ts).
 */
export const DURATION_NUMBER_PREFIX = 'duration without a unit: ';
const MinutesSchema = z
  .string({ error: (issue) => (typeof issue.input === 'number' ? `${DURATION_NUMBER_PREFIX}write ${issue.input}m (minutes) or, for whole hours, e.g. 2h` : undefined) })
  .check(z.regex(/^\d+(m|h)$/, 'expected whole minutes or hours, e.g. 10m or 1h'));

export const DeploymentSchema = strict({
  strategy: z.optional(z.enum(DEPLOYMENT_STRATEGIES)).register(z.globalRegistry, {
    description:
      'How ECS replaces the tasks of a new release. rolling: new tasks replace old ones behind the same target group; the deployment ' +
        'circuit breaker rolls back tasks that keep failing. blue-green: a full new set of tasks behind the second target group, all ' +
        'traffic moved at once, the old set kept for `bake`. canary: `canary.percent` of the traffic first, the rest after `canary.wait`. ' +
        'linear: `linear.percent` more every `linear.interval`. The last three roll back by themselves when one of `alarms` fires. ' +
        'Default: canary for kind production, rolling elsewhere. ecommerce and catalog-api only (rds-postgres runs no service).',
  }),
  bake: z.optional(MinutesSchema).register(z.globalRegistry, {
    description:
      'blue-green, canary, linear: how long the old tasks stay up after all traffic moved, while the alarms may still roll back ' +
        '(0m to 1440m, rule DP3). Default: 10m.',
  }),
  canary: z.optional(
    strict({
      percent: z.optional(z.number()).register(z.globalRegistry, { description: 'Share of production traffic the new release gets first: 0.1 to 100, in steps of 0.1 (rule DP1). Default: 5.' }),
      wait: z.optional(MinutesSchema).register(z.globalRegistry, { description: 'How long the canary share runs before the rest of the traffic moves (0m to 1440m, rule DP3). Default: 10m.' }),
    }),
  ).register(z.globalRegistry, { description: 'strategy canary only.' }),
  linear: z.optional(
    strict({
      percent: z.optional(z.number()).register(z.globalRegistry, { description: 'Share of production traffic moved at each step: 3 to 100, in steps of 0.1 (rule DP2). Default: 10.' }),
      interval: z.optional(MinutesSchema).register(z.globalRegistry, { description: 'Time between two steps (0m to 1440m, rule DP3). Default: 6m.' }),
    }),
  ).register(z.globalRegistry, { description: 'strategy linear only.' }),
  alarms: z.optional(z.array(z.string())).register(z.globalRegistry, {
    description:
      "Keys of the stack's own alarms (alarm names without the '<project>-<suffix>-' prefix) that roll a release back when they fire during " +
        'its deployment, and that refuse to start one while they are in ALARM (rule DP7 lists the keys). Default: the 5XX and latency alarms ' +
        '(ecommerce: alb-5xx-errors, api-5xx-errors, api-high-latency; catalog-api: alb-5xx-errors) for blue-green, canary and linear; ' +
        'none for rolling, whose circuit breaker watches the tasks.',
  }),
});
