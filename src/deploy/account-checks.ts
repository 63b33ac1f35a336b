/**
 * The preflight checks that only the whole account can answer, after the template is synthesized:
 * - account singletons the environment needs (account-singletons.ts), and none deleted by this deploy;
 */
import type { ResourceInput } from './preflight.js';
import type { CheckList } from './checks.js';
import { API_ROLE_CHECK, checkApiGatewayRole } from './account-singletons.js';

/** The check lines, in order (skipped together when AWS cannot be asked). */
export const ACCOUNT_CHECKS = [API_ROLE_CHECK] as const;

export async function checkAccount(checks: CheckList, input: ResourceInput): Promise<void> {
  const { env, clients } = input;
  await checks.run(API_ROLE_CHECK, async () => {
    const r = await checkApiGatewayRole(clients, env, input.deployedTemplate);
    checks.report(r.status, API_ROLE_CHECK, r.detail);
  });
}
