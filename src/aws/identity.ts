/** Who the credentials belong to, and the refusal to touch any account but the environment's. */
import { RefusedError, UsageError } from '../cli/errors.js';
import { suggest } from '../config/suggest.js';
import { knownProfiles } from './profiles.js';
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

export interface CallerIdentityOptions {
  /**
   * Called once STS has signed the request, just before it goes out: the credentials exist (whether AWS accepts
   * them is the answer's business). Not called when no credentials were found.
   */
  readonly onSigned?: () => void;
}

export async function callerIdentity(clients: AwsClients, options: CallerIdentityOptions = {}): Promise<CallerIdentity> {
  const profile = clients.target.profile;
  if (profile) {
    const known = knownProfiles();
    if (!known.includes(profile)) {
      const near = suggest(profile, known);
      throw new UsageError(`there is no AWS profile '${profile}'${near ? `; did you mean '${near}'?` : ''}`, {
        hint: known.length ? `profiles in ~/.aws/config and ~/.aws/credentials: ${known.join(', ')}` : 'no AWS profiles are configured on this machine: aws configure sso, or drop --profile',
      });
    }
  }
  const { GetCallerIdentityCommand } = await loadSdk('@aws-sdk/client-sts');
  try {
    const command = new GetCallerIdentityCommand({});
    const { onSigned } = options;
    if (onSigned) {
      // The lowest priority of the finalizeRequest step runs after the signer, which fails without credentials.
      command.middlewareStack.add((next) => (args) => (onSigned(), next(args)), { step: 'finalizeRequest', priority: 'low', name: 'tapctlOnSigned' });
    }
    const out = await (await clients.sts()).send(command);
    return { account: out.Account ?? '', arn: out.Arn ?? '' };
  } catch (e) {
    throw explainAwsError(e, 'checking your AWS identity');
  }
}

/** Refuses (exit 3) when the credentials are for another account than the environment's. */
export function assertAccount(identity: CallerIdentity, env: { name: string; account: string }): void {
  if (identity.account !== env.account) {
    throw new RefusedError(
      `refusing to touch account ${identity.account}: environment '${env.name}' belongs to account ${env.account}`,
      { hint: `use credentials for ${env.account} (e.g. --profile), or fix environments.${env.name}.account`, details: { expected: env.account, actual: identity.account, arn: identity.arn } },
    );
  }
}
