/**
 * One toolkit-lib session for one environment: the Toolkit with tapctl's IoHost and the environment's
 * credentials, the AWS settings of the command's environment scoped to the call, Ctrl-C handling, and a bound on
 * how long AWS may stay silent.
 *
 * toolkit-lib reads credentials and AWS_ENDPOINT_URL from process.env. The command's environment (`ctx.env`,
 * which tests control) is applied for the duration of the call and process.env is restored afterwards, so an
 * environment's `endpoint` never leaks into later calls.
 *
 * Silence. toolkit-lib 1.40.1 offers no timeout setting: its public `SdkConfig` is `{ baseCredentials,
 * httpOptions: { agent } }`. Internally (`Toolkit.sdkProvider`) it gives every SDK client it makes the request
 * handler settings `{ connectionTimeout: 10 s, requestTimeout: 300 s }`, and with @smithy/node-http-handler 4.x
 * a `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is set (and no socket idle timeout is set
 * at all), so a request to an endpoint that accepts the connection and never answers (a stalled proxy) waits
 * forever: toolkit-lib's retries (up to 7 attempts) never start, since no error ever comes. Two bounds, both here:
 *
 * 1. Every call tapctl makes through toolkit-lib races a watchdog: when toolkit-lib has sent no message for
 *    `awsQuietMs` (default 120 s), the call ends with "no answer from AWS". toolkit-lib reports every completed
 *    SDK call (CDK_SDK_I0100), every stack event and every poll of its wait loops, so a 20-minute CloudFormation
 *    deploy that makes progress never trips it; only a call that hangs does. The clock stops while a question
 *    (approval, MFA code) waits for a person. One wait has polls but no bound: toolkit-lib's wait for a change
 *    set to finish deleting (before it creates one of the same name). It gets the same budget, counted from its
 *    start, polls or not (toolkit-io.ts `changeSetDeletionWait`): CloudFormation deletes a change set in seconds.
 * 2. The request handler settings toolkit-lib hands to the credential provider (`IBaseCredentialsProvider
 *    .sdkBaseConfig(ioHost, clientConfig)`, which toolkit-lib reads back for all its clients) get a socket idle
 *    timeout (default 20 s, as tapctl's own clients' request timeout in src/aws/clients.ts), so a stalled
 *    request fails at the SDK and is retried there, instead of hanging on after tapctl gave up. An idle bound,
 *    not a total one: an asset upload that keeps sending is never cut.
 *
 * TAPCTL_AWS_TIMEOUT_MS (milliseconds), the variable that bounds tapctl's own requests, sets both.
 */
import { readSettings } from '../cli/settings.js';
import type { IBaseCredentialsProvider, RequestHandlerSettings, Toolkit } from '@aws-cdk/toolkit-lib';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, OperationError, type TapctlError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { ToolkitIoHost } from './toolkit-io.js';

/** How often CloudFormation is polled while waiting. TAPCTL_POLL_INTERVAL_MS overrides it (tests, slow APIs). */
export function pollIntervalMs(ctx: CommandContext, fallback: number): number {
  return readSettings(ctx.env).pollIntervalMs ?? fallback;
}

/** How long toolkit-lib may go without a message (no answer, no progress) before tapctl gives up. */
export const DEFAULT_AWS_QUIET_MS = 120_000;
/** How long one of toolkit-lib's requests may sit on a silent socket before the SDK fails (and retries) it. */
export const DEFAULT_REQUEST_IDLE_MS = 20_000;

function timeoutOverride(ctx: CommandContext): number | undefined {
  return readSettings(ctx.env).awsTimeoutMs;
}

/** The quiet-time budget of a toolkit-lib call; TAPCTL_AWS_TIMEOUT_MS overrides it. */
export function awsQuietMs(ctx: CommandContext): number {
  return timeoutOverride(ctx) ?? DEFAULT_AWS_QUIET_MS;
}

/** The socket idle timeout of toolkit-lib's requests; TAPCTL_AWS_TIMEOUT_MS overrides it. */
export function requestIdleMs(ctx: CommandContext): number {
  return timeoutOverride(ctx) ?? DEFAULT_REQUEST_IDLE_MS;
}

export interface ToolkitCall {
  /** What the call does, for the error ("comparing TapStack-shop-dev with the deployed stack"); asked when it happens. */
  readonly what: string | (() => string);
  /** An extra hint when AWS goes silent (e.g. that CloudFormation may carry on with a started deploy). */
  readonly whenSilent?: () => string | undefined;
}

export async function withToolkit<T>(
  ctx: CommandContext,
  env: ResolvedEnvironment,
  ioHost: ToolkitIoHost,
  fn: (toolkit: Toolkit) => Promise<T>,
  call: ToolkitCall = { what: 'talking to AWS' },
): Promise<T> {
  const { Toolkit, BaseCredentials } = await import('@aws-cdk/toolkit-lib');
  const quietMs = awsQuietMs(ctx);
  const restore = scopeAwsEnv(ctx.env, env.endpoint);
  try {
    const profile = ctx.globals.profile ?? env.profile;
    const toolkit = new Toolkit({
      ioHost,
      // tapctl styles its own output; toolkit-lib's messages arrive as plain text.
      color: false,
      emojis: false,
      sdkConfig: {
        baseCredentials: withSocketIdleTimeout(BaseCredentials.awsCliCompatible({ ...(profile ? { profile } : {}), defaultRegion: env.region }), requestIdleMs(ctx)),
      },
    });
    // The silence clock starts now: loading toolkit-lib (slow on a busy machine) is not AWS being silent.
    ioHost.touch();
    const stuck = () => (ioHost.changeSetDeletionWait()?.ms ?? 0) >= quietMs;
    return await boundSilence(ioHost, fn(toolkit), quietMs, () => (stuck() ? changeSetNotDeleted(ioHost, env, quietMs) : noAnswer(ctx, env, quietMs, call)));
  } finally {
    restore();
  }
}

/** Adds a socket idle timeout to the request handler settings toolkit-lib builds all its SDK clients from. */
function withSocketIdleTimeout(base: IBaseCredentialsProvider, socketTimeoutMs: number): IBaseCredentialsProvider {
  return {
    sdkBaseConfig: (host, clientConfig) => {
      // NodeHttpHandlerOptions.socketTimeout: RequestHandlerSettings does not declare it, the SDK reads it.
      const requestHandler: RequestHandlerSettings & { socketTimeout: number } = { ...clientConfig.requestHandler, socketTimeout: socketTimeoutMs };
      clientConfig.requestHandler = requestHandler;
      return base.sdkBaseConfig(host, clientConfig);
    },
  };
}

/**
 * Waits for `work` while toolkit-lib keeps talking; when it has been silent for `quietMs` (questions to a person
 * excepted), stops watching, makes toolkit-lib's next wait-loop message fail (toolkit-io.ts) and throws.
 */
export function boundSilence<T>(ioHost: ToolkitIoHost, work: Promise<T>, quietMs: number, silent: () => TapctlError): Promise<T> {
  ioHost.touch();
  return new Promise<T>((resolve, reject) => {
    const timer = setInterval(
      () => {
        if (ioHost.quietMs() < quietMs && (ioHost.changeSetDeletionWait()?.ms ?? 0) < quietMs) return;
        clearInterval(timer);
        const error = silent();
        ioHost.stop(error);
        work.catch(() => undefined);
        reject(error);
      },
      Math.max(20, Math.min(1_000, Math.floor(quietMs / 5))),
    );
    work.then(resolve, reject).finally(() => clearInterval(timer));
  });
}

function changeSetNotDeleted(ioHost: ToolkitIoHost, env: ResolvedEnvironment, quietMs: number): OperationError {
  const wait = ioHost.changeSetDeletionWait();
  const changeSet = wait?.changeSet ?? 'tapctl-deploy';
  const stack = wait?.stack ?? env.names.stack;
  return new OperationError(`change set ${changeSet} of stack ${stack} did not finish deleting within ${seconds(quietMs)}: CloudFormation still reports it, so a new one cannot be made`, {
    code: 'timeout',
    hint: `look at it (aws cloudformation describe-change-set --stack-name ${stack} --change-set-name ${changeSet} --region ${env.region}) and try again; TAPCTL_AWS_TIMEOUT_MS sets how long tapctl waits (now ${quietMs} ms)`,
  });
}

function noAnswer(ctx: CommandContext, env: ResolvedEnvironment, quietMs: number, call: ToolkitCall): OperationError {
  const url = env.endpoint ?? ctx.env.AWS_ENDPOINT_URL;
  const where = url ? `endpoint ${url}` : `endpoints *.${env.region}.amazonaws.com${env.region.startsWith('cn-') ? '.cn' : ''}`;
  const extra = call.whenSilent?.();
  const what = typeof call.what === 'function' ? call.what() : call.what;
  return new OperationError(`no answer from AWS within ${seconds(quietMs)} while ${what} (${where})`, {
    code: 'timeout',
    hint: `${extra ? `${extra}; ` : ''}check your network, a proxy between you and AWS, and the environment's endpoint; TAPCTL_AWS_TIMEOUT_MS sets how long tapctl waits (now ${quietMs} ms)`,
  });
}

const seconds = (ms: number) => `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

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
