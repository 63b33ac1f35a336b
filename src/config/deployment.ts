/**
 * The deployment plan of an environment (config `deployment:`): which ECS deployment strategy replaces the
 * service's tasks, its traffic steps and bake time, and which of the stack's alarms roll a release back. The
 * infra (constructs/service.ts, load-balancer.ts), the rules (rules/deployment.ts), deploy's preflight and the
 * rollout waiter (aws/ecs-rollout.ts) all read this one plan.
 *
 * ECS's own limits, each from its API reference page:
 * - canary percent: multiples of 0.1 from 0.1 to 100; canary bake 0-1440 minutes
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html);
 * - linear percent: multiples of 0.1 from 3 to 100; step bake 0-1440 minutes
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html);
 * - bake time 0-1440 minutes (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html);
 * - CloudFormation refuses a canary or linear deployment whose computed time exceeds 33 hours, and counts linear
 *   steps as 100 / percent - 1 when the percent divides 100, floor(100 / percent) otherwise
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-linearconfiguration.html,
 *   .../aws-properties-ecs-service-canaryconfiguration.html).
 */
import { ALARM_KEYS } from './naming.js';
import { CATALOG_ALARM_KEYS } from './presets/catalog-api.js';
import type { ResolvedEnvironment } from './resolve.js';
import type { DeploymentStrategyName } from './schema/deployment.js';

export type { DeploymentStrategyName };

export const BAKE_MAX_MINUTES = 1440;
export const CANARY_PERCENT = { min: 0.1, max: 100 } as const;
export const LINEAR_PERCENT = { min: 3, max: 100 } as const;
/** CloudFormation's bound on a canary or linear deployment's computed time (33 hours). */
export const CLOUDFORMATION_DEPLOYMENT_MAX_MINUTES = 33 * 60;

/** ECS's defaults (the API reference pages above), and tapctl's bake time. */
export const DEPLOYMENT_DEFAULTS = { bake: '10m', canary: { percent: 5, wait: '10m' }, linear: { percent: 10, interval: '6m' } } as const;

/**
 * How the rollback alarms of a blue-green, canary or linear environment evaluate (infra/constructs/rollout-alarms.ts):
 * 1-minute periods, ALARM on 2 of the last 3. A canary wait or linear interval shorter than `minutes` ends before
 * an alarm can fire (rule DP10).
 */
export const ROLLBACK_ALARM_WINDOW = { periodMinutes: 1, evaluationPeriods: 3, datapointsToAlarm: 2, minutes: 3 } as const;

/** The rollback alarms sized for a rollout (1-minute periods); any other alarm keeps 5-minute periods. */
export const ROLLOUT_SIZED_ALARMS: readonly string[] = ['alb-5xx-errors', 'api-5xx-errors', 'api-high-latency'];

/** About how many minutes a rollback alarm needs to reach ALARM once errors start (rule DP10). */
export function rollbackAlarmWindowMinutes(key: string): number {
  return ROLLOUT_SIZED_ALARMS.includes(key) ? ROLLBACK_ALARM_WINDOW.minutes : 5 * ROLLBACK_ALARM_WINDOW.datapointsToAlarm;
}

/** The 5XX and latency alarms of each preset with a service: what rolls a release back unless `alarms:` says otherwise. */
export const DEFAULT_ROLLBACK_ALARMS: Readonly<Record<'ecommerce' | 'catalog-api', readonly string[]>> = {
  ecommerce: ['alb-5xx-errors', 'api-5xx-errors', 'api-high-latency'],
  'catalog-api': ['alb-5xx-errors'],
};

export interface DeploymentAlarm {
  /** Key of the stack's alarm (`alb-5xx-errors`). */
  readonly key: string;
  /** Its CloudWatch name. */
  readonly name: string;
}

export interface DeploymentPlan {
  readonly strategy: DeploymentStrategyName;
  /** Whole minutes the old tasks stay up after all traffic moved (blue-green, canary, linear; 0 for rolling). */
  readonly bakeMinutes: number;
  readonly canary?: { readonly percent: number; readonly waitMinutes: number };
  readonly linear?: { readonly percent: number; readonly intervalMinutes: number };
  /** The alarms that roll a release back (and refuse one while in ALARM), in config order. */
  readonly alarms: readonly DeploymentAlarm[];
  /** The stack has the second target group and the weighted production rule ECS moves traffic with. */
  readonly alternateTargetGroup: boolean;
}

/** The alarm keys a preset's stack creates. */
export function presetAlarmKeys(preset: ResolvedEnvironment['preset']): readonly string[] {
  if (preset === 'catalog-api') return CATALOG_ALARM_KEYS;
  if (preset === 'ecommerce') return ALARM_KEYS;
  return [];
}

/** `10m` -> 10, `2h` -> 120. The schema checked the form. */
export function minutesOf(text: string): number {
  const m = /^(\d+)(m|h)$/.exec(text);
  if (!m) throw new Error(`internal: '${text}' is not a duration the schema accepts`);
  return Number(m[1]) * (m[2] === 'h' ? 60 : 1);
}

/** The strategy the environment uses: the config's, or canary in production and rolling elsewhere. */
export function strategyOf(env: ResolvedEnvironment): DeploymentStrategyName {
  return env.deployment.strategy ?? (env.kind === 'production' ? 'canary' : 'rolling');
}

/** The plan, or undefined for a preset without a service (rds-postgres). */
export function deploymentOf(env: ResolvedEnvironment): DeploymentPlan | undefined {
  if (env.preset !== 'ecommerce' && env.preset !== 'catalog-api') return undefined;
  const d = env.deployment;
  const strategy = strategyOf(env);
  const gradual = strategy !== 'rolling';
  const keys = d.alarms ?? (gradual ? DEFAULT_ROLLBACK_ALARMS[env.preset] : []);
  const known = presetAlarmKeys(env.preset);
  const names = env.names.alarms as Readonly<Record<string, string>>;
  const alarms = [...new Set(keys)].filter((k) => known.includes(k)).map((key) => ({ key, name: names[key]! }));
  return {
    strategy,
    bakeMinutes: gradual ? minutesOf(d.bake ?? DEPLOYMENT_DEFAULTS.bake) : 0,
    ...(strategy === 'canary'
      ? { canary: { percent: d.canary?.percent ?? DEPLOYMENT_DEFAULTS.canary.percent, waitMinutes: minutesOf(d.canary?.wait ?? DEPLOYMENT_DEFAULTS.canary.wait) } }
      : {}),
    ...(strategy === 'linear'
      ? { linear: { percent: d.linear?.percent ?? DEPLOYMENT_DEFAULTS.linear.percent, intervalMinutes: minutesOf(d.linear?.interval ?? DEPLOYMENT_DEFAULTS.linear.interval) } }
      : {}),
    alarms,
    alternateTargetGroup: gradual,
  };
}

/**
 * The production traffic shifts after which ECS waits (CloudFormation's count, see the file comment): canary 1,
 * linear 100 / percent - 1 when the percent divides 100 evenly, floor(100 / percent) otherwise; 0 for the rest.
 */
export function waitingSteps(plan: Pick<DeploymentPlan, 'strategy' | 'linear'>): number {
  if (plan.strategy === 'canary') return 1;
  if (plan.strategy !== 'linear' || !plan.linear) return 0;
  // Tenths, so that 3.3 % is exact.
  const tenths = Math.round(plan.linear.percent * 10);
  return 1000 % tenths === 0 ? 1000 / tenths - 1 : Math.floor(1000 / tenths);
}

/** The minutes CloudFormation computes for a canary or linear deployment (its 33-hour bound), bake included. */
export function computedDeploymentMinutes(plan: DeploymentPlan): number {
  const stepWait = plan.canary?.waitMinutes ?? plan.linear?.intervalMinutes ?? 0;
  return plan.bakeMinutes + stepWait * waitingSteps(plan);
}

/** `25m`, `1h 30m`, `2h`: a duration for a person. */
function duration(minutes: number): string {
  if (minutes < 60) return `${minutes}m`;
  const h = Math.floor(minutes / 60);
  return minutes % 60 ? `${h}h ${minutes % 60}m` : `${h}h`;
}

/**
 * A person's summary of the plan, with about how long a release takes from the first traffic shift to the end of
 * the bake time (ECS's task start-up not counted):
 * `canary 5% for 10m, then 100%; bake 10m (~20m); rolls back on alb-5xx-errors`.
 */
export function describeDeployment(plan: DeploymentPlan): string {
  const rollsBack = plan.alarms.length ? `rolls back on ${plan.alarms.map((a) => a.key).join(', ')}` : 'no alarm rolls it back';
  const total = `~${duration(computedDeploymentMinutes(plan))}`;
  switch (plan.strategy) {
    case 'rolling':
      return `rolling, circuit breaker${plan.alarms.length ? `; ${rollsBack}` : ''}`;
    case 'blue-green':
      return `blue-green, 100% at once; bake ${duration(plan.bakeMinutes)} (${total}); ${rollsBack}`;
    case 'canary':
      return `canary ${plan.canary!.percent}% for ${duration(plan.canary!.waitMinutes)}, then 100%; bake ${duration(plan.bakeMinutes)} (${total}); ${rollsBack}`;
    case 'linear': {
      const steps = waitingSteps(plan);
      return `linear ${plan.linear!.percent}% every ${duration(plan.linear!.intervalMinutes)} (${steps} ${steps === 1 ? 'wait' : 'waits'}); bake ${duration(plan.bakeMinutes)} (${total}); ${rollsBack}`;
    }
  }
}

/** The plan as config would write it, every default filled in (tapctl config), with its summary. */
export function resolvedDeploymentConfig(plan: DeploymentPlan): Record<string, unknown> {
  return {
    strategy: plan.strategy,
    ...(plan.strategy !== 'rolling' ? { bake: `${plan.bakeMinutes}m` } : {}),
    ...(plan.canary ? { canary: { percent: plan.canary.percent, wait: `${plan.canary.waitMinutes}m` } } : {}),
    ...(plan.linear ? { linear: { percent: plan.linear.percent, interval: `${plan.linear.intervalMinutes}m` } } : {}),
    alarms: plan.alarms.map((a) => a.key),
    summary: describeDeployment(plan),
  };
}
