/** Which stacks import a CloudFormation export (cross-stack references made with Fn::ImportValue). */
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/**
 * The names of the stacks that import `exportName`, in the region of the clients; [] when none does. ListImports
 * answers an export nobody imports with a ValidationError "Export '<name>' is not imported by any stack"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListImports.html).
 */
export async function importingStacks(clients: AwsClients, exportName: string): Promise<string[]> {
  const { ListImportsCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  const cfn = await clients.cloudFormation();
  const stacks: string[] = [];
  let token: string | undefined;
  try {
    do {
      const out = await cfn.send(new ListImportsCommand({ ExportName: exportName, ...(token ? { NextToken: token } : {}) }));
      stacks.push(...(out.Imports ?? []));
      token = out.NextToken;
    } while (token);
  } catch (e) {
    if (awsErrorName(e) === 'ValidationError' && /is not imported by any stack/i.test((e as Error).message ?? '')) return [];
    throw explainAwsError(e, `listing the stacks that import ${exportName} (cloudformation:ListImports)`);
  }
  return stacks;
}
