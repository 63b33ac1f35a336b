/**
 * CloudWatch Logs Live Tail (StartLiveTail): new log events pushed as they are ingested, for up to 3 hours per
 * session. The session sends an update every second, empty when nothing was logged, so a quiet session is
 * alive, and a session silent for much longer than that has lost its connection.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html
 */
import type { CloudWatchLogsClient, LiveTailSessionLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { InterruptedError } from '../cli/errors.js';
import { awsErrorName, isAccessDenied } from '../aws/errors.js';
import { taskOf, type LogEvent } from './events.js';
import type { LogGroupRef } from './sources.js';
import { loadSdk } from '../aws/sdk.js';

/** Live Tail could not start, or its session ended: why, for the one line that says tapctl polls instead. */
export class LiveTailEnded extends Error {
  constructor(readonly reason: string) {
    super(`Live Tail ${reason}`);
    this.name = 'LiveTailEnded';
  }
}

export interface LiveTailOptions {
  /** At most 10 (StartLiveTail's limit), each with its ARN. */
  readonly groups: ReadonlyArray<LogGroupRef & { readonly arn: string }>;
  readonly filterPattern?: string;
  /** Only these streams (one log group only, as StartLiveTail allows). */
  readonly logStreamNames?: readonly string[];
  readonly appStreamPrefix?: string;
  readonly signal?: AbortSignal;
  /** No update for this long means the connection is gone. Default 30 s (updates come every second). */
  readonly silentMs?: number;
}

/** Live Tail's own limit on log groups per session. */
export const LIVE_TAIL_MAX_GROUPS = 10;

/**
 * The session's events, as they arrive. Ends only by throwing: InterruptedError on Ctrl-C, LiveTailEnded when
 * the session cannot start (denied, throttled, not offered) or ends (after 3 hours, a server error, silence).
 */
export async function* liveTail(logs: CloudWatchLogsClient, options: LiveTailOptions): AsyncGenerator<LogEvent> {
  const { StartLiveTailCommand } = await loadSdk('@aws-sdk/client-cloudwatch-logs');
  const byArn = new Map(options.groups.map((g) => [g.arn, g]));
  const session = new AbortController();
  const stop = () => session.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    let stream: AsyncIterator<unknown>;
    try {
      const out = await logs.send(
        new StartLiveTailCommand({
          logGroupIdentifiers: options.groups.map((g) => g.arn),
          ...(options.logStreamNames ? { logStreamNames: [...options.logStreamNames] } : {}),
          ...(options.filterPattern ? { logEventFilterPattern: options.filterPattern } : {}),
        }),
        { abortSignal: session.signal },
      );
      if (!out.responseStream) throw new LiveTailEnded('sent no stream');
      stream = out.responseStream[Symbol.asyncIterator]();
    } catch (e) {
      throw ended(e, options.signal);
    }
    const silentMs = options.silentMs ?? 30_000;
    // Ctrl-C ends the wait for the next update at once, whatever the stream does with the abort.
    const aborted = new Promise<'aborted'>((resolve) => session.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<'silent'>((resolve) => (timer = setTimeout(() => resolve('silent'), silentMs)));
      let next: IteratorResult<unknown> | 'silent' | 'aborted';
      try {
        next = await Promise.race([stream.next(), silent, aborted]);
      } catch (e) {
        throw ended(e, options.signal);
      } finally {
        clearTimeout(timer);
      }
      if (next === 'aborted') throw new InterruptedError('interrupted');
      if (next === 'silent') throw new LiveTailEnded(`went silent for ${Math.round(silentMs / 1000)}s (the connection is gone)`);
      if (next.done) throw new LiveTailEnded('ended');
      const item = next.value as {
        sessionUpdate?: { sessionResults?: LiveTailSessionLogEvent[] };
        SessionTimeoutException?: { message?: string };
        SessionStreamingException?: { message?: string };
      };
      if (item.SessionTimeoutException) throw new LiveTailEnded('ended: sessions last at most 3 hours');
      if (item.SessionStreamingException) throw new LiveTailEnded(`ended: ${item.SessionStreamingException.message ?? 'a server error'}`);
      for (const r of item.sessionUpdate?.sessionResults ?? []) {
        const group = byArn.get(r.logGroupIdentifier ?? '') ?? byArn.get(stripStar(r.logGroupIdentifier ?? '')) ?? options.groups[0];
        const logStream = r.logStreamName ?? '';
        const task = group.source === 'app' ? taskOf(logStream, options.appStreamPrefix) : undefined;
        yield { timestamp: r.timestamp ?? Date.now(), source: group.source, logGroup: group.logGroup, logStream, ...(task ? { task } : {}), message: r.message ?? '' };
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    // Closing the stream ends the session (and its billing) at once.
    session.abort();
  }
}

const stripStar = (arn: string) => arn.replace(/:\*$/, '');

function ended(e: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return new InterruptedError('interrupted');
  if (e instanceof LiveTailEnded) return e;
  const name = awsErrorName(e);
  if (isAccessDenied(e)) return new LiveTailEnded('is denied to these credentials (logs:StartLiveTail)');
  if (/Throttl|LimitExceeded|TooManyRequests/i.test(name)) return new LiveTailEnded(`is throttled (${name}: Live Tail allows a limited number of concurrent sessions)`);
  if (name === 'SessionTimeoutException') return new LiveTailEnded('ended: sessions last at most 3 hours');
  return new LiveTailEnded(`is not available (${name ? `${name}: ` : ''}${(e as Error)?.message ?? String(e)})`);
}
