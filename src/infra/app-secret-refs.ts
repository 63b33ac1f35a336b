/**
 * The app secrets a stack's container receives: container.secrets, each by the full ARN a deploy resolved
 * (ResolvedEnvironment.deployInputs), else by its partial ARN (a template synthesized without AWS). A light module
 * (no aws-cdk-lib).
 */
import { appSecretPartialArn } from '../config/app-secret-names.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { AppSecretRef } from './constructs/task-definition.js';

export function appSecretRefs(env: ResolvedEnvironment): AppSecretRef[] {
  return env.container.secrets.map((name) => {
    const arn = env.deployInputs?.secretArns[name];
    return arn ? { name, arn, partial: false } : { name, arn: appSecretPartialArn(env, name), partial: true };
  });
}
