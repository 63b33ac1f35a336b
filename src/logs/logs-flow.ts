/**
 * `tapctl logs`: the stored events of the chosen sources since a time, in time order, then with --follow the new
 * ones as they arrive: through Live Tail against AWS, by polling FilterLogEvents with an `endpoint:` (emulators
 * have no Live Tail) or once Live Tail is denied, throttled or ends (said once on stderr).
 */
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import { readSettings } from '../cli/settings.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import type { AwsClients } from '../aws/clients.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { hasService } from '../release/running-image.js';
import { formatEvent, logEventJson, RecentEvents, taskIdOf, taskStream, type LogEvent } from './events.js';
import { filterEvents, mergeByTime } from './filter.js';
import { LIVE_TAIL_MAX_GROUPS, liveTail, LiveTailEnded } from './live-tail.js';
import { pollEvents } from './poll.js';
import { DEFAULT_SINCE, sinceMs } from './since.js';
import { logGroupArn, readLogSources, type LogSource, type SourceChoice } from './sources.js';

export interface LogsOptions {
  readonly source?: SourceChoice;
  readonly since?: string;
  readonly filter?: string;
  readonly task?: string;
  readonly follow?: boolean;
  /** Only the newest n stored events (checked by the command: 1 to 10,000). */
  readonly limit?: number;
}

export interface LogsResult {
  readonly environment: string;
  readonly stack: string;
  readonly sources: readonly LogSource[];
  readonly logGroups: readonly string[];
  /** The start of the time range, ISO 8601. */
  readonly since: string;
  readonly filter?: string;
  readonly task?: string;
  /** --limit: at most this many stored events were shown (the newest). */
  readonly limit?: number;
  /** How the events were read: stored events only, or followed by Live Tail or by polling. */
  readonly via: 'filter' | 'live-tail' | 'polling';
  /** How many log events were shown. */
  readonly events: number;
}

/** How often --follow polls when it polls. TAPCTL_POLL_INTERVAL_MS changes it. */
export const FOLLOW_POLL_MS = 2_000;

export interface LogsDeps {
  readonly clients?: (env: ResolvedEnvironment) => Promise<AwsClients>;
}

export async function runLogs(ctx: CommandContext, options: LogsOptions, deps: LogsDeps = {}): Promise<LogsResult> {
  const since = sinceMs(options.since ?? DEFAULT_SINCE);
  const taskId = options.task === undefined ? undefined : taskIdOf(options.task);
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  if (!hasService(env)) throw new UsageError(`the ${env.preset} preset runs no service: '${env.name}' has no log groups tapctl reads`);

  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const clients = deps.clients ? await deps.clients(env) : new AwsClients(targetFor(env, ctx.globals.profile), { signal: ctx.signal });
  assertAccount(await callerIdentity(clients), env);
  const sources = await readLogSources(clients, env, options.source ?? 'app');
  const streams = taskId && sources.appStreamPrefix ? [taskStream(sources.appStreamPrefix, taskId)] : undefined;
  const logs = await clients.cloudWatchLogs();

  let count = 0;
  const recent = new RecentEvents();
  /** Shows `e` (once); false when nobody reads stdout any more (`| head`), which ends a follow. */
  const show = (e: LogEvent): boolean => {
    if (recent.firstTime(e)) {
      count++;
      ctx.io.output(formatEvent(e, ctx.io.outStyle));
      ctx.io.event(logEventJson(e));
    }
    return !ctx.io.outputClosed;
  };
  const missing = new Set<string>();
  const onMissing = (logGroup: string) => {
    if (missing.has(logGroup)) return;
    missing.add(logGroup);
    ctx.io.warn(`log group ${logGroup} does not exist yet: nothing has logged to it`);
  };
  const common = {
    ...(options.filter ? { filterPattern: options.filter } : {}),
    ...(streams ? { logStreamNames: streams } : {}),
    ...(sources.appStreamPrefix ? { appStreamPrefix: sources.appStreamPrefix } : {}),
    signal: ctx.signal,
  };

  const until = Date.now();
  ctx.io.info(`${options.follow ? 'following' : 'reading'} ${describe(sources.groups.map((g) => g.logGroup))} since ${new Date(since).toISOString()}${options.filter ? ` matching ${quote(options.filter)}` : ''}${taskId ? ` of task ${taskId}` : ''}`);
  const stored = sources.groups.map((group) => filterEvents(logs, { group, startTime: since, endTime: until, ...common }, onMissing));
  let newest = since;
  // --limit: the newest n are known only at the end of the range; the older ones are dropped as the window moves.
  const kept: LogEvent[] = [];
  let dropped = 0;
  for await (const e of mergeByTime(stored)) {
    newest = Math.max(newest, e.timestamp);
    if (options.limit !== undefined) {
      if (kept.push(e) >= 2 * options.limit) dropped += kept.splice(0, kept.length - options.limit).length;
    } else if (!show(e)) break;
  }
  if (options.limit !== undefined && kept.length > options.limit) dropped += kept.splice(0, kept.length - options.limit).length;
  if (dropped > 0) ctx.io.info(`${dropped} older event${dropped === 1 ? '' : 's'} left out (--limit ${options.limit})`);
  for (const e of kept) if (!show(e)) break;
  const base = {
    environment: env.name,
    stack: env.names.stack,
    sources: [...new Set(sources.groups.map((g) => g.source))],
    logGroups: sources.groups.map((g) => g.logGroup),
    since: new Date(since).toISOString(),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(taskId ? { task: taskId } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  };
  // Nobody reads any more (`| head`): there is nothing to follow for.
  if (!options.follow || ctx.io.outputClosed) {
    ctx.io.info(count === 0 ? `no log events${options.filter ? ' matching the filter' : ''} since ${new Date(since).toISOString()}` : `${count} log event${count === 1 ? '' : 's'}`);
    return { ...base, via: 'filter', events: count };
  }

  const intervalMs = readSettings(ctx.env).pollIntervalMs ?? FOLLOW_POLL_MS;
  // Following also ends when the reader of stdout goes away while no event comes (`| head` after the stored ones).
  const gone = ctx.io.outputGone;
  const following = { ...common, signal: gone ? AbortSignal.any([ctx.signal, gone]) : ctx.signal };
  const poll = (startTime: number) => pollEvents(logs, { groups: sources.groups, startTime, intervalMs, onMissing, onRetry: retryNotice(ctx), ...following });
  let via: LogsResult['via'] = 'live-tail';
  try {
    if (env.endpoint || sources.groups.length > LIVE_TAIL_MAX_GROUPS) {
      via = 'polling';
      const why = env.endpoint ? `Live Tail is not offered through an endpoint (${env.endpoint})` : `Live Tail takes at most ${LIVE_TAIL_MAX_GROUPS} log groups`;
      ctx.io.info(`polling FilterLogEvents every ${intervalMs / 1000}s: ${why}; Ctrl-C stops`);
      for await (const e of poll(until)) if (!show(e)) break;
    } else {
      try {
        ctx.io.info('following with CloudWatch Logs Live Tail; Ctrl-C stops');
        for await (const e of liveTail(logs, { groups: sources.groups.map((g) => ({ ...g, arn: logGroupArn(env, g.logGroup) })), ...following })) {
          newest = Math.max(newest, e.timestamp);
          if (!show(e)) break;
        }
      } catch (e) {
        if (!(e instanceof LiveTailEnded)) throw e;
        via = 'polling';
        ctx.io.warn(`${e.message}: polling FilterLogEvents every ${intervalMs / 1000}s instead`);
        // From the newest event shown, or from the end of the stored ones: what Live Tail showed is not repeated.
        for await (const ev of poll(Math.max(newest, until))) if (!show(ev)) break;
      }
    }
  } catch (e) {
    if (ctx.io.outputClosed && !ctx.signal.aborted) return { ...base, via, events: count };
    if (e instanceof InterruptedError) {
      throw new InterruptedError(`stopped following after ${count} log event${count === 1 ? '' : 's'} (${via})`, { details: { ...base, via, events: count } });
    }
    throw e;
  }
  // Following ends by Ctrl-C or an error (both generators throw rather than return), or when nobody reads any more.
  if (ctx.io.outputClosed) return { ...base, via, events: count };
  throw new Error('internal: following logs ended without an error');
}

function describe(groups: readonly string[]): string {
  return groups.length === 1 ? `log group ${groups[0]}` : `${groups.length} log groups (${groups.join(', ')})`;
}

/** Warns about the first poll without an answer; the following ones retry silently. */
function retryNotice(ctx: CommandContext): (message: string) => void {
  let said = false;
  return (message) => {
    if (said) return;
    said = true;
    ctx.io.warn(`${message}; still following, the next poll tries again`);
  };
}

