/**
 * `tapctl releases`: the release ledger of one environment, newest first, marking the release the ECS service
 * runs now, the ledger's current release and the one the config pins. The end of a destroyed environment shows
 * where it falls in the history.
 */
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { ledgerFor, listReleases, readHead, type InvalidRecord } from './ledger.js';
import { sameImage, type Release } from './release.js';
import { hasService, pinnedImage, runningServiceImage, usableCurrent, type ServiceImage } from './running-image.js';

export interface ReleasesOptions {
  /** --limit: how many to list (default 20). */
  readonly limit?: string;
}

export type ReleaseMark = 'running' | 'current' | 'pinned';

export type ReleaseRow = Release & { readonly marks: readonly ReleaseMark[] };

export interface ReleasesResult {
  readonly environment: string;
  /** The ledger's SSM parameter prefix. */
  readonly ledger: string;
  /** Newest first, at most --limit. */
  readonly releases: readonly ReleaseRow[];
  /** Releases in the ledger (it keeps the newest 50). */
  readonly total: number;
  /** The ledger's current release id (when it is usable). */
  readonly current: string | null;
  /** What the ECS service's PRIMARY deployment runs, or null (not deployed, or not readable: see notes). */
  readonly running: ServiceImage | null;
  readonly pinned: { readonly repository?: string; readonly tag?: string; readonly digest?: string } | null;
  /** When destroy ended the ledger. */
  readonly ended: { readonly at: string; readonly by: string } | null;
  /** Parameters that are not valid release records: reported, never used. */
  readonly invalid: readonly InvalidRecord[];
  readonly notes: readonly string[];
}

export const DEFAULT_LIMIT = 20;

export async function runReleases(ctx: CommandContext, options: ReleasesOptions): Promise<ReleasesResult> {
  const limit = parseLimit(options.limit);
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  if (!hasService(env)) throw new UsageError(`the ${env.preset} preset runs no container service: '${env.name}' has no releases`);
  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));
  assertAccount(await callerIdentity(clients), env);

  const ledger = ledgerFor(env);
  const notes: string[] = [];
  // What runs is worth showing but not worth failing the listing for: a denied ECS read becomes a note.
  const [list, head, running] = await Promise.all([
    listReleases(clients, ledger),
    readHead(clients, ledger),
    runningServiceImage(clients, env).catch((e: unknown) => {
      notes.push(`what the service runs is unknown: ${(e as Error).message}`);
      return undefined;
    }),
  ]);
  const { release: current, ignored } = usableCurrent(head);
  if (ignored) notes.push(`the current pointer is ignored: ${ignored}`);
  const pin = pinnedImage(env);
  const runningId = running ? list.releases.find((r) => sameImage(r.image, { ...running.image, repository: running.image.repository }))?.id : undefined;
  const rows = list.releases.slice(0, limit).map((r): ReleaseRow => {
    const marks: ReleaseMark[] = [];
    if (r.id === runningId) marks.push('running');
    if (r.id === current?.id) marks.push('current');
    if (pin && sameImage(r.image, { ...pin, repository: pin.repository ?? r.image.repository })) marks.push('pinned');
    return { ...r, marks };
  });
  return {
    environment: env.name,
    ledger: ledger.prefix,
    releases: rows,
    total: list.releases.length,
    current: current?.id ?? null,
    running: running ?? null,
    pinned: pin ?? null,
    ended: head.ended ? { at: head.ended.at, by: head.ended.by } : null,
    invalid: list.invalid,
    notes,
  };
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit takes a positive whole number, not '${value}'`, { hint: 'e.g. tapctl releases --env dev --limit 50' });
  return n;
}
