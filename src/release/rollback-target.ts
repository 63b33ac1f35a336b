/**
 * Which release a rollback replaces and which it goes back to, decided on the ledger alone (pure: tested
 * without AWS).
 *
 * - Only releases recorded after the environment's last `ended` count: a re-created environment starts fresh.
 * - The replaced release is the one whose image the deployed stack runs, matched by digest (release.ts
 *   matchRunning); when what runs cannot be read, the newest deployed one.
 * - The default target is the newest release before it that ran healthy (outcome `deployed` with the ECS
 *   verdict `healthy`: never a failed one, never one that was itself rolled back, never one CloudFormation
 *   deployed but nobody saw ECS run) with another image.
 * - `--to` names a release by id, image tag or image digest. A bare value may mean any of them; when it names
 *   releases of different images (a tag `1` and release 1; a tag that is another image's digest prefix) it is
 *   refused and the exact forms are offered: `id:<n>`, `tag:<tag>`, `sha256:<hex>` (or `digest:<hex>`), a digest
 *   by at least 12 hex digits.
 */
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import type { EndedMarker } from './ledger.js';
import { matchRunning, releaseNumber, sameImage, shortImage, type Release } from './release.js';

/** Releases recorded after `ended` (all of them when the ledger never ended), newest first. */
export function liveReleases(releases: readonly Release[], ended: EndedMarker | undefined): Release[] {
  const since = ended ? Date.parse(ended.at) : Number.NEGATIVE_INFINITY;
  return releases.filter((r) => Date.parse(r.at) > since).sort((a, b) => Number(b.id) - Number(a.id));
}

/**
 * The release whose image the environment runs (`running`: from the deployed template; undefined when it could
 * not be read or runs no image). A running image that no release has gives undefined: the ledger does not know
 * what runs.
 */
export function replacedRelease(live: readonly Release[], running: { repository?: string; tag?: string; digest?: string } | undefined): Release | undefined {
  if (running) return matchRunning(live.filter((r) => r.outcome !== 'failed'), running).release;
  return live.find((r) => r.outcome === 'deployed');
}

/** Ran healthy: CloudFormation deployed it and ECS was seen running it to completion. */
export const ranHealthy = (r: Release) => r.outcome === 'deployed' && r.rollout === 'healthy';

export function defaultTarget(live: readonly Release[], replaced: Release): Release | undefined {
  return live.find((r) => Number(r.id) < Number(replaced.id) && ranHealthy(r) && !sameImage(r.image, replaced.image));
}

type Match = { readonly release: Release; readonly by: string };

const FORMS = 'id:<release id>, tag:<image tag>, sha256:<digest, at least 12 hex digits>';

/**
 * The release `ref` names among `releases` (newest first). A usage error (exit 2) when it names none, or releases
 * of more than one image.
 */
export function findRelease(releases: readonly Release[], ref: string): Release {
  const matches = matchesOf(releases, ref);
  const images = groupByImage(matches);
  if (images.length > 1) {
    const listed = images.map((g) => `${g[0].release.id} (by ${g[0].by}: ${shortImage(g[0].release.image)})`).join(', ');
    throw new UsageError(`--to ${quote(ref)} names releases of ${images.length} different images: ${listed}`, {
      hint: `say which one exactly: ${exactForms(images.map((g) => g[0]))}`,
      details: { matches: images.map((g) => ({ id: g[0].release.id, by: g[0].by })) },
    });
  }
  if (images.length === 1) {
    // Several releases of one image (a push and the rollbacks to it): the one that pushed it.
    const group = images[0].map((m) => m.release);
    return group.find((r) => r.from === undefined) ?? group.at(-1)!;
  }
  const recent = releases.slice(0, 5).map((r) => `${r.id} (${shortImage(r.image)})`);
  throw new UsageError(`--to ${quote(ref)}: no release in the ledger has that id, tag or digest`, {
    hint: recent.length ? `recent releases: ${recent.join(', ')}; tapctl releases lists them all` : 'the ledger has no releases yet: push-image records them',
  });
}

/** Every release `ref` can mean, with how it matched. */
function matchesOf(releases: readonly Release[], ref: string): Match[] {
  const colon = ref.indexOf(':');
  const kind = colon > 0 ? ref.slice(0, colon) : undefined;
  const value = colon > 0 ? ref.slice(colon + 1) : ref;
  switch (kind) {
    case 'id':
      return byId(releases, value, true);
    case 'tag':
      return releases.filter((r) => r.image.tag === value).map((release) => ({ release, by: `tag ${quote(value)}` }));
    case 'sha256':
      return byDigest(releases, ref, true);
    case 'digest':
      return byDigest(releases, value, true);
    case undefined:
      return [...byId(releases, value, false), ...releases.filter((r) => r.image.tag === value).map((release) => ({ release, by: `tag ${quote(value)}` })), ...byDigest(releases, value, false)];
    default:
      throw new UsageError(`--to ${quote(ref)}: ${quote(kind)} is not a way to name a release`, { hint: `name it by ${FORMS}, or give the bare id, tag or digest` });
  }
}

function byId(releases: readonly Release[], value: string, exact: boolean): Match[] {
  const n = releaseNumber(value);
  if (n === undefined) {
    if (exact) throw new UsageError(`--to id:${quote(value)}: a release id is a number, e.g. id:41 or id:000041`);
    return [];
  }
  return releases.filter((r) => Number(r.id) === n).map((release) => ({ release, by: 'id' }));
}

function byDigest(releases: readonly Release[], value: string, exact: boolean): Match[] {
  const hex = value.startsWith('sha256:') ? value.slice(7) : value;
  if (!/^[0-9a-f]{12,64}$/.test(hex)) {
    if (exact) throw new UsageError(`--to ${quote(value)}: a digest is sha256: and at least 12 of its 64 hex digits`);
    return [];
  }
  return releases.filter((r) => r.image.digest?.startsWith(`sha256:${hex}`)).map((release) => ({ release, by: `digest sha256:${hex.slice(0, 12)}` }));
}

/** Matches grouped by image (digest, or tag without one), in the order first seen. */
function groupByImage(matches: readonly Match[]): Match[][] {
  const groups: Match[][] = [];
  for (const m of matches) {
    const group = groups.find((g) => sameImage(g[0].release.image, m.release.image));
    if (group) {
      if (!group.some((x) => x.release.id === m.release.id)) group.push(m);
    } else groups.push([m]);
  }
  return groups;
}

/** `--to id:1` / `--to tag:1` / `--to sha256:…`, one per distinct match. */
function exactForms(matches: readonly Match[]): string {
  return matches
    .map((m) => (m.by === 'id' ? `--to id:${Number(m.release.id)}` : m.by.startsWith('tag') ? `--to tag:${m.release.image.tag}` : `--to ${m.release.image.digest?.slice(0, 19)}`))
    .join(', ');
}
