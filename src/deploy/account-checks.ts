/**
 * The preflight checks that only the whole account can answer, after the template is synthesized:
 * - account singletons the environment needs (account-singletons.ts), and none deleted by this deploy;
 * - exports this deploy changes or removes that other stacks import (exports.ts);
 */
import type { ResourceInput } from './preflight.js';
import type { CheckList } from './checks.js';
import { API_ROLE_CHECK, checkApiGatewayRole } from './account-singletons.js';
import { checkExports } from './exports.js';
import type { CfnTemplate } from '../synth/physical-names.js';

export const EXPORTS_CHECK = 'exports';

/** The check lines, in order (skipped together when AWS cannot be asked). */
export const ACCOUNT_CHECKS = [API_ROLE_CHECK, EXPORTS_CHECK] as const;

export async function checkAccount(checks: CheckList, input: ResourceInput): Promise<void> {
  const { env, clients, access, artifact } = input;
  await checks.run(API_ROLE_CHECK, async () => {
    const r = await checkApiGatewayRole(clients, env, input.deployedTemplate);
    checks.report(r.status, API_ROLE_CHECK, r.detail);
  });

  if (access.condition?.kind !== 'ready' || !access.stack) {
    checks.report('skip', EXPORTS_CHECK, 'the stack is not deployed: it exports nothing yet');
  } else {
    const stack = access.stack;
    await checks.run(EXPORTS_CHECK, async () => {
      const where = { account: env.account, region: env.region, stackName: env.names.stack };
      const r = await checkExports(clients, env.name, stack, await input.deployedTemplate(), artifact.template as CfnTemplate, where);
      checks.report(r.status, EXPORTS_CHECK, r.detail);
    });
  }
}
