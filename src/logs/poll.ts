/**
 * Following logs without Live Tail: FilterLogEvents again every few seconds from the newest event seen. Each
 * request is bounded like every AWS call; the loop itself runs until Ctrl-C, however quiet the logs are.
 *
 * Events reach CloudWatch Logs some seconds after their timestamp, so each poll looks back a little before the
 * newest event seen and drops the events it already printed (by eventId).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { abortableSleep } from '../aws/ecr-scan.js';
import { InterruptedError, isTapctlError } from '../cli/errors.js';
import type { LogEvent } from './events.js';
import { filterEvents, mergeByTime } from './filter.js';
import type { LogGroupRef } from './sources.js';

/** How far back each poll looks before the newest event it saw: ingestion delays up to this long are caught. */
export const POLL_LOOKBACK_MS = 30_000;

export interface PollOptions {
  readonly groups: readonly LogGroupRef[];
  readonly startTime: number;
  readonly filterPattern?: string;
  readonly logStreamNames?: readonly string[];
  readonly appStreamPrefix?: string;
  readonly signal?: AbortSignal;
  readonly intervalMs: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  /** A log group that does not exist (yet). */
  readonly onMissing?: (logGroup: string) => void;
  /** A poll that got no answer (time-out, network): the next one tries again. */
  readonly onRetry?: (message: string) => void;
}

/** Events as they arrive, until Ctrl-C (InterruptedError). */
export async function* pollEvents(logs: CloudWatchLogsClient, o: PollOptions): AsyncGenerator<LogEvent> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? abortableSleep;
  const seen = new Map<string, number>();
  let newest = o.startTime;
  for (;;) {
    if (o.signal?.aborted) throw new InterruptedError('interrupted');
    const from = Math.max(o.startTime, newest - POLL_LOOKBACK_MS);
    const to = now();
    try {
      const streams = o.groups.map((group) =>
        filterEvents(
          logs,
          {
            group,
            startTime: from,
            endTime: to,
            ...(o.filterPattern ? { filterPattern: o.filterPattern } : {}),
            ...(o.logStreamNames ? { logStreamNames: o.logStreamNames } : {}),
            ...(o.appStreamPrefix ? { appStreamPrefix: o.appStreamPrefix } : {}),
            ...(o.signal ? { signal: o.signal } : {}),
          },
          o.onMissing,
        ),
      );
      for await (const event of mergeByTime(streams)) {
        const key = event.eventId ?? `${event.logGroup}\n${event.logStream}\n${event.timestamp}\n${event.message}`;
        if (seen.has(key)) continue;
        seen.set(key, event.timestamp);
        if (event.timestamp > newest) newest = event.timestamp;
        yield event;
      }
    } catch (e) {
      if (e instanceof InterruptedError || o.signal?.aborted) throw new InterruptedError('interrupted');
      // A poll without an answer is retried: following must survive a network blip. Anything else (denied,
      // a bad pattern) ends the command.
      if (!(isTapctlError(e) && (e.code === 'timeout' || e.code === 'network'))) throw e;
      o.onRetry?.(e.message);
    }
    for (const [key, at] of seen) if (at < newest - POLL_LOOKBACK_MS) seen.delete(key);
    await sleep(o.intervalMs, o.signal);
  }
}
