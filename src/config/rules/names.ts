/** failure-lessons.md N1-N7: every physical name within its AWS limit, from the sanitized suffix. */
import { checkNames } from '../naming.js';
import { finding, type EnvironmentRule } from './rule.js';

const RULE_BY_KEY: Record<string, string> = {
  stack: 'N1',
  kmsAlias: 'N5',
  rotationFunction: 'N3',
  processorFunction: 'N3',
  loadBalancer: 'N4',
  targetGroup: 'N4',
  staticBucket: 'N6',
  logsBucket: 'N6',
};

export const nameRules: EnvironmentRule = (env) =>
  checkNames(env.names).map((p) =>
    finding(env, 'suffix', 'error', RULE_BY_KEY[p.key] ?? 'N7', p.message, {
      hint: `names are built from project '${env.project}' and suffix '${env.suffix}': shorten one (set environments.${env.name}.suffix), or use only lower-case letters, digits and hyphens`,
    }),
  );
