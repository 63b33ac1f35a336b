/** "Did you mean ...?" for keys, enum values and environment names. */
import { closest, distance } from 'fastest-levenshtein';

export function suggest(input: string, options: readonly string[]): string | undefined {
  if (options.length === 0) return undefined;
  const lower = input.toLowerCase();
  const ci = options.find((o) => o.toLowerCase() === lower);
  if (ci) return ci;
  const best = closest(input, [...options]);
  return distance(input.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}
