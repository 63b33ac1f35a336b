/**
 * What a deploy writes to the release ledger, as each fact becomes known (never ahead of it, never left out):
 *
 * - when the change is approved, before CloudFormation acts on it (`started`): a deploy that changes the image
 *   the environment runs tells the ledger first, so an interrupted deploy (Ctrl-C, a CI time-out) never leaves a
 *   stack running an image the ledger does not name. The ledger's current release, pushed, becomes `started`;
 *   a pinned image (container.image) that differs from what the stack ran becomes a new release (source
 *   `deploy`), `started`, and current.
 * - when CloudFormation's update completed (`deployed`): the release is marked deployed, with its task
 *   definition, and the ECS service is looked at once: a deployment of that task definition already complete is
 *   recorded as `rollout: healthy`; otherwise nothing is claimed about ECS. A `started` rollback that completes
 *   here (after `rollback --no-wait`) also marks the release it replaced rolled-back.
 * - when it failed: a release this deploy started is marked failed.
 * An infrastructure-only deploy writes nothing, except to keep the running release's config fingerprint true.
 * Rollback records its own releases (rollback-flow.ts); deploy records nothing for it.
 */
import type { AwsClients } from '../aws/clients.js';
import type { Template } from '../aws/stack-details.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { platformFor } from '../image/platform.js';
import { createRelease, getRelease, ledgerFor, listReleases, pruneReleases, setCurrent, updateRelease, type Ledger } from './ledger.js';
import { ciAuthor, configFingerprint, matchRunning, sameImage, shortImage, type Release, type ReleaseOutcome, type RolloutVerdict } from './release.js';
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
  /** The task definition the stack runs now (read only when a release needs it). */
  readonly taskDefinitionArn: () => Promise<string | undefined>;
  /** One look at the ECS service: its verdict on that task definition, when it has one already. */
  readonly rolloutVerdict?: (taskDefinitionArn: string) => Promise<RolloutVerdict | undefined>;
  /**
   * The verdict deploy saw itself by following a blue-green, canary or linear rollout to its end
   * (deploy/service-rollout.ts): it wins over the one look, and a failure names the alarms that rolled it back.
   */
  readonly rolloutSeen?: () => RolloutSeen | undefined;
}

/** A rollout followed to its end. */
export interface RolloutSeen {
  readonly rollout: RolloutVerdict;
  /** The alarms that fired and rolled it back. */
  readonly alarms?: readonly string[];
}

/** The ledger fields of a rollout seen (rolloutAlarms only when some fired). */
export function rolloutFields(seen: RolloutSeen): Pick<Release, 'rollout' | 'rolloutAlarms'> {
  return { rollout: seen.rollout, ...(seen.alarms?.length ? { rolloutAlarms: [...seen.alarms] } : {}) };
}

/** The release a deploy ran, as the ledger has it after the deploy. */
export interface ReleaseRef {
  readonly id: string;
  readonly outcome: ReleaseOutcome;
  /** The SSM parameter that holds it. */
  readonly parameter: string;
  /** The ECS service's verdict, when one was seen. */
  readonly rollout?: RolloutVerdict;
  /** The alarms that rolled it back, when some did. */
  readonly rolloutAlarms?: readonly string[];
}

export function releaseRef(ledger: Ledger, r: Release): ReleaseRef {
  return { id: r.id, outcome: r.outcome, parameter: `${ledger.prefix}releases/${r.id}`, ...(r.rollout ? { rollout: r.rollout } : {}), ...(r.rolloutAlarms?.length ? { rolloutAlarms: r.rolloutAlarms } : {}) };
}

/** Outcomes that mean "not seen deployed yet": a deploy that completes moves them on. */
const UNSETTLED: readonly ReleaseOutcome[] = ['pushed', 'started'];

/** One deploy's writes to the ledger: `started` once approved, then `finished` with the outcome. */
export class DeployRecord {
  private readonly ledger: Ledger;
  private readonly fingerprint: string;
  /** The ledger's current release, as this deploy last wrote it. */
  private current?: Release;
  /** The release this deploy created (a pinned image). */
  private created?: Release;

  constructor(private readonly i: DeployRecordInput) {
    this.ledger = ledgerFor(i.env);
    this.fingerprint = configFingerprint(i.env);
    this.current = i.image.current;
  }

  /** The deploy runs the ledger's current release. */
  private get runsCurrent(): boolean {
    const { plan } = this.i.image;
    return plan.source === 'release' && this.current !== undefined && plan.releaseId === this.current.id;
  }

  /** The pinned image, as a release records it. */
  private get pinned(): Release['image'] | undefined {
    const { plan } = this.i.image;
    if (plan.source !== 'config') return undefined;
    return { repository: plan.repository ?? ownRepositoryUri(this.i.env), ...(plan.tag ? { tag: plan.tag } : {}), ...(plan.digest ? { digest: plan.digest } : {}) };
  }

  /** Whether the image this deploy runs differs from the one the deployed stack ran. */
  private imageChanges(image: Release['image']): boolean {
    const before = templateImage(this.i.deployedBefore);
    return !(before?.kind === 'image' && sameImage({ ...before, repository: before.repository ?? image.repository }, image));
  }

  /** The change is approved and about to be executed: the ledger hears of a new image first. */
  async started(): Promise<ReleaseRef | undefined> {
    if (this.runsCurrent) {
      const current = this.current!;
      if (current.outcome === 'pushed') return this.write({ ...current, outcome: 'started', updatedAt: now() });
      return releaseRef(this.ledger, current);
    }
    const image = this.pinned;
    if (!image || this.created || !this.imageChanges(image)) return this.created ? releaseRef(this.ledger, this.created) : undefined;
    await this.create(image, 'started');
    return releaseRef(this.ledger, this.created!);
  }

  /** The deploy ended: CloudFormation completed it (or found nothing to change), or it failed. */
  async finished(outcome: Exclude<DeployOutcome, 'started'>): Promise<ReleaseRef | undefined> {
    if (this.runsCurrent) return this.finishCurrent(outcome);
    const image = this.pinned;
    if (!image) return undefined;
    if (this.created) {
      if (outcome === 'failed') return this.write({ ...this.created, outcome: 'failed', updatedAt: now() });
      return this.write(await this.deployed(this.created));
    }
    if (outcome === 'no-changes' || !this.imageChanges(image)) {
      // The pin already ran: only the config may have changed under it.
      const current = this.current;
      if (current && sameImage(current.image, image) && current.configFingerprint !== this.fingerprint && outcome !== 'failed') {
        return this.write({ ...current, configFingerprint: this.fingerprint, updatedAt: now() });
      }
      return current && sameImage(current.image, image) ? releaseRef(this.ledger, current) : undefined;
    }
    // A change that was never approved through tapctl's question (a hotswap): recorded with what is known now.
    if (outcome === 'failed') return undefined;
    await this.create(image, 'deployed');
    return this.write(await this.deployed(this.created!));
  }

  /** A deploy of the ledger's current release ended. */
  private async finishCurrent(outcome: Exclude<DeployOutcome, 'started'>): Promise<ReleaseRef> {
    const current = this.current!;
    if (outcome === 'failed') {
      const seen = this.i.rolloutSeen?.();
      // A release this deploy started; or one it deployed whose rollout ECS then rolled back (an alarm fired).
      if (UNSETTLED.includes(current.outcome) || (seen?.rollout === 'failed' && current.outcome === 'deployed' && this.runsCurrent)) {
        return this.write({ ...current, outcome: 'failed', updatedAt: now(), ...(seen ? rolloutFields(seen) : {}) });
      }
      return releaseRef(this.ledger, current);
    }
    if (UNSETTLED.includes(current.outcome)) {
      const ref = await this.write(await this.deployed(current));
      // rollback --no-wait left its release started and the replaced one as it was: now the rollback is done.
      if (current.source === 'rollback' && current.rollbackOf) await this.markRolledBack(current.rollbackOf);
      return ref;
    }
    if (current.configFingerprint === this.fingerprint) return releaseRef(this.ledger, current);
    return this.write({ ...current, configFingerprint: this.fingerprint, updatedAt: now() });
  }

  /** `release` as CloudFormation deployed it: its task definition, and ECS's verdict when there is one already. */
  private async deployed(release: Release): Promise<Release> {
    const arn = await this.i.taskDefinitionArn();
    const seen = this.i.rolloutSeen?.();
    const rollout = seen?.rollout ?? (arn && this.i.rolloutVerdict ? await this.i.rolloutVerdict(arn) : undefined);
    const { rollout: _old, rolloutAlarms: _alarms, ...rest } = release;
    return {
      ...rest,
      outcome: rollout === 'failed' ? 'failed' : 'deployed',
      configFingerprint: this.fingerprint,
      updatedAt: now(),
      ...(arn ? { taskDefinitionArn: arn } : {}),
      ...(seen ? rolloutFields(seen) : rollout ? { rollout } : {}),
    };
  }

  private async markRolledBack(id: string): Promise<void> {
    const replaced = await getRelease(this.i.clients, this.ledger, id);
    if (replaced && replaced.outcome !== 'rolled-back') await updateRelease(this.i.clients, this.ledger, { ...replaced, outcome: 'rolled-back', updatedAt: now() });
  }

  private async create(image: Release['image'], outcome: ReleaseOutcome): Promise<void> {
    const list = await listReleases(this.i.clients, this.ledger);
    this.created = await createRelease(
      this.i.clients,
      this.ledger,
      {
        image,
        platform: platformFor(this.i.env.container.architecture).id,
        git: null,
        by: { arn: this.i.by, ...ciAuthor(this.i.processEnv) },
        at: now(),
        tapctlVersion: this.i.tapctlVersion,
        configFingerprint: this.fingerprint,
        outcome,
        source: 'deploy',
      },
      list.highestId,
    );
    await setCurrent(this.i.clients, this.ledger, this.created, this.i.by);
    this.current = this.created;
    const before = templateImage(this.i.deployedBefore);
    const running = before?.kind === 'image' ? matchRunning(list.releases, before).release : undefined;
    await pruneReleases(this.i.clients, this.ledger, [this.created, ...list.releases], { written: [this.created.id], current: this.created.id, ...(running ? { running: running.id } : {}) });
  }

  /** Writes `release` and points current at it. */
  private async write(release: Release): Promise<ReleaseRef> {
    await updateRelease(this.i.clients, this.ledger, release);
    await setCurrent(this.i.clients, this.ledger, release, this.i.by);
    this.current = release;
    if (this.created?.id === release.id) this.created = release;
    return releaseRef(this.ledger, release);
  }

  /** What the next deploy runs, as the ledger now says: for the message of an interrupted deploy. */
  nextRun(): string | undefined {
    const r = this.created ?? (this.runsCurrent ? this.current : undefined);
    return r ? `the release ledger records release ${r.id} (${shortImage(r.image)}) as current, ${r.outcome}: the next tapctl deploy runs it` : undefined;
  }
}

const now = () => new Date().toISOString();
