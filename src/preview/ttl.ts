/**
 * A preview's time to live (`--ttl`): a whole number of minutes, hours or days, from 1 hour (creating the
 * stack alone takes longer than a few minutes: CloudFront, NAT gateway and database) to 30 days (anything
 * longer is an environment to configure, not a preview). Checked as an option, before anything runs.
 */
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';

export const DEFAULT_TTL = '3d';
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const MIN_TTL_MS = UNIT_MS.h;
export const MAX_TTL_MS = 30 * UNIT_MS.d;

/** `90m`, `12h`, `3d` -> milliseconds. @throws UsageError for any other form or a value out of bounds. */
export function parseTtl(value: string): number {
  const m = /^(\d{1,6})([mhd])$/.exec(value.trim());
  const hint = `e.g. --ttl 3d (the default), --ttl 12h or --ttl 90m: from 1h to 30d`;
  if (!m) throw new UsageError(`--ttl ${quote(value)} is not a duration: give a whole number with m (minutes), h (hours) or d (days)`, { hint });
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms < MIN_TTL_MS || ms > MAX_TTL_MS) throw new UsageError(`--ttl ${quote(value)} is out of bounds: a preview lives from 1 hour to 30 days`, { hint });
  return ms;
}

/** `2d 4h`, `35m`, `expired`: how long until `expiresAt` from `now`, for a person. */
export function formatRemaining(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now;
  if (!(ms > 0)) return 'expired';
  return formatDuration(ms);
}

/** `2d 4h`, `3h 5m`, `35m`. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / UNIT_MS.m);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days}d${hours ? ` ${hours}h` : ''}`;
  if (hours > 0) return `${hours}h${minutes % 60 ? ` ${minutes % 60}m` : ''}`;
  return `${minutes}m`;
}
