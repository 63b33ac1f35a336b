/**
 * The container's app secrets and shell access (container.secrets, container.exec):
 * - K1 (error): a secret name given twice, or one the container already gets from tapctl (NODE_ENV, PORT,
 *   DB_SECRET ...) or that starts with AWS_ or ECS_ (what the AWS runtime sets); ECS refuses a task definition
 *   that names a variable twice, and a shadowed AWS_ variable breaks the SDK inside the container.
 * - K2 (warning): ECS Exec in production: a shell in a production task reads its data and its secrets.
 */
import { reservedSecretName } from '../app-secret-names.js';
import type { ConfigIssue } from '../issues.js';
import { finding, type EnvironmentRule } from './rule.js';

export { CONTAINER_ENVIRONMENT } from '../app-secret-names.js';

export const appSecretRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  env.container.secrets.forEach((name, i) => {
    const path = `container.secrets.${i}`;
    if (seen.has(name)) out.push(finding(env, path, 'error', 'K1', `secret ${name} is listed twice`, { hint: 'list each secret once' }));
    seen.add(name);
    // The same words as secrets set's refusal (config/app-secret-names.ts).
    const reserved = reservedSecretName(name);
    if (reserved) out.push(finding(env, path, 'error', 'K1', reserved, { hint: 'give the secret another name' }));
  });
  if (env.container.exec && env.kind === 'production') {
    out.push(finding(env, 'container.exec', 'warning', 'K2', 'ECS Exec is on in production: whoever may call ecs:ExecuteCommand gets a shell that reads its data and secrets', { hint: 'turn it on only while you need it, and limit ecs:ExecuteCommand in IAM' }));
  }
  return out;
};
