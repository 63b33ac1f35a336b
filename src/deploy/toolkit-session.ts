/**
 * One toolkit-lib session for one environment: the Toolkit with tapctl's IoHost and the environment's
 * credentials, the AWS settings of the command's environment scoped to the call, and Ctrl-C handling.
 *
 * toolkit-lib reads credentials and AWS_ENDPOINT_URL from process.env. The command's environment (`ctx.env`,
 * which tests control) is applied for the duration of the call and process.env is restored afterwards, so an
 * environment's `endpoint` never leaks into later calls.
 */
import type { Toolkit } from '@aws-cdk/toolkit-lib';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, type TapctlError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { ToolkitIoHost } from './toolkit-io.js';

/** How often CloudFormation is polled while waiting. TAPCTL_POLL_INTERVAL_MS overrides it (tests, slow APIs). */
export function pollIntervalMs(ctx: CommandContext, fallback: number): number {
  const n = Number(ctx.env.TAPCTL_POLL_INTERVAL_MS);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export async function withToolkit<T>(
  ctx: CommandContext,
  env: ResolvedEnvironment,
  ioHost: ToolkitIoHost,
  fn: (toolkit: Toolkit) => Promise<T>,
): Promise<T> {
  const { Toolkit, BaseCredentials } = await import('@aws-cdk/toolkit-lib');
  const restore = scopeAwsEnv(ctx.env, env.endpoint);
  try {
    const profile = ctx.globals.profile ?? env.profile;
    const toolkit = new Toolkit({
      ioHost,
      // tapctl styles its own output; toolkit-lib's messages arrive as plain text.
      color: false,
      emojis: false,
      sdkConfig: { baseCredentials: BaseCredentials.awsCliCompatible({ ...(profile ? { profile } : {}), defaultRegion: env.region }) },
    });
    return await fn(toolkit);
  } finally {
    restore();
  }
}

const AWS_VARIABLE = /^AWS_/;

/** Makes process.env's AWS_* variables those of `source` (plus the endpoint); returns the undo. */
function scopeAwsEnv(source: NodeJS.ProcessEnv, endpoint: string | undefined): () => void {
  const saved = Object.entries(process.env).filter(([k]) => AWS_VARIABLE.test(k));
  const clear = () => Object.keys(process.env).filter((k) => AWS_VARIABLE.test(k)).forEach((k) => delete process.env[k]);
  if (source !== process.env) {
    clear();
    for (const [k, v] of Object.entries(source)) if (AWS_VARIABLE.test(k) && v !== undefined) process.env[k] = v;
  }
  if (endpoint) process.env.AWS_ENDPOINT_URL = endpoint;
  return () => {
    clear();
    for (const [k, v] of saved) process.env[k] = v;
  };
}

/**
 * Waits for `work` unless Ctrl-C comes first: then stops watching at once and throws `interrupted()`. The work
 * itself winds down in the background (toolkit-io.ts makes toolkit-lib's next poll fail).
 */
export async function interruptible<T>(ctx: CommandContext, work: Promise<T>, interrupted: () => TapctlError = () => new InterruptedError('interrupted')): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(interrupted());
    };
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => ctx.signal.removeEventListener('abort', onAbort));
  });
}
