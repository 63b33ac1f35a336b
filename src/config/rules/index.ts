/** Every cross-field and AWS-limit rule, run on each resolved environment, then the rules across environments. */
import type { ConfigIssue } from '../issues.js';
import type { ResolvedEnvironment } from '../resolve.js';
import type { ConfigFile } from '../schema.js';
import { auroraCapacityRules, fargateRules, networkRules, taskCountRules } from './capacity.js';
import { databaseIdentityRules, engineVersionRules, windowRules } from './database.js';
import { nameRules } from './names.js';
import type { EnvironmentRule } from './rule.js';
import { imageRules, lambdaRuntimeRules, retentionRules } from './runtime.js';
import { alertRules, productionSafetyRules } from './safety.js';

export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  nameRules,
  fargateRules,
  auroraCapacityRules,
  taskCountRules,
  networkRules,
  engineVersionRules,
  databaseIdentityRules,
  windowRules,
  lambdaRuntimeRules,
  imageRules,
  retentionRules,
  productionSafetyRules,
  alertRules,
];

export function runRules(file: ConfigFile, environments: readonly ResolvedEnvironment[]): ConfigIssue[] {
  const issues = environments.flatMap((env) => ENVIRONMENT_RULES.flatMap((rule) => rule(env)));
  return [...issues, ...crossEnvironmentRules(file, environments)];
}

/** Two environments in one account and region with the same suffix would fight over the same resources. */
function crossEnvironmentRules(_file: ConfigFile, environments: readonly ResolvedEnvironment[]): ConfigIssue[] {
  const seen = new Map<string, string>();
  const out: ConfigIssue[] = [];
  for (const env of environments) {
    const key = `${env.account}/${env.region}/${env.names.stack}`;
    const other = seen.get(key);
    if (other) {
      out.push({
        severity: 'error',
        rule: 'N8',
        path: `environments.${env.name}`,
        environment: env.name,
        message: `environments '${other}' and '${env.name}' would both deploy stack ${env.names.stack} to ${env.account}/${env.region}`,
        hint: `give one of them a different suffix (environments.${env.name}.suffix)`,
      });
    } else {
      seen.set(key, env.name);
    }
  }
  return out;
}
