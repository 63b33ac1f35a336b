/**
 * Emulated environments. `registryEndpoint` swaps ECR's registry host for a local one; against real AWS that
 * would push images somewhere the service can never pull them from, so it is only valid beside `endpoint`.
 */
import type { ConfigIssue } from '../issues.js';
import { finding, type EnvironmentRule } from './rule.js';

export const emulatorRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  if (env.registryEndpoint && !env.endpoint) {
    out.push(
      finding(env, 'registryEndpoint', 'error', 'E1', `registryEndpoint ${env.registryEndpoint} only applies to an emulated environment, and this one has no endpoint`, {
        hint: `add environments.${env.name}.endpoint (the emulator's AWS API), or remove registryEndpoint to push to ECR`,
      }),
    );
  }
  return out;
};
