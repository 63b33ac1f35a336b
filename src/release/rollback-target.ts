/**
 * Which release a rollback replaces and which it goes back to, decided on the ledger alone (pure: tested
 * without AWS).
 *
 * - Only releases recorded after the environment's last `ended` count: a re-created environment starts fresh.
 * - The replaced release is the one the deployed stack runs (its image matches the deployed template's), else
 *   the newest deployed one.
 * - The default target is the newest release before it that was deployed healthy (outcome `deployed`: never a
 *   failed one, never one that was itself rolled back) with another image.
 * - `--to` names a release by id (`41` or `000041`), image tag, or image digest (`sha256:...`, or a unique
 *   prefix of at least 12 hex digits).
 */
import { UsageError } from '../cli/errors.js';
import type { EndedMarker } from './ledger.js';
import { releaseNumber, sameImage, shortImage, type Release } from './release.js';

export interface RollbackChoice {
  readonly replaced: Release;
  readonly target: Release;
}

/** Releases recorded after `ended` (all of them when the ledger never ended), newest first. */
export function liveReleases(releases: readonly Release[], ended: EndedMarker | undefined): Release[] {
  const since = ended ? Date.parse(ended.at) : Number.NEGATIVE_INFINITY;
  return releases.filter((r) => Date.parse(r.at) > since).sort((a, b) => Number(b.id) - Number(a.id));
}

/** The release whose image the environment runs: matched against `running` (from the deployed template). */
export function replacedRelease(live: readonly Release[], running: { repository?: string; tag?: string; digest?: string } | undefined): Release | undefined {
  const matching = running ? live.find((r) => r.outcome !== 'failed' && sameImage(r.image, { ...running, repository: running.repository ?? r.image.repository })) : undefined;
  return matching ?? live.find((r) => r.outcome === 'deployed');
}

export function defaultTarget(live: readonly Release[], replaced: Release): Release | undefined {
  return live.find((r) => Number(r.id) < Number(replaced.id) && r.outcome === 'deployed' && !sameImage(r.image, replaced.image));
}

/** The release `ref` names among `releases` (newest first); a usage error listing recent ones when none does. */
export function findRelease(releases: readonly Release[], ref: string): Release {
  const value = ref.trim();
  const n = releaseNumber(value);
  const byId = n !== undefined ? releases.find((r) => Number(r.id) === n) : undefined;
  if (byId) return byId;
  const digest = /^(sha256:)?[0-9a-f]{12,64}$/.test(value) ? (value.startsWith('sha256:') ? value : `sha256:${value}`) : undefined;
  if (digest) {
    const matches = releases.filter((r) => r.image.digest?.startsWith(digest));
    const distinct = new Set(matches.map((r) => r.image.digest));
    if (distinct.size > 1) throw new UsageError(`--to ${ref} matches ${distinct.size} different image digests`, { hint: 'give more of the digest, or the release id' });
    if (matches[0]) return matches[0];
  }
  const byTag = releases.find((r) => r.image.tag === value);
  if (byTag) return byTag;
  const recent = releases.slice(0, 5).map((r) => `${r.id} (${shortImage(r.image)})`);
  throw new UsageError(`--to ${ref}: no release in the ledger has that id, tag or digest`, {
    hint: recent.length ? `recent releases: ${recent.join(', ')}; tapctl releases lists them all` : 'the ledger has no releases yet: push-image records them',
  });
}
