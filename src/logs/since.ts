/**
 * `--since`: how far back `tapctl logs` reads. A duration back from now (`90s`, `10m`, `2h`, `7d`) or a point in
 * time in ISO 8601 (`2026-11-29T08:00:00Z`, `2026-11-29`; without a zone, UTC). Checked before anything runs.
 */
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';

/** Used when --since is not given: what `aws logs tail` shows by default too. */
export const DEFAULT_SINCE = '10m';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** CloudWatch Logs keeps events at most 10 years (the longest retention); anything older cannot exist. */
const MAX_BACK_MS = 3_653 * UNIT_MS.d;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The start time, in milliseconds since the epoch, that `value` means at `now`.
 * @throws UsageError (exit 2) for anything else, a time in the future, or more than 10 years back.
 */
export function sinceMs(value: string, now: number = Date.now()): number {
  const text = value.trim();
  const duration = /^(\d{1,9})([smhd])$/.exec(text);
  let start: number;
  if (duration) {
    start = now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  } else if (ISO.test(text)) {
    // A date or time without a zone is UTC: the log lines tapctl prints are in UTC too.
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text) || !text.includes(':') ? text : `${text}Z`;
    start = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isNaN(start) || !isCalendarDate(text)) throw sinceError(value, 'is not a valid date or time');
  } else {
    throw sinceError(value, 'is neither a duration nor an ISO 8601 time');
  }
  if (start > now) throw sinceError(value, 'is in the future');
  if (now - start > MAX_BACK_MS) throw sinceError(value, 'is more than 10 years back, beyond any log retention');
  return start;
}

/** Date.parse rolls 2026-02-30 over into March: the day must exist in its month, the time on the clock. */
function isCalendarDate(text: string): boolean {
  const [y, m, d, hh = 0, mm = 0, ss = 0] = (text.match(/\d+/g) ?? []).map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d && hh < 24 && mm < 60 && ss < 60;
}

function sinceError(value: string, why: string): UsageError {
  return new UsageError(`--since ${quote(value)} ${why}`, { hint: 'a duration back from now (30s, 10m, 2h, 7d) or an ISO 8601 time in UTC (2026-11-29T08:00:00Z)' });
}
