/**
 * DP1-DP10: the deployment strategy (config `deployment:`, src/config/deployment.ts) against what ECS and
 * CloudFormation accept, each bound with the AWS page it comes from, and against what the preset can do.
 */
import type { ConfigIssue } from '../issues.js';
import {
  BAKE_MAX_MINUTES,
  CANARY_PERCENT,
  CLOUDFORMATION_DEPLOYMENT_MAX_MINUTES,
  computedDeploymentMinutes,
  deploymentOf,
  LINEAR_PERCENT,
  minutesOf,
  presetAlarmKeys,
  rollbackAlarmWindowMinutes,
  strategyOf,
  waitingSteps,
} from '../deployment.js';
import { finding, type EnvironmentRule } from './rule.js';

const PAGES = {
  canary: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html',
  linear: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html',
  bake: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html',
  cfnLinear: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-linearconfiguration.html',
  cfnCanary: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-canaryconfiguration.html',
} as const;

/** A percent ECS accepts: within bounds, and a multiple of 0.1. */
function percentProblem(value: number, bounds: { min: number; max: number }): string | undefined {
  if (!Number.isFinite(value) || value < bounds.min || value > bounds.max) return `is outside ${bounds.min} to ${bounds.max}`;
  if (Math.abs(value * 10 - Math.round(value * 10)) > 1e-9) return 'is not a multiple of 0.1';
  return undefined;
}

export const deploymentRules: EnvironmentRule = (env, ctx) => {
  const d = env.deployment;
  const strategy = strategyOf(env);
  const out: ConfigIssue[] = [];
  const plan = deploymentOf(env);
  if (!plan) {
    // DP6: a preset without a service has nothing to deploy gradually.
    if (d.strategy && d.strategy !== 'rolling') {
      out.push(
        finding(env, 'deployment.strategy', 'error', 'DP6', `deployment.strategy ${d.strategy} needs an ECS service behind a load balancer, and the ${env.preset} preset runs none`, {
          hint: 'remove deployment: (it applies to ecommerce and catalog-api)',
        }),
      );
    }
    return out;
  }

  // DP1, DP2: the traffic percents ECS accepts.
  if (d.canary?.percent !== undefined) {
    const problem = percentProblem(d.canary.percent, CANARY_PERCENT);
    if (problem) {
      out.push(
        finding(env, 'deployment.canary.percent', 'error', 'DP1', `deployment.canary.percent ${d.canary.percent} ${problem}: ECS takes 0.1 to 100 in steps of 0.1 (${PAGES.canary})`, {
          hint: 'e.g. 5 (ECS\'s default) or 10',
        }),
      );
    }
  }
  if (d.linear?.percent !== undefined) {
    const problem = percentProblem(d.linear.percent, LINEAR_PERCENT);
    if (problem) {
      out.push(
        finding(env, 'deployment.linear.percent', 'error', 'DP2', `deployment.linear.percent ${d.linear.percent} ${problem}: ECS takes 3 to 100 in steps of 0.1 (${PAGES.linear})`, {
          hint: 'e.g. 10 (ECS\'s default: ten steps) or 25',
        }),
      );
    }
  }

  // DP3: every wait ECS counts in whole minutes, 0 to 1440.
  const waits: Array<[string, string | undefined, string]> = [
    ['deployment.bake', d.bake, PAGES.bake],
    ['deployment.canary.wait', d.canary?.wait, PAGES.canary],
    ['deployment.linear.interval', d.linear?.interval, PAGES.linear],
  ];
  let waitsValid = true;
  for (const [path, text, page] of waits) {
    if (text === undefined) continue;
    const minutes = minutesOf(text);
    if (minutes > BAKE_MAX_MINUTES) {
      waitsValid = false;
      out.push(finding(env, path, 'error', 'DP3', `${path} ${text} is ${minutes} minutes: ECS takes 0 to ${BAKE_MAX_MINUTES} (24 hours) (${page})`, { hint: 'e.g. 10m, 30m or 2h' }));
    }
  }

  // DP4: CloudFormation's bound on the whole canary or linear deployment.
  if (waitsValid && (strategy === 'canary' || strategy === 'linear') && !out.some((i) => i.rule === 'DP2')) {
    const minutes = computedDeploymentMinutes(plan);
    if (minutes > CLOUDFORMATION_DEPLOYMENT_MAX_MINUTES) {
      const how =
        strategy === 'canary'
          ? `bake ${plan.bakeMinutes}m + canary wait ${plan.canary!.waitMinutes}m`
          : `bake ${plan.bakeMinutes}m + ${waitingSteps(plan)} ${waitingSteps(plan) === 1 ? 'step' : 'steps'} x ${plan.linear!.intervalMinutes}m`;
      out.push(
        finding(env, `deployment.${strategy === 'canary' ? 'canary.wait' : 'linear.interval'}`, 'error', 'DP4', `a ${strategy} deployment of '${env.name}' would take ${minutes} minutes (${how}): CloudFormation refuses more than 33 hours (${strategy === 'canary' ? PAGES.cfnCanary : PAGES.cfnLinear})`, {
          hint: strategy === 'linear' ? 'use a larger deployment.linear.percent (fewer steps) or a shorter interval or bake' : 'shorten deployment.canary.wait or deployment.bake',
        }),
      );
    }
  }

  // DP5: settings the chosen strategy does not read, when the environment itself sets them: settings under
  // defaults.deployment serve the environments that use them, and one that does not could never silence it (qa5 P3).
  const own = ((ctx.raw.environments as Record<string, Record<string, unknown>> | undefined)?.[env.name]?.deployment ?? {}) as Record<string, unknown>;
  const unread: string[] = [];
  if (d.canary && own.canary !== undefined && strategy !== 'canary') unread.push('deployment.canary');
  if (d.linear && own.linear !== undefined && strategy !== 'linear') unread.push('deployment.linear');
  if (d.bake !== undefined && own.bake !== undefined && strategy === 'rolling') unread.push('deployment.bake');
  for (const path of unread) {
    out.push(finding(env, path, 'warning', 'DP5', `${path} does not apply to the ${strategy} strategy of '${env.name}' and is ignored`, { hint: `remove it, or set deployment.strategy to the one it configures` }));
  }

  // DP9: a strategy the environment's AWS (an emulator) may not run: its own ID, DP6 is "no service" (qa5 P3).
  if (env.endpoint && strategy !== 'rolling') {
    out.push(
      finding(env, 'deployment.strategy', 'warning', 'DP9', `'${env.name}' is emulated (endpoint): an emulator may not implement ECS's ${strategy} deployments or their service deployment API, so tapctl cannot report its stages or verdict there`, {
        hint: 'use deployment.strategy: rolling for emulated environments',
      }),
    );
  }

  // DP7: alarms the stack does not create.
  const known = presetAlarmKeys(env.preset);
  const unknown = (d.alarms ?? []).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    out.push(
      finding(env, 'deployment.alarms', 'error', 'DP7', `deployment.alarms names ${unknown.map((k) => `'${k}'`).join(', ')}, which the ${env.preset} stack does not create`, {
        hint: `use keys of its alarms: ${known.join(', ')}`,
      }),
    );
  }

  // DP10: a wait shorter than the alarms need to fire: the release has all the traffic before any can roll it back.
  const step = plan.canary ? { path: 'deployment.canary.wait', what: 'canary wait', minutes: plan.canary.waitMinutes } : plan.linear ? { path: 'deployment.linear.interval', what: 'linear interval', minutes: plan.linear.intervalMinutes } : undefined;
  if (step && plan.alarms.length > 0 && !out.some((i) => i.rule === 'DP3')) {
    const slow = plan.alarms.filter((a) => rollbackAlarmWindowMinutes(a.key) > step.minutes);
    if (slow.length > 0) {
      const need = Math.max(...slow.map((a) => rollbackAlarmWindowMinutes(a.key)));
      out.push(
        finding(env, step.path, 'warning', 'DP10', `the ${step.what} of '${env.name}' (${step.minutes}m) is shorter than ${slow.map((a) => a.key).join(', ')} ${slow.length === 1 ? 'needs' : 'need'} to reach ALARM (about ${need}m): a bad release gets the next share of traffic before ${slow.length === 1 ? 'it' : 'they'} can roll it back`, {
          hint: `set ${step.path}: ${need}m or more`,
        }),
      );
    }
  }

  // DP8: a gradual deployment nothing rolls back by itself.
  if (strategy !== 'rolling' && plan.alarms.length === 0 && unknown.length === 0) {
    out.push(
      finding(env, 'deployment.alarms', 'warning', 'DP8', `the ${strategy} deployments of '${env.name}' watch no alarm: a bad release moves on to all the traffic unless someone stops it (aws ecs stop-service-deployment)`, {
        hint: `list alarms that should roll it back, e.g. deployment.alarms: [alb-5xx-errors]`,
      }),
    );
  }
  return out;
};

