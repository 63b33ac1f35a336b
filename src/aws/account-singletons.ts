/**
 * Account singletons: settings and resources that exist once per AWS account (an IAM OIDC identity provider per
 * issuer URL) or once per account and region (API Gateway's CloudWatch Logs role setting), and that every
 * environment in that account, of this project or another, shares.
 *
 * One environment's stack must never own one. With the API Gateway role in each environment's stack, the last
 * deploy set the account's role to its own, and destroying that environment deleted the role every other API of
 * the region logs through (failure-lessons.md #19, after the fact). So singletons stay OUT of every environment's
 * stack, and each is handled through one model, `AccountSingleton`:
 *
 * - **find**: read-only calls saying whether it is there and usable, and who owns it: `present` (owned by tapctl,
 *   by a CloudFormation stack, or by someone else), `missing`, or `broken` (it is set, but names something that
 *   no longer exists). A read that is denied is an error, never taken for "missing".
 * - **create once**: `tapctl bootstrap --env <name>` ensures the singletons the environment needs (`ensureSingleton`):
 *   creates a missing one, repairs a broken one, and moves one that an environment's stack owns to tapctl's own
 *   (that stack can then drop it safely). A create that races another creator answers an "already exists" error
 *   (`alreadyExists`: IAM's EntityAlreadyExists ...): it is read again, not failed. Where the service takes tags,
 *   what tapctl creates carries `tapctl:account-singleton=<id>`.
 * - **owner**: nobody's environment. tapctl never deletes a singleton: `destroy` leaves it, and every deploy's
 *   preflight only requires it (`requireSingleton`: a missing or broken one is exit 1 naming `tapctl bootstrap`).
 *   `removal` says how a person deletes it once no environment of the account needs it.
 *
 * Adding one, e.g. the GitHub Actions OIDC provider of `tapctl bootstrap --ci github` ([9/12]):
 *
 * ```ts
 * export const githubOidcProvider: AccountSingleton<{ arn: string }> = {
 *   id: 'github-oidc-provider',
 *   what: "the account's IAM OIDC identity provider for GitHub Actions (token.actions.githubusercontent.com)",
 *   scope: 'account',
 *   docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
 *   permissions: { find: ['iam:ListOpenIDConnectProviders', 'iam:GetOpenIDConnectProvider'], create: ['iam:CreateOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider'] },
 *   alreadyExists: ['EntityAlreadyExistsException', 'EntityAlreadyExists'], // the SDK's name, and IAM's code
 *   removal: 'aws iam delete-open-id-connect-provider --open-id-connect-provider-arn <arn>',
 *   async find(clients) { ... ListOpenIDConnectProviders, match the issuer URL, read its tags for the owner ... },
 *   async create(clients) { ... CreateOpenIDConnectProvider with the tapctl tag; return { arn } },
 * };
 * ```
 * and list it where the environments that need it are known (src/deploy/account-singletons.ts).
 */
import { OperationError, isTapctlError, type TapctlError } from '../cli/errors.js';
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';

/** The tag tapctl puts on what it creates as a singleton: its value is the singleton's id. */
export const SINGLETON_TAG = 'tapctl:account-singleton';

/** Who owns a singleton that is there. */
export type SingletonOwner =
  /** Created by tapctl bootstrap (tagged, or named as tapctl names it). */
  | { readonly kind: 'tapctl' }
  /** A resource of a CloudFormation stack: it goes when that stack is deleted or stops declaring it. */
  | { readonly kind: 'stack'; readonly stackName: string }
  /** Set up outside tapctl (by hand, another tool): used as it is, never changed. */
  | { readonly kind: 'other' };

export type SingletonState<T> =
  | {
      readonly kind: 'present';
      readonly value: T;
      readonly owner: SingletonOwner;
      /** One line for a person: what it is (an ARN ...). */
      readonly detail: string;
      /** Something worth a warning that does not make it unusable (a part that could not be checked ...). */
      readonly note?: string;
    }
  | { readonly kind: 'missing'; readonly detail: string }
  /** It is set, but names something that is gone (a role that was deleted ...): as good as missing. */
  | { readonly kind: 'broken'; readonly detail: string };

/** An account singleton: how to find it, how to create it once, who owns it. See the module's docstring. */
export interface AccountSingleton<T> {
  /** Stable id: the tag value, the key in results. */
  readonly id: string;
  /** What it is, for a person ("the account's API Gateway CloudWatch Logs role"). */
  readonly what: string;
  /** Once per account (IAM), or once per account and region. */
  readonly scope: 'account' | 'region';
  /** The AWS documentation page that says it is one per account (and region). */
  readonly docs: string;
  /** The IAM actions `find` and `create` call. */
  readonly permissions: { readonly find: readonly string[]; readonly create: readonly string[] };
  /** Error names a create answers when another creator was first: then it is read again. */
  readonly alreadyExists: readonly string[];
  /** How a person removes it once no environment of the account needs it (tapctl never does). */
  readonly removal: string;
  /** Read-only. Throws a TapctlError when it cannot tell (access denied ...). */
  find(clients: AwsClients): Promise<SingletonState<T>>;
  /**
   * Creates it, repairs it, or takes it over from a stack (`before` says which), idempotently; returns what is
   * there afterwards. May throw an error named in `alreadyExists` when racing another creator.
   */
  create(clients: AwsClients, before: SingletonState<T>): Promise<T>;
}

export type EnsureStatus =
  /** Already there and usable (owned by tapctl or someone else): nothing was changed. */
  | 'present'
  | 'created'
  /** Was set to something gone; now points at tapctl's own. */
  | 'repaired'
  /** Was owned by an environment's stack; now tapctl's own, so that stack can drop it. */
  | 'moved';

export interface EnsureOutcome<T> {
  readonly id: string;
  readonly what: string;
  readonly status: EnsureStatus;
  readonly value: T;
  readonly detail: string;
  /** Another creator was first while tapctl created it. */
  readonly raced?: boolean;
}

/**
 * Makes sure the singleton is there and owned by no environment's stack (tapctl bootstrap). Creates, repairs or
 * moves it as `find` says; a create that loses a race is read again.
 */
export async function ensureSingleton<T>(clients: AwsClients, s: AccountSingleton<T>, scope: string): Promise<EnsureOutcome<T>> {
  const before = await s.find(clients);
  const base = { id: s.id, what: s.what };
  if (before.kind === 'present' && before.owner.kind !== 'stack') return { ...base, status: 'present', value: before.value, detail: before.detail };
  let value: T;
  try {
    value = await s.create(clients, before);
  } catch (e) {
    if (s.alreadyExists.includes(awsErrorName(e))) {
      const again = await s.find(clients);
      if (again.kind === 'present') return { ...base, status: 'present', value: again.value, detail: again.detail, raced: true };
    }
    // A broken singleton is repaired (e.g. an audience added), not created: the error says which.
    throw singletonError(e, `${before.kind === 'broken' ? 'repairing' : before.kind === 'present' ? 'moving' : 'creating'} ${s.what} in ${scope}`, s);
  }
  const after = await s.find(clients);
  const detail = after.kind === 'present' ? after.detail : String(value);
  const status: EnsureStatus = before.kind === 'missing' ? 'created' : before.kind === 'broken' ? 'repaired' : 'moved';
  return { ...base, status, value, detail };
}

/**
 * The singleton an environment needs, or the error that says it is missing or broken and that `fix` creates it
 * (deploy's preflight: required and checked, never created behind the person's back).
 */
export async function requireSingleton<T>(clients: AwsClients, s: AccountSingleton<T>, context: { scope: string; fix: string; needed: string }): Promise<Extract<SingletonState<T>, { kind: 'present' }>> {
  const state = await s.find(clients);
  if (state.kind === 'present') return state;
  throw new OperationError(`${context.needed}, but ${state.detail}`, {
    code: state.kind === 'missing' ? 'account-singleton-missing' : 'account-singleton-broken',
    hint: `${context.fix} creates ${s.what} once for ${context.scope}, outside every environment's stack (tapctl never deletes it)`,
    details: { singleton: s.id, state: state.kind, fixedBy: context.fix },
  });
}

/** A failure while finding or creating a singleton: a denied call names the permissions the singleton needs. */
export function singletonError(e: unknown, what: string, s: Pick<AccountSingleton<unknown>, 'permissions'>): TapctlError {
  if (isTapctlError(e)) return e;
  const explained = explainAwsError(e, what);
  if (explained.code !== 'access-denied') return explained;
  return new OperationError(explained.message, {
    code: 'access-denied',
    hint: `it needs ${[...s.permissions.find, ...s.permissions.create].join(', ')}; ask your AWS administrator, or have someone allowed to run the same command`,
    cause: e,
  });
}

/** The tags of a tapctl singleton, as IAM and most services take them. */
export function singletonTags(id: string): Array<{ Key: string; Value: string }> {
  return [
    { Key: SINGLETON_TAG, Value: id },
    { Key: 'ManagedBy', Value: 'tapctl' },
  ];
}

/** The owner a resource's tags say: tapctl's tag, else CloudFormation's stack-name tag, else `fallback`. */
export function ownerFromTags(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, id: string, fallback: SingletonOwner = { kind: 'other' }): SingletonOwner {
  const value = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  if (value(SINGLETON_TAG) === id) return { kind: 'tapctl' };
  const stack = value('aws:cloudformation:stack-name');
  if (stack) return { kind: 'stack', stackName: stack };
  return fallback;
}

/** The AWS partition of a region (arn:<partition>:...). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
