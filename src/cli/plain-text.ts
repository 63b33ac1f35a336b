/**
 * Number grouping and string order without ICU.
 *
 * Why not `toLocaleString` / `localeCompare`: the first call of either loads ICU's locale data, ~10 ms of CPU, as
 * much as all of `tapctl --help` spends in its own code; and their answer follows the user's locale, so the same
 * issues or resources would print in a different order on another machine. tapctl's lists are of names, paths and
 * ISO 8601 times, for which code-unit order is the right one, and names a person reads, which sort with case aside. `test/unit/no-icu.test.ts` keeps src/ free of both.
 */

/** 51200 -> '51,200' (en-US grouping, whatever the locale). */
export function withThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A sort comparator: code-unit (ordinal) order, the same on every machine (IDs, ISO 8601 times, paths). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sort comparator for names a person reads in a list: case aside (app/ before Dockerfile), then code units. */
export function byName(a: string, b: string): number {
  return byCodeUnit(a.toLowerCase(), b.toLowerCase()) || byCodeUnit(a, b);
}
