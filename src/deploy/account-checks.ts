/**
 * The preflight checks that only the whole account can answer, after the template is synthesized:
 * - account singletons the environment needs (account-singletons.ts), and none deleted by this deploy;
 * - exports this deploy changes or removes that other stacks import (exports.ts);
 * - before a stack is created, resources left under the names it creates (leftovers.ts);
 */
import { isTapctlError } from '../cli/errors.js';
import type { ResourceInput } from './preflight.js';
import type { CheckList } from './checks.js';
import { API_ROLE_CHECK, checkApiGatewayRole } from './account-singletons.js';
import { checkExports } from './exports.js';
import { findLeftovers, leftoversRefusal } from './leftovers.js';
import type { CfnTemplate } from '../synth/physical-names.js';

export const EXPORTS_CHECK = 'exports';
export const LEFTOVERS_CHECK = 'leftovers';

/** The check lines, in order (skipped together when AWS cannot be asked). */
export const ACCOUNT_CHECKS = [API_ROLE_CHECK, EXPORTS_CHECK, LEFTOVERS_CHECK] as const;

/** Stack conditions in which this deploy creates the stack (a failed first create is deleted first). */
const CREATES = new Set(['absent', 'review', 'failed-create']);

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

  if (!CREATES.has(access.condition?.kind ?? '')) {
    checks.report('skip', LEFTOVERS_CHECK, 'the stack exists: the names it creates are its own');
  } else {
    await checks.run(LEFTOVERS_CHECK, async () => {
      const where = { environment: env.name, account: env.account, region: env.region, stackName: env.names.stack };
      const held = await heldByFailedStack(input);
      const found = await findLeftovers(clients, artifact.template as CfnTemplate, where, held.ids);
      if (found.leftovers.length > 0 && held.unreadable) {
        // Which of them the failed stack still holds (and deletes with itself) is not known: say so, go on.
        return checks.report('warn', LEFTOVERS_CHECK, `${found.leftovers.map((l) => `${l.what} ${l.name}`).join(', ')} exist, and the resources of the failed stack could not be read (${held.unreadable}): the ones it does not hold make the create fail with "already exists"`);
      }
      if (found.leftovers.length > 0) throw leftoversRefusal(env, found.leftovers);
      if (found.unchecked.length > 0) {
        const why = found.unchecked[0].reason;
        return checks.report('warn', LEFTOVERS_CHECK, `${found.unchecked.map((u) => u.name).join(', ')} could not be looked up (${why}); if one is left from an earlier stack, the create fails with "already exists"`);
      }
      checks.report('pass', LEFTOVERS_CHECK, `none of the ${found.looked} names this create takes is in use`);
    });
  }
}

/**
 * A stack whose first create failed is deleted before the create (deploy asks): what it still holds goes with it.
 * Resources its rollback deleted, or skipped by their deletion policy, are not held (a skipped one is a leftover).
 */
async function heldByFailedStack(input: ResourceInput): Promise<{ ids: Set<string>; unreadable?: string }> {
  if (input.access.condition?.kind !== 'failed-create') return { ids: new Set() };
  const { stackResources } = await import('../aws/stack-details.js');
  try {
    const held = (await stackResources(input.clients, input.env.names.stack)).filter((r) => r.physicalId && r.status !== 'DELETE_COMPLETE' && r.status !== 'DELETE_SKIPPED');
    return { ids: new Set(held.map((r) => r.physicalId as string)) };
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    return { ids: new Set(), unreadable: e.message };
  }
}
