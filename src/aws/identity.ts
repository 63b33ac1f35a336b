/** Who the credentials belong to, and the refusal to touch any account but the environment's. */
import { quote } from '../cli/quote.js';
import { OperationError, RefusedError, UsageError } from '../cli/errors.js';
import { suggest } from '../config/suggest.js';
import { knownProfiles } from './profiles.js';
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/**
 * Whether there are credentials at all (the SDK's chain finds some), learned without loading an SDK client.
 * Throws as callerIdentity does: a misspelt profile (exit 2, with a suggestion), no credentials (exit 2).
 * Whether AWS accepts them is callerIdentity's business.
 */
export async function findCredentials(clients: AwsClients): Promise<void> {
  assertKnownProfile(clients);
  try {
    await clients.credentials();
  } catch (e) {
    throw explainAwsError(e, 'checking your AWS identity');
  }
}

export interface CallerIdentityOptions {
  /** Called when STS's request is signed and handed to the HTTP handler, i.e. as it leaves. */
  readonly onSent?: () => void;
}

export async function callerIdentity(clients: AwsClients, options: CallerIdentityOptions = {}): Promise<CallerIdentity> {
  assertKnownProfile(clients);
  const { GetCallerIdentityCommand } = await loadSdk('@aws-sdk/client-sts');
  let out;
  try {
    const command = new GetCallerIdentityCommand({});
    const { onSent } = options;
    // The lowest priority of the last step before the HTTP handler: after signing and the retry strategy.
    if (onSent) command.middlewareStack.add((next) => (args) => (onSent(), next(args)), { step: 'finalizeRequest', priority: 'low', name: 'tapctlOnSent' });
    out = await (await clients.sts()).send(command);
  } catch (e) {
    throw explainAwsError(e, 'checking your AWS identity');
  }
  // STS always names the account and the caller. An XML parser reads an HTML page (a captive portal, a proxy's
  // sign-in page) as an empty answer: that is not AWS, and must never read as "account ''".
  if (!out.Account || !out.Arn) {
    throw new OperationError('while checking your AWS identity, the endpoint answered without an account or caller ARN: that is not an AWS answer', {
      hint: "a proxy, a captive portal or a wrong endpoint answers instead of AWS: check HTTPS_PROXY / HTTP_PROXY, the network, and the environment's endpoint (or AWS_ENDPOINT_URL)",
      code: 'not-aws-response',
    });
  }
  return { account: out.Account, arn: out.Arn };
}

/**
 * The profile in use names a profile of ~/.aws/config or ~/.aws/credentials. A misspelt profile reads to the SDK
 * exactly like having no credentials at all: name it instead. From --profile (or the config's profile), else from
 * AWS_PROFILE, which the SDK reads the same way.
 */
function assertKnownProfile(clients: AwsClients): void {
  const profile = clients.target.profile ?? process.env.AWS_PROFILE;
  if (!profile) return;
  const source = clients.target.profile ? '' : ' (from AWS_PROFILE)';
  const known = knownProfiles();
  if (!known.includes(profile)) {
    const near = suggest(profile, known);
    const drop = source ? 'unset AWS_PROFILE' : 'drop --profile';
    throw new UsageError(`there is no AWS profile ${quote(profile)}${source}${near ? `; did you mean '${near}'?` : ''}`, {
      hint: known.length ? `profiles in ~/.aws/config and ~/.aws/credentials: ${known.join(', ')}` : `no AWS profiles are configured on this machine: aws configure sso, or ${drop}`,
    });
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
