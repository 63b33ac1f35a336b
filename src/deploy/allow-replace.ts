/**
 * The values of --allow-replace, checked before they can matter:
 *
 * - commander takes the next argument as the option's value even when it is a flag, so
 *   `deploy --allow-replace --dry-run --yes` would allow "--dry-run" and turn a dry run into a real deploy. A value
 *   that starts with '-' is refused before anything runs.
 * - a logical ID the stack does not have (a typo, a construct path instead of a logical ID) would allow nothing
 *   and go unnoticed until the refusal; it is refused once the stack is synthesized. An ID that is only in the
 *   deployed stack is a resource the deploy removes, so the deployed template is asked before refusing.
 */
import { quote } from '../cli/quote.js';
import { UsageError } from '../cli/errors.js';
import { suggest } from '../config/suggest.js';

export const ALLOW_ALL = 'all';

/** Refuses values that are flags (or empty), before synthesis. */
export function checkAllowReplaceValues(values: readonly string[]): void {
  const bad = values.find((v) => v.trim() === '' || v.startsWith('-'));
  if (bad === undefined) return;
  throw new UsageError(`--allow-replace needs a logical ID or '${ALLOW_ALL}', got ${quote(bad)}`, {
    hint:
      bad.trim() === ''
        ? `name the resource: --allow-replace <logicalId> (as tapctl diff shows it) or --allow-replace ${ALLOW_ALL}`
        : `${quote(bad)} is a flag, taken as the value of --allow-replace: put the logical ID right after it (--allow-replace <logicalId>, as tapctl diff shows it, or --allow-replace ${ALLOW_ALL}); nothing was run`,
  });
}

/** The named logical IDs that are not among `known` (`all` is always known). */
export function unknownLogicalIds(values: readonly string[], known: Iterable<string>): string[] {
  const ids = new Set(known);
  return [...new Set(values)].filter((v) => v !== ALLOW_ALL && !ids.has(v));
}

/** The refusal for IDs the stack does not have, each with a "did you mean" where one is close. */
export function unknownLogicalIdsError(unknown: readonly string[], candidates: readonly string[], stackName: string, envName: string): UsageError {
  const list = unknown.map((id) => {
    const s = closestLogicalId(id, candidates);
    return `${quote(id)}${s ? ` (did you mean '${s}'?)` : ''}`;
  });
  return new UsageError(`--allow-replace names ${unknown.length === 1 ? 'a resource' : 'resources'} that ${stackName} does not have: ${list.join(', ')}`, {
    hint: `use the logical IDs tapctl diff --env ${envName} shows (CDK adds a hash to each), or --allow-replace ${ALLOW_ALL}`,
    details: { unknown },
  });
}

/** CDK logical IDs end in a hash, so a prefix ("DatabaseCluster" for "DatabaseCluster5B53A178") is a likely miss. */
function closestLogicalId(id: string, candidates: readonly string[]): string | undefined {
  const lower = id.toLowerCase();
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  const withHash = prefixed.filter((c) => /^[0-9A-F]{8}$/.test(c.slice(id.length)));
  if (withHash.length === 1) return withHash[0];
  if (prefixed.length === 1) return prefixed[0];
  return suggest(id, candidates);
}
