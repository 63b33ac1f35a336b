/** Who the credentials belong to, and the refusal to touch any account but the environment's. */
import { quote } from '../cli/quote.js';
import { RefusedError, UsageError } from '../cli/errors.js';
import { suggest } from '../config/suggest.js';
import { knownProfiles } from './profiles.js';
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

export async function callerIdentity(clients: AwsClients): Promise<CallerIdentity> {
  // A misspelt profile reads to the SDK exactly like having no credentials at all: name it instead. From
  // --profile (or the config's profile), else from AWS_PROFILE, which the SDK reads the same way.
  const profile = clients.target.profile ?? process.env.AWS_PROFILE;
  const source = clients.target.profile ? '' : ' (from AWS_PROFILE)';
  if (profile) {
    const known = knownProfiles();
    if (!known.includes(profile)) {
      const near = suggest(profile, known);
      const drop = source ? 'unset AWS_PROFILE' : 'drop --profile';
      throw new UsageError(`there is no AWS profile ${quote(profile)}${source}${near ? `; did you mean '${near}'?` : ''}`, {
        hint: known.length ? `profiles in ~/.aws/config and ~/.aws/credentials: ${known.join(', ')}` : `no AWS profiles are configured on this machine: aws configure sso, or ${drop}`,
      });
    }
  }
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const out = await (await clients.sts()).send(new GetCallerIdentityCommand({}));
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
