/** The pieces of tapctl logs on their own: --since, the time-ordered merge, the Live Tail session's end. */
import { CloudWatchLogsClient, StartLiveTailCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError, UsageError } from '../../src/cli/errors.js';
import { RecentEvents, taskIdOf, type LogEvent } from '../../src/logs/events.js';
import { mergeByTime } from '../../src/logs/filter.js';
import { liveTail, LiveTailEnded } from '../../src/logs/live-tail.js';
import { sinceMs } from '../../src/logs/since.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('--since', () => {
  it.each([
    ['30s', NOW - 30_000],
    ['10m', NOW - 600_000],
    ['2h', NOW - 7_200_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2026-11-29T08:00:00Z', Date.parse('2026-11-29T08:00:00Z')],
    ['2026-11-29T08:00', Date.parse('2026-11-29T08:00:00Z')],
    ['2026-11-29 08:00:00+02:00', Date.parse('2026-11-29T06:00:00Z')],
    ['2026-11-29', Date.parse('2026-11-29T00:00:00Z')],
  ])('%s starts at the right time (no zone: UTC)', (value, expected) => {
    expect(sinceMs(value, NOW)).toBe(expected);
  });

  it.each(['', '10', 'm10', '10 minutes', '-5m', 'now', '2026-11-30T00:00:00Z', '2000-01-01', '2026-02-30T00:00:00Z'])('%j is a usage error', (value) => {
    expect(() => sinceMs(value, NOW)).toThrow(UsageError);
  });
});

describe('taskIdOf', () => {
  it('takes an ID, or the last part of a task ARN; nothing else', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(taskIdOf(id)).toBe(id);
    expect(taskIdOf(`arn:aws:ecs:us-east-1:111111111111:task/shop-cluster-dev/${id}`)).toBe(id);
    expect(taskIdOf('0123456789ABCDEF0123456789ABCDEF')).toBeUndefined();
    expect(taskIdOf('ecommerce/app')).toBeUndefined();
  });
});

const ev = (timestamp: number, message = String(timestamp)): LogEvent => ({ timestamp, source: 'app', logGroup: 'g', logStream: 's', message });
async function* from(...events: LogEvent[]) {
  yield* events;
}

describe('mergeByTime', () => {
  it('interleaves time-ordered streams by time, reading each one event ahead', async () => {
    const out: number[] = [];
    for await (const e of mergeByTime([from(ev(1), ev(4), ev(6)), from(), from(ev(2), ev(3), ev(7))])) out.push(e.timestamp);
    expect(out).toEqual([1, 2, 3, 4, 6, 7]);
  });
});

describe('RecentEvents', () => {
  it('lets an event through once, and forgets events a minute older than the newest', () => {
    const recent = new RecentEvents(60_000);
    expect(recent.firstTime(ev(1_000))).toBe(true);
    expect(recent.firstTime(ev(1_000))).toBe(false);
    expect(recent.firstTime(ev(1_000, 'another message at the same time'))).toBe(true);
    recent.firstTime(ev(100_000));
    expect(recent.firstTime(ev(1_000))).toBe(true);
  });
});

describe('liveTail', () => {
  const logs = mockClient(CloudWatchLogsClient);
  afterEach(() => logs.reset());
  const groups = [{ source: 'app' as const, logGroup: '/ecs/a', arn: 'arn:aws:logs:us-east-1:1:log-group:/ecs/a' }];
  const drain = async (it: AsyncGenerator<LogEvent>) => {
    const seen: string[] = [];
    try {
      for await (const e of it) seen.push(e.message);
    } catch (e) {
      return { seen, error: e as Error };
    }
    return { seen, error: undefined };
  };

  it('GIVEN a session that stops sending updates THEN it ends as gone silent, so following can poll instead', async () => {
    logs.on(StartLiveTailCommand).resolves({
      responseStream: (async function* () {
        yield { sessionStart: {} };
        await new Promise(() => undefined);
      })(),
    } as never);
    const { error } = await drain(liveTail(new CloudWatchLogsClient({ region: 'us-east-1' }), { groups, silentMs: 20 }));
    expect(error).toBeInstanceOf(LiveTailEnded);
    expect(error?.message).toBe('Live Tail went silent for 0s (the connection is gone)');
  });

  it('GIVEN a streaming error from the server THEN it ends with its message', async () => {
    logs.on(StartLiveTailCommand).resolves({ responseStream: from({ SessionStreamingException: { message: 'internal failure' } } as never) } as never);
    const { error } = await drain(liveTail(new CloudWatchLogsClient({ region: 'us-east-1' }), { groups }));
    expect(error?.message).toBe('Live Tail ended: internal failure');
  });

  it('GIVEN Ctrl-C while it waits THEN InterruptedError, not a fallback', async () => {
    const ctrlC = new AbortController();
    logs.on(StartLiveTailCommand).resolves({
      responseStream: (async function* () {
        ctrlC.abort();
        await new Promise(() => undefined);
      })(),
    } as never);
    const { error } = await drain(liveTail(new CloudWatchLogsClient({ region: 'us-east-1' }), { groups, signal: ctrlC.signal }));
    expect(error).toBeInstanceOf(InterruptedError);
  });
});
