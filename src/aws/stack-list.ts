/**
 * Every stack of an account and region that is not deleted, with its tags, in pages of DescribeStacks.
 * CloudFormation has no server-side filter by tag, so callers filter what this returns; DescribeStacks (not
 * ListStacks) is used because it carries the tags. IAM: cloudformation:DescribeStacks on `*`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** A listing this long is not an account's stacks any more but a loop (DescribeStacks pages hold up to 100). */
const MAX_PAGES = 200;

export async function listStacks(clients: AwsClients, options: { abortSignal?: AbortSignal } = {}): Promise<Stack[]> {
  const { DescribeStacksCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  const cfn = await clients.cloudFormation();
  const stacks: Stack[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await cfn.send(new DescribeStacksCommand(token ? { NextToken: token } : {}), options);
      stacks.push(...(out.Stacks ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE'));
      token = out.NextToken;
      if (!token) break;
    }
  } catch (e) {
    throw explainAwsError(e, `listing the CloudFormation stacks of ${clients.target.region}`);
  }
  return stacks;
}

/** The account and region of a stack, from its ARN (`arn:<partition>:cloudformation:<region>:<account>:stack/...`). */
export function stackHome(stackId: string | undefined): { account: string; region: string } | undefined {
  const m = /^arn:[^:]+:cloudformation:([^:]+):(\d{12}):stack\//.exec(stackId ?? '');
  return m ? { region: m[1], account: m[2] } : undefined;
}
