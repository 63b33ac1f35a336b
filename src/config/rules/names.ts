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

export const nameRules: EnvironmentRule = (env) => {
  const hint = `names are built from project '${env.project}' and suffix '${env.suffix}': shorten one (set environments.${env.name}.suffix), or use only lower-case letters, digits and hyphens`;
  const problems = checkNames(env.names);
  // One bad character (an underscore, say) breaks many names at once: say so once, naming them.
  const charset = problems.filter((p) => p.message.includes('is not allowed'));
  const single = charset.length > 2 ? problems.filter((p) => !charset.includes(p)) : problems;
  const issues = single.map((p) => finding(env, 'suffix', 'error', RULE_BY_KEY[p.key] ?? 'N7', p.message, { hint }));
  if (charset.length > 2) {
    const bad = [...new Set(`${env.project}${env.suffix}`.replace(/[a-z0-9-]/g, ''))].map((c) => `'${c}'`).join(', ');
    issues.push(
      finding(env, 'suffix', 'error', RULE_BY_KEY[charset[0].key] ?? 'N7', `${charset.length} physical names would contain ${bad || 'characters AWS refuses'}: ${charset.map((p) => p.name).join(', ')}`, { hint }),
    );
  }
  return issues;
};
