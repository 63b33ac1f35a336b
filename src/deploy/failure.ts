/**
 * Why a deployment failed, said the way a person needs it: the first resource that really failed with
 * CloudFormation's reason (not the cascade of "Resource creation cancelled" that follows it), the known cause
 * when the reason matches one (known-causes.ts), and what state the stack was left in.
 */
import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { OperationError } from '../cli/errors.js';
import { knownCauseFor, type KnownCause } from './known-causes.js';

/** Reasons that only report that something else failed first. */
const CASCADE = [/cancell?ed/i, /The following resource\(s\) failed to/i, /Resource is not in the state/i];

export function isCascadeReason(reason: string | undefined): boolean {
  return reason !== undefined && CASCADE.some((p) => p.test(reason));
}

export interface RootCause {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: string;
  readonly reason: string;
}

/** The earliest failure whose reason is its own; failing that, the earliest failure at all. */
export function rootCause(events: readonly StackEvent[]): RootCause | undefined {
  const failures = events
    .filter((e) => (e.ResourceStatus ?? '').endsWith('_FAILED') && e.ResourceStatusReason)
    .sort((a, b) => new Date(a.Timestamp ?? 0).getTime() - new Date(b.Timestamp ?? 0).getTime());
  const first = failures.find((e) => !isCascadeReason(e.ResourceStatusReason) && e.ResourceType !== 'AWS::CloudFormation::Stack') ?? failures[0];
  if (!first) return undefined;
  return {
    logicalId: first.LogicalResourceId ?? '',
    resourceType: first.ResourceType ?? '',
    status: first.ResourceStatus ?? '',
    reason: first.ResourceStatusReason ?? '',
  };
}

/** What the stack's state after a failure means for the person, and what to do next. */
export function stackStateAfterFailure(stack: Stack | undefined, envName: string): string {
  const status = stack?.StackStatus;
  switch (status) {
    case undefined:
      return 'the stack does not exist (nothing was left behind)';
    case 'ROLLBACK_COMPLETE':
      return 'ROLLBACK_COMPLETE: the first create failed and was rolled back; the next deploy deletes the empty stack first (it asks)';
    case 'UPDATE_ROLLBACK_COMPLETE':
      return 'UPDATE_ROLLBACK_COMPLETE: rolled back to the previous version; what ran before still runs';
    case 'UPDATE_ROLLBACK_FAILED':
      return `UPDATE_ROLLBACK_FAILED: the rollback failed too; continue it (aws cloudformation continue-update-rollback --stack-name ${stack?.StackName}) before deploying again`;
    case 'ROLLBACK_FAILED':
      return 'ROLLBACK_FAILED: the rollback of the first create failed; delete the stack (tapctl destroy) before deploying again';
    case 'DELETE_FAILED':
      return 'DELETE_FAILED: some resources could not be deleted; fix the cause and run tapctl destroy again';
    default:
      return status.endsWith('_IN_PROGRESS')
        ? `${status}: CloudFormation is still at work; follow it with tapctl status --env ${envName} --watch`
        : status;
  }
}

export interface FailureInput {
  /** "deploy", "destroy" or "bootstrap". */
  readonly operation: string;
  readonly stackName: string;
  readonly envName: string;
  readonly events: readonly StackEvent[];
  /** toolkit-lib's error: its message is the fallback when no resource event explains the failure. */
  readonly error: unknown;
  /** The stack as CloudFormation describes it after the failure (undefined: gone, or could not be read). */
  readonly stackAfter: Stack | undefined;
}

export interface FailureExplanation {
  readonly rootCause?: RootCause;
  readonly knownCause?: KnownCause;
  readonly stackStatus?: string;
  readonly error: OperationError;
}

export function explainFailure(input: FailureInput): FailureExplanation {
  const cause = rootCause(input.events);
  const toolkitMessage = errorMessage(input.error);
  const reason = cause ? cause.reason : toolkitMessage;
  const known = knownCauseFor(reason) ?? (cause ? knownCauseFor(toolkitMessage) : undefined);
  const what = cause ? `${cause.logicalId} (${cause.resourceType}) ${cause.status}: ${cause.reason}` : toolkitMessage;
  const state = stackStateAfterFailure(input.stackAfter, input.envName);
  const message = [`${input.operation} of ${input.stackName} failed`, `  root cause: ${what}`, `  stack state: ${state}`].join('\n');
  const hint = known
    ? `known cause (failure-lessons.md #${known.lesson}): ${known.hint}`
    : `fix the root cause above, then run tapctl ${input.operation} --env ${input.envName} again`;
  const error = new OperationError(message, {
    code: `${input.operation}-failed`,
    hint,
    cause: input.error,
    details: { rootCause: cause, knownCause: known ? { lesson: known.lesson, hint: known.hint } : undefined, stackStatus: input.stackAfter?.StackStatus ?? null },
  });
  return { rootCause: cause, knownCause: known, stackStatus: input.stackAfter?.StackStatus, error };
}

function errorMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // toolkit-lib wraps the real error ("❌  <stack> failed: ...", AssetPublishFailed ...): the innermost message
  // that says something is the one to show.
  let best = e.message;
  for (let inner: unknown = e; inner instanceof Error; inner = inner.cause) {
    const own = inner instanceof AggregateError ? inner.errors.map((x) => (x instanceof Error ? x.message : String(x))).join('; ') : inner.message;
    if (own.trim()) best = own;
  }
  return best.replace(/^❌\s*/, '').trim();
}
