/**
 * push-image's part of the release ledger: read before anything is built (so a role that may not use the
 * ledger fails in seconds, not after a push, and a tag already in use is refused before the build), then the
 * pushed image recorded as a release (outcome pushed) and made current, so that the next deploy from any machine
 * runs it; after --deploy, the ECS rollout's verdict.
 */
import type { AwsClients } from '../aws/clients.js';
import { OperationError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { createRelease, ledgerFor, listReleases, pruneReleases, readHead, setCurrent, updateRelease, type ReleaseList } from './ledger.js';
import { releaseRef, type ReleaseRef } from './record.js';
import { ciAuthor, configFingerprint, matchRunning, shortImage, type Release, type RolloutVerdict } from './release.js';
import type { TemplateImage } from './template-image.js';

export interface PushedImageFacts {
  readonly repositoryUri: string;
  readonly tag: string;
  readonly digest: string;
  readonly platform: string;
  readonly git?: { readonly commit: string; readonly dirty: boolean };
}

export interface PushRecordContext {
  readonly clients: AwsClients;
  readonly env: ResolvedEnvironment;
  /** The STS caller ARN. */
  readonly by: string;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly tapctlVersion: string;
  /**
   * What the deployed stack runs (its template's image), so that pruning keeps the release that runs. Undefined
   * when it could not be read: then nothing is pruned this time.
   */
  readonly runningImage?: () => Promise<TemplateImage | undefined | 'unknown'>;
}

/** After the push: which release the ledger's current pointer names, read back (racing pushes: last writer wins). */
export interface CurrentAfterPush {
  readonly id: string;
  /** This push's release is the current one. */
  readonly ours: boolean;
  /** The other release's image and who recorded it, when it is not ours. */
  readonly image?: string;
  readonly by?: string;
}

export class PushRecord {
  private readonly ledger;
  private listed?: ReleaseList;
  private release?: Release;

  constructor(private readonly c: PushRecordContext) {
    this.ledger = ledgerFor(c.env);
  }

  /** Lists the ledger: the first ledger call, made before the build. */
  async open(): Promise<ReleaseList> {
    this.listed = await listReleases(this.c.clients, this.ledger);
    return this.listed;
  }

  /** The newest release whose image carries `tag`, from the listing made by open(). */
  releaseWithTag(tag: string, digest?: string): Release | undefined {
    return this.listed?.releases.find((r) => (digest ? r.image.digest === digest : r.image.tag === tag));
  }

  /** Records the pushed image as the next release and points current at it. */
  async pushed(image: PushedImageFacts): Promise<ReleaseRef> {
    const listed = this.listed ?? (await listReleases(this.c.clients, this.ledger));
    try {
      this.release = await createRelease(
        this.c.clients,
        this.ledger,
        {
          image: { repository: image.repositoryUri, tag: image.tag, digest: image.digest },
          platform: image.platform,
          git: image.git ? { commit: image.git.commit, dirty: image.git.dirty } : null,
          by: { arn: this.c.by, ...ciAuthor(this.c.processEnv) },
          at: new Date().toISOString(),
          tapctlVersion: this.c.tapctlVersion,
          configFingerprint: configFingerprint(this.c.env),
          outcome: 'pushed',
          source: 'push-image',
        },
        listed.highestId,
      );
      // The next deploy, from any machine, runs it (last writer wins; every release stays recorded).
      await setCurrent(this.c.clients, this.ledger, this.release, this.c.by);
      await this.prune(listed);
    } catch (e) {
      if (!(e instanceof OperationError)) throw e;
      throw new OperationError(`pushed ${image.repositoryUri}:${image.tag} (${image.digest}), but it is not recorded as a release: ${e.message}`, {
        code: e.code,
        hint: `${e.hint ? `${e.hint}; then ` : ''}push again (the next deploy runs the ledger's current release, not this image)`,
        cause: e,
      });
    }
    return this.ref();
  }

  /** Older releases go, never the one that runs: when what runs cannot be read, nothing goes this time. */
  private async prune(listed: ReleaseList): Promise<void> {
    const running = await this.c.runningImage?.().catch(() => 'unknown' as const);
    if (running === 'unknown' || !this.c.runningImage) return;
    const runningRelease = running?.kind === 'image' ? matchRunning(listed.releases, running).release : undefined;
    await pruneReleases(this.c.clients, this.ledger, [this.release!, ...listed.releases], { written: [this.release!.id], current: this.release!.id, ...(runningRelease ? { running: runningRelease.id } : {}) });
  }

  /**
   * The current pointer read back after the push: two pushes racing each make their release current, and only
   * the last write stands. The person is told which one that is rather than assuming it is theirs.
   */
  async currentAfter(): Promise<CurrentAfterPush | undefined> {
    if (!this.release) return undefined;
    const head = await readHead(this.c.clients, this.ledger).catch(() => undefined);
    if (!head?.current) return undefined;
    const pointer = head.current.ok ? head.current.value : undefined;
    if (!pointer) return undefined;
    if (pointer.release.id === this.release.id) return { id: this.release.id, ours: true };
    return { id: pointer.release.id, ours: false, image: shortImage(pointer.release.image), by: pointer.release.by.ciActor ?? pointer.by };
  }

  /**
   * The ECS service deployment's final state is the release's verdict (after push-image --deploy): deployed and
   * healthy, or failed.
   */
  async verdict(outcome: 'deployed' | 'failed', taskDefinitionArn?: string, rollout?: RolloutVerdict, alarms?: readonly string[]): Promise<ReleaseRef> {
    if (!this.release) throw new Error('internal: a verdict before the release was recorded');
    this.release = {
      ...this.release,
      outcome,
      configFingerprint: configFingerprint(this.c.env),
      updatedAt: new Date().toISOString(),
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      ...(rollout ? { rollout } : {}),
      // The alarms that rolled a blue-green, canary or linear rollout back.
      ...(alarms?.length ? { rolloutAlarms: [...alarms] } : {}),
    };
    await updateRelease(this.c.clients, this.ledger, this.release);
    await setCurrent(this.c.clients, this.ledger, this.release, this.c.by);
    return this.ref();
  }

  ref(): ReleaseRef {
    if (!this.release) throw new Error('internal: no release recorded yet');
    return releaseRef(this.ledger, this.release);
  }
}
