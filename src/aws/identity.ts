/** Who the credentials belong to, and the refusal to touch any account but the environment's. */
import { RefusedError } from '../cli/errors.js';
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

export async function callerIdentity(clients: AwsClients): Promise<CallerIdentity> {
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
