/**
 * `tapctl releases`: the release ledger of one environment, newest first, marking the release the ECS service
 * runs now, the ledger's current release and the one the config pins. The end of a destroyed environment shows
 * where it falls in the history.
 */
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { parseWholeNumber } from '../cli/option-checks.js';
import { quote } from '../cli/quote.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { ledgerFor, listReleases, readHead, type InvalidRecord } from './ledger.js';
import { matchRunning, sameImage, type Release } from './release.js';
import { RELEASES_KEPT } from './retention.js';
import { hasService, headWarnings, pinnedImage, runningServiceImage, trustedRepository, usableCurrent, type ServiceImage } from './running-image.js';

export interface ReleasesOptions {
  /** --limit: how many to list (default: every release the ledger holds). */
  readonly limit?: string;
}

export type ReleaseMark = 'running' | 'current' | 'pinned';

/**
 * Whether the release's image is still in the stack's ECR repository: exists, gone (expired by the lifecycle
 * rule, or deleted: it cannot run again), or null when it could not be checked (see notes).
 */
export type ImageState = 'exists' | 'gone' | null;

export type ReleaseRow = Release & { readonly marks: readonly ReleaseMark[]; readonly imageInEcr: ImageState };

export interface ReleasesResult {
  readonly environment: string;
  /** The ledger's SSM parameter prefix. */
  readonly ledger: string;
  /** Newest first, at most --limit. */
  readonly releases: readonly ReleaseRow[];
  /** Releases in the ledger (it keeps the newest RELEASES_KEPT, and the current, running and newest deployed one). */
  readonly total: number;
  /** The ledger's current release id (when it is usable). */
  readonly current: string | null;
  /** What the ECS service's PRIMARY deployment runs, or null (not deployed, or not readable: see notes). */
  readonly running: ServiceImage | null;
  /** How the running release was matched: by digest, or by tag when what runs names no digest (see notes). */
  readonly runningMatchedBy: 'digest' | 'tag' | null;
  readonly pinned: { readonly repository?: string; readonly tag?: string; readonly digest?: string } | null;
  /** When destroy ended the ledger. */
  readonly ended: { readonly at: string; readonly by: string } | null;
  /** Parameters that are not valid release records: reported, never used. */
  readonly invalid: readonly InvalidRecord[];
  readonly notes: readonly string[];
}

export async function runReleases(ctx: CommandContext, options: ReleasesOptions): Promise<ReleasesResult> {
  const limit = parseLimit(options.limit);
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  if (!hasService(env)) throw new UsageError(`the ${env.preset} preset runs no container service: '${env.name}' has no releases`);
  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const { listImages } = await import('../aws/ecr-images.js');
  // Read-only: Ctrl-C may abort any call in flight (exit 130).
  const clients = new AwsClients(targetFor(env, ctx.globals.profile), { signal: ctx.signal });
  assertAccount(await callerIdentity(clients), env);

  const ledger = ledgerFor(env);
  const notes: string[] = [];
  // What runs and which images exist are worth showing but not worth failing the listing for: a denied or
  // failed read becomes a note ("not checked"), never a guess.
  const [list, running, images] = await Promise.all([
    listReleases(clients, ledger),
    runningServiceImage(clients, env).catch((e: unknown) => {
      notes.push(`what the service runs is unknown: ${(e as Error).message}`);
      return undefined;
    }),
    listImages(clients, env.names.ecrRepository).catch((e: unknown) => {
      notes.push(`whether each release's image still exists was not checked: ${(e as Error).message}`);
      return undefined;
    }),
  ]);
  const head = await readHead(clients, ledger, { releases: list.releases });
  notes.push(...headWarnings(head, ledger));
  const { release: current, ignored } = usableCurrent(head, env);
  if (ignored) notes.push(`the current pointer is ignored: ${ignored}`);
  for (const r of list.releases) {
    if (!trustedRepository(r.image.repository, env)) notes.push(`release ${r.id} names ${quote(r.image.repository)}, not this stack's ECR repository: it is never deployed or rolled back to`);
  }
  const pin = pinnedImage(env);
  const match = matchRunning(list.releases, running?.image);
  if (match.note) notes.push(match.note);
  const stateOf = (r: Release): ImageState => {
    if (!images || !trustedRepository(r.image.repository, env)) return null;
    if (images === 'repository-missing') return 'gone';
    if (r.image.digest) return images.has(r.image.digest) ? 'exists' : 'gone';
    return [...images.values()].some((tags) => r.image.tag !== undefined && tags.includes(r.image.tag)) ? 'exists' : 'gone';
  };
  const rows = list.releases.slice(0, limit).map((r): ReleaseRow => {
    const marks: ReleaseMark[] = [];
    if (r.id === match.release?.id) marks.push('running');
    if (r.id === current?.id) marks.push('current');
    if (pin && sameImage(r.image, { ...pin, repository: pin.repository ?? r.image.repository })) marks.push('pinned');
    return { ...r, marks, imageInEcr: stateOf(r) };
  });
  return {
    environment: env.name,
    ledger: ledger.prefix,
    releases: rows,
    total: list.releases.length,
    current: current?.id ?? null,
    running: running ?? null,
    runningMatchedBy: match.by ?? null,
    pinned: pin ?? null,
    ended: head.ended ? { at: head.ended.at, by: head.ended.by } : null,
    invalid: list.invalid,
    notes,
  };
}

/** --limit, checked up front by the command (option-checks.ts) with the same parser; the ledger's bound. */
function parseLimit(value: string | undefined): number {
  if (value === undefined) return Number.MAX_SAFE_INTEGER;
  const n = parseWholeNumber(value, 1, RELEASES_KEPT);
  if (n === undefined) throw new UsageError(`--limit takes a whole number of releases from 1 to ${RELEASES_KEPT} (the ledger keeps ${RELEASES_KEPT}), not ${quote(value)}`, { hint: `e.g. --limit ${RELEASES_KEPT}` });
  return n;
}
