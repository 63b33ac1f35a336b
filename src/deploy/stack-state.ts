/** The deployed stack's state as deploy sees it, and a bounded wait for a stack that is busy. */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, RefusedError } from '../cli/errors.js';
import type { AwsClients } from '../aws/clients.js';
import { describeStack } from '../aws/stack.js';
import { formatElapsed } from './progress.js';

export type StackCondition =
  /** Never deployed (or deleted): the deploy creates it. */
  | { readonly kind: 'absent' }
  /** Stable: the deploy updates it. */
  | { readonly kind: 'ready'; readonly stack: Stack }
  /** A change set waits in review on a stack that was never created: the deploy replaces it. */
  | { readonly kind: 'review'; readonly stack: Stack }
  /** An operation is running: wait or refuse. */
  | { readonly kind: 'busy'; readonly stack: Stack }
  /** The first create failed and rolled back (ROLLBACK_COMPLETE / ROLLBACK_FAILED): delete, then create. */
  | { readonly kind: 'failed-create'; readonly stack: Stack }
  /** A failed update could not roll back: the rollback must be continued first. */
  | { readonly kind: 'rollback-failed'; readonly stack: Stack }
  /** Any other failed state (DELETE_FAILED ...). */
  | { readonly kind: 'broken'; readonly stack: Stack };

export function classifyStack(stack: Stack | undefined): StackCondition {
  if (!stack) return { kind: 'absent' };
  const status = stack.StackStatus ?? '';
  if (status === 'REVIEW_IN_PROGRESS') return { kind: 'review', stack };
  if (status.endsWith('_IN_PROGRESS')) return { kind: 'busy', stack };
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED') return { kind: 'failed-create', stack };
  if (status === 'UPDATE_ROLLBACK_FAILED') return { kind: 'rollback-failed', stack };
  if (status.endsWith('_FAILED')) return { kind: 'broken', stack };
  return { kind: 'ready', stack };
}

export interface WaitOptions {
  /** For the hint when the wait runs out. */
  readonly envName: string;
  readonly timeoutMs: number;
  readonly pollMs: number;
}

/**
 * Polls until the stack's running operation ends, at most `timeoutMs` (CI must never wait forever), reporting
 * progress on the live line. Returns the settled stack (undefined when the operation deleted it).
 */
export async function waitForStack(ctx: CommandContext, clients: AwsClients, stackName: string, options: WaitOptions): Promise<Stack | undefined> {
  const started = Date.now();
  for (;;) {
    const stack = await describeStack(clients, stackName);
    const condition = classifyStack(stack);
    if (condition.kind !== 'busy') return stack;
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) {
      throw new RefusedError(`stack ${stackName} is still ${stack?.StackStatus} after waiting ${formatElapsed(waited)}`, {
        hint: `follow it with tapctl status --env ${options.envName} --watch, then deploy again; or give --wait-for-stack more minutes`,
      });
    }
    ctx.io.waiting(`waiting for ${stackName} (${stack?.StackStatus})`, waited);
    await sleep(Math.min(options.pollMs, options.timeoutMs - waited), ctx.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError('interrupted while waiting for the stack; nothing was changed'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
