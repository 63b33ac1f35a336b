/**
 * Why a deployment failed, said the way a person needs it: the first resource that really failed with
 * CloudFormation's reason (not the cascade of "Resource creation cancelled" that follows it), the known cause
 * when the reason matches one (known-causes.ts), and what state the stack was left in.
 */
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import type { StackAfter } from '../aws/stack.js';
import { isTapctlError, OperationError, UsageError, type TapctlError } from '../cli/errors.js';
import { explainAwsError } from '../aws/errors.js';
import { knownCauseFor, knownCauseLabel, type KnownCause } from './known-causes.js';

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

/** Where to look at a stack whose state tapctl could not read. */
export interface StackLocation {
  readonly stackName: string;
  readonly envName: string;
  readonly region: string;
}

/** What the stack's state after a failure means for the person, and what to do next. */
export function stackStateAfterFailure(after: StackAfter, where: StackLocation): string {
  if (!after.read) {
    return `could not be read (${after.reason}); look at it with tapctl status --env ${where.envName}, or aws cloudformation describe-stacks --stack-name ${where.stackName} --region ${where.region}`;
  }
  const stack = after.stack;
  const status = stack?.StackStatus;
  const envName = where.envName;
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
  readonly region: string;
  readonly events: readonly StackEvent[];
  /** toolkit-lib's error: its message is the fallback when no resource event explains the failure. */
  readonly error: unknown;
  /** The stack as CloudFormation describes it after the failure, or why it could not be read. */
  readonly stackAfter: StackAfter;
}

export interface FailureExplanation {
  readonly rootCause?: RootCause;
  readonly knownCause?: KnownCause;
  /** undefined: the stack is gone, or its state could not be read. */
  readonly stackStatus?: string;
  readonly error: OperationError;
}

export function explainFailure(input: FailureInput): FailureExplanation {
  const cause = rootCause(input.events);
  const stackStatus = input.stackAfter.read ? input.stackAfter.stack?.StackStatus : undefined;
  const toolkitMessage = errorMessage(input.error);
  const reason = cause ? cause.reason : toolkitMessage;
  const known = knownCauseFor(reason) ?? (cause ? knownCauseFor(toolkitMessage) : undefined);
  const what = cause ? `${cause.logicalId} (${cause.resourceType}) ${cause.status}: ${cause.reason}` : toolkitMessage;
  const state = stackStateAfterFailure(input.stackAfter, input);
  const message = [`${input.operation} of ${input.stackName} failed`, `  root cause: ${what}`, `  stack state: ${state}`].join('\n');
  const hint = known
    ? `known cause (${knownCauseLabel(known)}): ${known.hint}`
    : `fix the root cause above, then run tapctl ${input.operation} --env ${input.envName} again`;
  const error = new OperationError(message, {
    code: `${input.operation}-failed`,
    hint,
    cause: input.error,
    details: {
      rootCause: cause,
      knownCause: known ? { ...(known.lesson !== undefined ? { lesson: known.lesson } : { kind: known.kind }), hint: known.hint } : undefined,
      stackStatus: stackStatus ?? null,
      ...(input.stackAfter.read ? {} : { stackUnreadable: input.stackAfter.reason }),
    },
  });
  return { rootCause: cause, knownCause: known, stackStatus, error };
}

function errorMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // toolkit-lib wraps the real error ("❌  <stack> failed: ...", AssetPublishFailed ...): the innermost message
  // that says something is the one to show. Assets published in parallel fail for the same reason, and
  // toolkit-lib collects every failure into one AggregateError: each distinct reason is shown once.
  let best = e.message;
  for (let inner: unknown = e; inner instanceof Error; inner = inner.cause) {
    const own = inner instanceof AggregateError ? distinct(inner.errors.map((x) => (x instanceof Error ? x.message : String(x)))).join('; ') : inner.message;
    if (own.trim()) best = own;
  }
  return best.replace(/^❌\s*/, '').trim();
}

function distinct(messages: readonly string[]): string[] {
  const seen = new Set<string>();
  return messages.map((m) => m.replace(/^❌\s*/, '').trim()).filter((m) => m && !seen.has(m) && seen.add(m));
}

/** `e`, its causes and, for an AggregateError, each of its errors (and their causes), outermost first. */
function errorChain(e: unknown, depth = 0): unknown[] {
  if (e === undefined || e === null || depth > 8) return [];
  const inner = e instanceof AggregateError ? e.errors.flatMap((x) => errorChain(x, depth + 1)) : [];
  const cause = e instanceof Error ? errorChain(e.cause, depth + 1) : [];
  return [e, ...inner, ...cause];
}

/** toolkit-lib's DeploymentError, recognised by the global symbol it carries (no toolkit-lib import here). */
const DEPLOYMENT_ERROR = Symbol.for('@aws-cdk/toolkit-lib.DeploymentError');
const isDeploymentError = (x: unknown) => typeof x === 'object' && x !== null && DEPLOYMENT_ERROR in x;

/** explainAwsError's codes for failures that are about access or reachability, not about the stack. */
const SPECIFIC_AWS_FAILURES = new Set(['access-denied', 'network', 'timeout', 'not-aws-response']);

/**
 * The AWS SDK failure inside an error toolkit-lib threw, when it is one explainAwsError has a specific answer for
 * (access denied, missing or expired credentials, AWS unreachable or silent), explained "while <what>"; otherwise
 * undefined. A TapctlError found inside (thrown by tapctl's own IoHost) is returned as it is.
 */
export function awsFailureIn(e: unknown, what: string): TapctlError | undefined {
  for (const candidate of errorChain(e)) {
    if (isTapctlError(candidate)) return candidate;
    // CloudFormation's verdict on a deployment ("Resource updates failed: ... not authorized ..."), which
    // explainFailure explains with the stack's state, is not an error of the request itself.
    if (isDeploymentError(candidate)) continue;
    const explained = explainAwsError(candidate, what);
    if (explained instanceof UsageError || SPECIFIC_AWS_FAILURES.has(explained.code)) return explained;
  }
  return undefined;
}

/**
 * Any error a toolkit-lib call threw, as a TapctlError: tapctl's own, a specific AWS failure (awsFailureIn), or
 * else explainAwsError's general "<what> failed: <reason>" for the innermost message that says something.
 */
export function explainToolkitError(e: unknown, what: string): TapctlError {
  if (isTapctlError(e)) return e;
  const specific = awsFailureIn(e, what);
  if (specific) return specific;
  const chain = errorChain(e).filter((x): x is Error => x instanceof Error && !(x instanceof AggregateError) && x.message.trim() !== '');
  const innermost = chain.at(-1) ?? e;
  return explainAwsError(innermost, what);
}
