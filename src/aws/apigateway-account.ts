/** API Gateway's account-level settings (one per account and region). */
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/**
 * The CloudWatch Logs role API Gateway writes execution logs with, or undefined when none is set: without it, a
 * stage with logging on fails to deploy (failure-lessons.md #19).
 */
export async function apiGatewayCloudWatchRoleArn(clients: AwsClients): Promise<string | undefined> {
  const { GetAccountCommand } = await loadSdk('@aws-sdk/client-api-gateway');
  try {
    const out = await (await clients.apiGateway()).send(new GetAccountCommand({}));
    return out.cloudwatchRoleArn || undefined;
  } catch (e) {
    throw explainAwsError(e, "reading API Gateway's account settings");
  }
}
