/** The CDK bootstrap of an account and region, as the deployed template's own check reads it. */
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** The default synthesizer's qualifier: every bootstrap resource name and the SSM parameter carry it. */
export const DEFAULT_QUALIFIER = 'hnb659fds';

export const bootstrapVersionParameter = (qualifier = DEFAULT_QUALIFIER) => `/cdk-bootstrap/${qualifier}/version`;

/** The bootstrap version in the clients' account and region, or undefined when it was never bootstrapped. */
export async function bootstrapVersion(clients: AwsClients, qualifier = DEFAULT_QUALIFIER): Promise<number | undefined> {
  const { GetParameterCommand } = await loadSdk('@aws-sdk/client-ssm');
  const name = bootstrapVersionParameter(qualifier);
  try {
    const out = await (await clients.ssm()).send(new GetParameterCommand({ Name: name }));
    const version = Number(out.Parameter?.Value);
    return Number.isFinite(version) ? version : undefined;
  } catch (e) {
    if (awsErrorName(e) === 'ParameterNotFound') return undefined;
    throw explainAwsError(e, `reading the SSM parameter ${name}`);
  }
}
