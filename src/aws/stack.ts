/** Reading a deployed stack: its state and outputs. */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/**
 * The stack as read after an operation failed: what CloudFormation said (undefined: the stack is gone), or why it
 * could not be asked. A failed read is never taken for "gone": that would tell a person nothing was left behind.
 */
export type StackAfter = { readonly read: true; readonly stack: Stack | undefined } | { readonly read: false; readonly reason: string };

export async function readStackAfter(clients: AwsClients, stackName: string): Promise<StackAfter> {
  try {
    return { read: true, stack: await describeStack(clients, stackName) };
  } catch (e) {
    return { read: false, reason: (e as Error)?.message ?? String(e) };
  }
}

/** The stack, or undefined when it does not exist. */
export async function describeStack(clients: AwsClients, stackName: string): Promise<Stack | undefined> {
  const { DescribeStacksCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  try {
    const out = await (await clients.cloudFormation()).send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (e) {
    if (/does not exist/i.test((e as Error).message ?? '')) return undefined;
    throw explainAwsError(e, `reading stack ${stackName}`);
  }
}

export function stackOutputs(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey).map((o) => [o.OutputKey as string, o.OutputValue ?? '']));
}

/** CloudFormation statuses in which an operation is still running. */
export function isInProgress(status: string | undefined): boolean {
  return Boolean(status && status.endsWith('_IN_PROGRESS'));
}
