/**
 * The service's deployment strategy (config/deployment.ts) as ContainerService takes it: ECS's strategy, bake
 * time and traffic steps, the alarms that roll it back, and for blue-green, canary and linear the second target
 * group with the production rule's live weights (deployInputs.trafficWeights, read by deploy).
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import { deploymentOf } from '../config/deployment.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { AlternateTargetOptions } from './constructs/load-balancer.js';
import type { ServiceDeploymentOptions } from './constructs/service.js';

export interface ServiceDeploymentProps {
  readonly deployment: ServiceDeploymentOptions;
  /** For ContainerService's loadBalancer options. */
  readonly alternate?: AlternateTargetOptions;
}

export function serviceDeploymentProps(env: ResolvedEnvironment): ServiceDeploymentProps {
  const plan = deploymentOf(env);
  if (!plan || plan.strategy === 'rolling') return { deployment: { strategy: 'rolling', ...(plan?.alarms.length ? { alarmNames: plan.alarms.map((a) => a.name) } : {}) } };
  const weights = env.deployInputs?.trafficWeights;
  return {
    deployment: {
      strategy: plan.strategy,
      bake: Duration.minutes(plan.bakeMinutes),
      ...(plan.canary ? { canary: { percent: plan.canary.percent, wait: Duration.minutes(plan.canary.waitMinutes) } } : {}),
      ...(plan.linear ? { linear: { percent: plan.linear.percent, interval: Duration.minutes(plan.linear.intervalMinutes) } } : {}),
      alarmNames: plan.alarms.map((a) => a.name),
    },
    alternate: { targetGroupName: env.names.alternateTargetGroup, ...(weights ? { weights: { primary: weights.primary, alternate: weights.alternate } } : {}) },
  };
}
