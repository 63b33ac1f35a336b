/**
 * Which account singletons (src/aws/account-singletons.ts) an environment needs, and the three places that
 * handle them: deploy's preflight requires and checks them, bootstrap ensures them, destroy makes sure it takes
 * none with it.
 *
 * The API Gateway CloudWatch Logs role is needed when the environment's stage logs (api.loggingLevel not OFF, or
 * api.dataTrace). Environments deployed by an earlier tapctl declared the role in their own stack (CDK's
 * `cloudWatchRole`); the stack this tapctl synthesizes no longer does, so deploying over such a stack, or
 * destroying it, deletes that role, unless the stack retains it. When the account's setting still names it,
 * every REST API of the region would then log through a deleted role: that deploy or destroy is refused
 * (exit 3) until `tapctl bootstrap` has moved the setting to tapctl's own role.
 */
import type { AwsClients } from '../aws/clients.js';
import { ensureSingleton, requireSingleton, type AccountSingleton, type EnsureOutcome, type SingletonState } from '../aws/account-singletons.js';
import { apiGatewayCloudWatchRole, roleNameOf, type ApiGatewayRole, type ApiGatewayRoleOptions } from '../aws/apigateway-account.js';
import type { Template } from '../aws/stack-details.js';
import { isTapctlError, RefusedError } from '../cli/errors.js';
import { NOT_APPLICABLE } from '../config/presets/index.js';
import type { ResolvedEnvironment } from '../config/resolve.js';

/** The check line's name in deploy's preflight (docs/deploy-events.md). */
export const API_ROLE_CHECK = 'API Gateway logging';

export interface NeededSingleton {
  readonly singleton: AccountSingleton<unknown>;
  /** Required by this environment's config (why, for messages); undefined: only relevant (moved if a stack owns it). */
  readonly requiredBecause?: string;
}

/** Options for tests (the role's propagation wait). */
export interface SingletonOptions {
  readonly apiGatewayRole?: ApiGatewayRoleOptions;
}

export function apiLogging(env: ResolvedEnvironment): boolean {
  return !NOT_APPLICABLE[env.preset].includes('api') && (env.api.loggingLevel !== 'OFF' || env.api.dataTrace);
}

/** The singletons that matter to this environment: required by its config, or relevant to it. */
export function singletonsFor(env: ResolvedEnvironment, options: SingletonOptions = {}): NeededSingleton[] {
  if (NOT_APPLICABLE[env.preset].includes('api')) return [];
  const singleton = apiGatewayCloudWatchRole(env.region, options.apiGatewayRole) as AccountSingleton<unknown>;
  return [{ singleton, ...(apiLogging(env) ? { requiredBecause: `API Gateway execution logging is on (${env.api.loggingLevel}${env.api.dataTrace ? ', data trace' : ''})` } : {}) }];
}

const scopeOf = (env: ResolvedEnvironment, s: AccountSingleton<unknown>) => (s.scope === 'region' ? `account ${env.account} in ${env.region}` : `account ${env.account}`);

/**
 * tapctl bootstrap: every singleton the environment requires is made sure of; one it does not require is moved
 * only when an environment's stack owns it (so that stack can drop it). Returns what was done, in order.
 */
export async function ensureSingletons(clients: AwsClients, env: ResolvedEnvironment, options: SingletonOptions = {}, onSkipped: (why: string) => void = () => undefined): Promise<EnsureOutcome<unknown>[]> {
  const out: EnsureOutcome<unknown>[] = [];
  for (const { singleton, requiredBecause } of singletonsFor(env, options)) {
    if (!requiredBecause) {
      // Not needed by this environment: looked at only to move one a stack owns; a read that fails is no failure.
      let state: SingletonState<unknown>;
      try {
        state = await singleton.find(clients);
      } catch (e) {
        if (!isTapctlError(e)) throw e;
        onSkipped(`${singleton.what} was not looked at: ${e.message}`);
        continue;
      }
      if (state.kind !== 'present' || state.owner.kind !== 'stack') continue;
    }
    out.push(await ensureSingleton(clients, singleton, scopeOf(env, singleton)));
  }
  return out;
}

/** The role the deployed stack declares for API Gateway's account setting (an earlier tapctl), when it does. */
export function stackAccountRole(template: Template | undefined): { logicalId: string; retained: boolean } | undefined {
  const resources = template?.Resources ?? {};
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Account') continue;
    const arn = r.Properties?.CloudWatchRoleArn as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const logicalId = arn?.['Fn::GetAtt']?.[0];
    const role = logicalId ? resources[logicalId] : undefined;
    if (logicalId && role?.Type === 'AWS::IAM::Role') return { logicalId, retained: role.DeletionPolicy === 'Retain' || role.DeletionPolicy === 'RetainExceptOnCreate' };
  }
  return undefined;
}

/**
 * The refusal for a deploy or destroy that would delete the role the account's API Gateway setting names (the
 * stack declares it without retaining it), or undefined when it is safe. `state` is the singleton as found.
 */
export function accountRoleRemovalRefusal(env: ResolvedEnvironment, state: SingletonState<unknown>, template: Template | undefined, operation: 'deploy' | 'destroy'): RefusedError | undefined {
  const declared = stackAccountRole(template);
  if (!declared || declared.retained) return undefined;
  if (state.kind !== 'present' || state.owner.kind !== 'stack' || state.owner.stackName !== env.names.stack) return undefined;
  const role = (state.value as ApiGatewayRole).roleArn;
  const doing = operation === 'deploy' ? 'this deploy removes it from the stack' : 'destroying the stack deletes it';
  return new RefusedError(
    `refusing to ${operation} '${env.name}': API Gateway's account setting in ${env.region} names role ${roleNameOf(role)} of stack ${env.names.stack}, and ${doing}: every REST API of account ${env.account} in ${env.region} would then log through a deleted role`,
    {
      hint: `run tapctl bootstrap --env ${env.name} first: it moves the setting to tapctl's account-wide role, which no environment owns; then ${operation} again`,
      details: { roleArn: role, stack: env.names.stack, fixedBy: `tapctl bootstrap --env ${env.name}` },
    },
  );
}

export interface PreflightReport {
  readonly status: 'pass' | 'warn' | 'skip';
  readonly detail: string;
}

/**
 * Deploy's preflight for the API Gateway role: required (and found usable) when the stage logs, and never left
 * to be deleted by this deploy. `deployed` is the deployed template (undefined: no stack). Throws the failure.
 */
export async function checkApiGatewayRole(clients: AwsClients, env: ResolvedEnvironment, deployed: () => Promise<Template | undefined>, options: SingletonOptions = {}): Promise<PreflightReport> {
  const needed = singletonsFor(env, options)[0];
  if (!needed) return { status: 'skip', detail: `the ${env.preset} preset has no API Gateway` };
  const template = await deployed();
  const legacy = stackAccountRole(template);
  if (!needed.requiredBecause && !legacy) return { status: 'skip', detail: 'execution logging is off: no account role needed' };
  const scope = scopeOf(env, needed.singleton);
  const state = needed.requiredBecause
    ? await requireSingleton(clients, needed.singleton, { scope, fix: `tapctl bootstrap --env ${env.name}`, needed: `${needed.requiredBecause} in '${env.name}'` })
    : await needed.singleton.find(clients);
  const refusal = accountRoleRemovalRefusal(env, state, template, 'deploy');
  if (refusal) throw refusal;
  if (state.kind !== 'present') return { status: 'pass', detail: 'execution logging is off, and the account setting does not name this stack\'s role' };
  if (!needed.requiredBecause) return { status: 'pass', detail: `execution logging is off; the account role is ${state.detail}` };
  if (state.owner.kind === 'stack') {
    return {
      status: 'warn',
      detail: `account CloudWatch role ${state.detail}: it goes when that stack is destroyed; tapctl bootstrap --env ${env.name} moves the setting to tapctl's account-wide role`,
    };
  }
  return { status: state.note ? 'warn' : 'pass', detail: `account CloudWatch role ${state.detail}${state.note ? `; ${state.note}` : ''}` };
}
