/**
 * One log event as tapctl shows it, whichever API delivered it (FilterLogEvents, Live Tail), and the one line a
 * person reads for it: time, source, task, message.
 */
import type { Styles } from '../cli/io-host.js';
import { escapeControl } from '../cli/quote.js';
import type { LogSource } from '../infra/log-sources.js';

export interface LogEvent {
  /** When it was logged, ms since the epoch. */
  readonly timestamp: number;
  readonly source: LogSource;
  readonly logGroup: string;
  readonly logStream: string;
  /** The ECS task that wrote it (source app), from its stream name. */
  readonly task?: string;
  readonly message: string;
  /** FilterLogEvents' eventId (Live Tail has none): what deduplicates overlapping polls. */
  readonly eventId?: string;
}

/** `<prefix>/<task id>` -> the task ID; any other stream -> undefined. */
export function taskOf(logStream: string, appStreamPrefix: string | undefined): string | undefined {
  if (!appStreamPrefix || !logStream.startsWith(`${appStreamPrefix}/`)) return undefined;
  return logStream.slice(appStreamPrefix.length + 1) || undefined;
}

/** The stream name of a task's application container. */
export const taskStream = (appStreamPrefix: string, taskId: string): string => `${appStreamPrefix}/${taskId}`;

/** An ECS task ID from `--task` (the ID, or the task's ARN, whose last part is the ID). */
export function taskIdOf(value: string): string | undefined {
  const id = value.trim().split('/').pop() ?? '';
  // Task IDs are 32 hex characters; tasks of older clusters have UUIDs.
  return /^[0-9a-f]{32}$/.test(id) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : undefined;
}

const SOURCE_WIDTH = Math.max(...['app', 'api', 'lambda', 'rotation'].map((s) => s.length));

/** The colour of each source, so interleaved sources can be told apart on a terminal. */
const PAINT: Readonly<Record<LogSource, keyof Styles>> = { app: 'accent', api: 'warn', lambda: 'good', rotation: 'bold' };

/**
 * `2026-11-29 08:00:01.123  app       3f2a…  message`: UTC time, source, who wrote it (the task, or the stream's
 * own short name), the message on one line (control characters, newlines included, escaped, so that a log line
 * can neither repaint the terminal nor pass for two events).
 */
export function formatEvent(event: LogEvent, style: Styles): string {
  const time = new Date(event.timestamp).toISOString().replace('T', ' ').replace('Z', '');
  const who = event.task ?? shortStream(event.logStream);
  const message = escapeControl(event.message.replace(/\s+$/, ''));
  return `${style.dim(time)}  ${style[PAINT[event.source]](event.source.padEnd(SOURCE_WIDTH))}  ${style.dim(who)}  ${message}`;
}

/** A Lambda stream `2026/11/29/[$LATEST]0123abcd...` -> `0123abcd`; anything else as it is. */
function shortStream(stream: string): string {
  const lambda = /\](\w{8})\w*$/.exec(stream);
  return lambda ? lambda[1] : stream;
}

/** The --json event of a log event. */
export function logEventJson(event: LogEvent): Record<string, unknown> & { type: 'log' } {
  return {
    type: 'log',
    timestamp: new Date(event.timestamp).toISOString(),
    source: event.source,
    logGroup: event.logGroup,
    logStream: event.logStream,
    ...(event.task ? { task: event.task } : {}),
    message: event.message,
  };
}

/**
 * The events shown in the last minute of log time, so that one event delivered twice (by the stored read and
 * then Live Tail, or Live Tail and then a poll, around the moment one hands over to the other) is shown once.
 */
export class RecentEvents {
  private readonly keys = new Map<string, number>();
  private newest = 0;

  constructor(private readonly windowMs = 60_000) {}

  /** True the first time an event is seen; false for a repeat. */
  firstTime(e: LogEvent): boolean {
    const key = `${e.logGroup}\n${e.logStream}\n${e.timestamp}\n${e.message}`;
    if (this.keys.has(key)) return false;
    this.keys.set(key, e.timestamp);
    if (e.timestamp > this.newest) {
      this.newest = e.timestamp;
      for (const [k, at] of this.keys) if (at < this.newest - this.windowMs) this.keys.delete(k);
    }
    return true;
  }
}
