/**
 * What a deploy writes to the release ledger once its outcome is known. A release is recorded when the deploy
 * changes the image the environment runs (or would run); an infrastructure-only deploy writes nothing, except
 * to keep the running release's config fingerprint true (rollback compares it with the config at hand).
 *
 * - the ledger's current release, pushed and not yet deployed: marked deployed (with its task definition) or
 *   failed; a --no-wait deploy leaves it pushed (nobody saw the outcome).
 * - a pinned image (container.image) that differs from what the stack ran: a new release, source `deploy`.
 * - rollback records its own releases (rollback-flow.ts); deploy records nothing for it.
 */
import type { AwsClients } from '../aws/clients.js';
import type { Template } from '../aws/stack-details.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { platformFor } from '../image/platform.js';
import { createRelease, ledgerFor, listReleases, pruneReleases, setCurrent, updateRelease } from './ledger.js';
import { ciAuthor, configFingerprint, sameImage, type Release, type ReleaseOutcome } from './release.js';
import { ownRepositoryUri, type ImageResolution } from './running-image.js';
import { templateImage } from './template-image.js';

export type DeployOutcome = 'deployed' | 'no-changes' | 'started' | 'failed';

export interface DeployRecordInput {
  /** The environment as deployed (image resolved). */
  readonly env: ResolvedEnvironment;
  readonly clients: AwsClients;
  readonly image: ImageResolution;
  /** The deployed template before this deploy. */
  readonly deployedBefore: Template | undefined;
  /** The STS caller ARN. */
  readonly by: string;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly tapctlVersion: string;
  readonly outcome: DeployOutcome;
  /** The task definition the stack runs now (read only when a release needs it). */
  readonly taskDefinitionArn: () => Promise<string | undefined>;
}

/** The release a deploy ran, as the ledger has it after the deploy. */
export interface ReleaseRef {
  readonly id: string;
  readonly outcome: ReleaseOutcome;
  /** The SSM parameter that holds it. */
  readonly parameter: string;
}

export async function recordDeploy(i: DeployRecordInput): Promise<ReleaseRef | undefined> {
  const { plan, current } = i.image;
  const ledger = ledgerFor(i.env);
  const ref = (r: Release): ReleaseRef => ({ id: r.id, outcome: r.outcome, parameter: `${ledger.prefix}releases/${r.id}` });
  const fingerprint = configFingerprint(i.env);
  const now = new Date().toISOString();
  const write = async (r: Release) => {
    await updateRelease(i.clients, ledger, r);
    await setCurrent(i.clients, ledger, r, i.by);
    return ref(r);
  };

  if (plan.source === 'release' && current && plan.releaseId === current.id) {
    if (i.outcome === 'started') return ref(current);
    if (i.outcome === 'failed') return current.outcome === 'pushed' ? write({ ...current, outcome: 'failed', updatedAt: now }) : ref(current);
    if (current.outcome !== 'pushed' && current.configFingerprint === fingerprint) return ref(current);
    const arn = current.outcome === 'pushed' ? await i.taskDefinitionArn() : current.taskDefinitionArn;
    return write({ ...current, outcome: 'deployed', configFingerprint: fingerprint, updatedAt: now, ...(arn ? { taskDefinitionArn: arn } : {}) });
  }

  if (plan.source !== 'config') return undefined;
  const image = { repository: plan.repository ?? ownRepositoryUri(i.env), ...(plan.tag ? { tag: plan.tag } : {}), ...(plan.digest ? { digest: plan.digest } : {}) };
  const before = templateImage(i.deployedBefore);
  const unchanged = before?.kind === 'image' && sameImage({ ...before, repository: before.repository ?? image.repository }, image);
  if (unchanged || i.outcome === 'no-changes') {
    // The pin already ran: only the config may have changed under it.
    if (current && sameImage(current.image, image) && current.configFingerprint !== fingerprint && i.outcome !== 'failed' && i.outcome !== 'started') {
      return write({ ...current, configFingerprint: fingerprint, updatedAt: now });
    }
    return current && sameImage(current.image, image) ? ref(current) : undefined;
  }
  const outcome: ReleaseOutcome = i.outcome === 'started' ? 'pushed' : i.outcome === 'failed' ? 'failed' : 'deployed';
  const arn = outcome === 'deployed' ? await i.taskDefinitionArn() : undefined;
  const list = await listReleases(i.clients, ledger);
  const release = await createRelease(
    i.clients,
    ledger,
    {
      image,
      platform: platformFor(i.env.container.architecture).id,
      git: null,
      by: { arn: i.by, ...ciAuthor(i.processEnv) },
      at: now,
      tapctlVersion: i.tapctlVersion,
      configFingerprint: fingerprint,
      outcome,
      source: 'deploy',
      ...(arn ? { taskDefinitionArn: arn } : {}),
    },
    list.highestId,
  );
  await setCurrent(i.clients, ledger, release, i.by);
  await pruneReleases(i.clients, ledger, [release.id, ...list.releases.map((r) => r.id)], [release.id]);
  return ref(release);
}
