/** The stack line: read from the one DescribeStacks that every refresh starts with. */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { isInProgress } from '../../aws/stack.js';
import type { StackInfo } from '../schema.js';
import { iso } from './section.js';

export function readStack(stack: Stack): StackInfo {
  return {
    name: stack.StackName ?? '',
    id: stack.StackId ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    statusReason: stack.StackStatusReason ?? null,
    createdAt: iso(stack.CreationTime),
    lastUpdatedAt: iso(stack.LastUpdatedTime ?? stack.CreationTime),
    terminationProtection: stack.EnableTerminationProtection === true,
    operationInProgress: isInProgress(stack.StackStatus),
  };
}

/** Stack statuses that mean the last operation did not do what was asked (it failed, or rolled back). */
export function isFailedStackStatus(status: string): boolean {
  return status.endsWith('_FAILED') || status.endsWith('ROLLBACK_COMPLETE');
}
