/**
 * Reading stored log events with FilterLogEvents, page by page, and merging several log groups into one stream
 * ordered by time. Memory stays at one page per log group, whatever the time range.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { InterruptedError } from '../cli/errors.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import type { LogGroupRef } from './sources.js';
import { taskOf, type LogEvent } from './events.js';
import { loadSdk } from '../aws/sdk.js';

export interface FilterQuery {
  readonly group: LogGroupRef;
  /** ms since the epoch, inclusive. */
  readonly startTime: number;
  /** ms since the epoch, inclusive. @default now */
  readonly endTime?: number;
  /** A CloudWatch Logs filter pattern (--filter). */
  readonly filterPattern?: string;
  /** Only these streams (--task). */
  readonly logStreamNames?: readonly string[];
  readonly appStreamPrefix?: string;
  readonly signal?: AbortSignal;
}

/**
 * The events of one log group, oldest first (FilterLogEvents orders them by time). A log group that does not
 * exist yet (a Lambda that never ran) has no events: `onMissing` hears about it once.
 */
export async function* filterEvents(logs: CloudWatchLogsClient, q: FilterQuery, onMissing?: (logGroup: string) => void): AsyncGenerator<LogEvent> {
  const { FilterLogEventsCommand } = await loadSdk('@aws-sdk/client-cloudwatch-logs');
  let nextToken: string | undefined;
  do {
    if (q.signal?.aborted) throw new InterruptedError('interrupted');
    let page;
    try {
      page = await logs.send(
        new FilterLogEventsCommand({
          // By name: an emulator refuses log-group ARNs here, and the name is what the output holds.
          logGroupName: q.group.logGroup,
          startTime: q.startTime,
          ...(q.endTime !== undefined ? { endTime: q.endTime } : {}),
          ...(q.filterPattern ? { filterPattern: q.filterPattern } : {}),
          ...(q.logStreamNames ? { logStreamNames: [...q.logStreamNames] } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
        q.signal ? { abortSignal: q.signal } : {},
      );
    } catch (e) {
      if (q.signal?.aborted) throw new InterruptedError('interrupted');
      if (awsErrorName(e) === 'ResourceNotFoundException') {
        onMissing?.(q.group.logGroup);
        return;
      }
      throw explainAwsError(e, `reading log group ${q.group.logGroup}`);
    }
    for (const e of page.events ?? []) yield toEvent(e, q.group, q.appStreamPrefix);
    nextToken = page.nextToken;
  } while (nextToken);
}

function toEvent(e: FilteredLogEvent, group: LogGroupRef, appStreamPrefix: string | undefined): LogEvent {
  const logStream = e.logStreamName ?? '';
  const task = group.source === 'app' ? taskOf(logStream, appStreamPrefix) : undefined;
  return {
    timestamp: e.timestamp ?? 0,
    source: group.source,
    logGroup: group.logGroup,
    logStream,
    ...(task ? { task } : {}),
    message: e.message ?? '',
    ...(e.eventId ? { eventId: e.eventId } : {}),
  };
}

/** Several time-ordered streams as one, in time order (a k-way merge that reads one event ahead per stream). */
export async function* mergeByTime(streams: ReadonlyArray<AsyncIterator<LogEvent>>): AsyncGenerator<LogEvent> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (!h.done && (best < 0 || h.value.timestamp < (heads[best].value as LogEvent).timestamp)) best = i;
    }
    if (best < 0) return;
    yield heads[best].value as LogEvent;
    heads[best] = await streams[best].next();
  }
}
