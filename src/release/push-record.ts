/**
 * push-image's part of the release ledger: read before anything is built (so a role that may not use the
 * ledger fails in seconds, not after a push), then the pushed image recorded as a release (outcome pushed) and
 * made current, so that the next deploy from any machine runs it; after --deploy, the ECS rollout's verdict.
 */
import type { AwsClients } from '../aws/clients.js';
import { OperationError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { createRelease, ledgerFor, listReleases, pruneReleases, setCurrent, updateRelease, type ReleaseList } from './ledger.js';
import type { ReleaseRef } from './record.js';
import { ciAuthor, configFingerprint, type Release } from './release.js';

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
}

export class PushRecord {
  private readonly ledger;
  private listed?: ReleaseList;
  private release?: Release;

  constructor(private readonly c: PushRecordContext) {
    this.ledger = ledgerFor(c.env);
  }

  /** Lists the ledger: the first ledger call, made before the build. */
  async open(): Promise<void> {
    this.listed = await listReleases(this.c.clients, this.ledger);
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
      await pruneReleases(this.c.clients, this.ledger, [this.release.id, ...listed.releases.map((r) => r.id)], [this.release.id]);
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

  /** The ECS service deployment's final state is the release's verdict (after push-image --deploy). */
  async verdict(outcome: 'deployed' | 'failed', taskDefinitionArn?: string): Promise<ReleaseRef> {
    if (!this.release) throw new Error('internal: a verdict before the release was recorded');
    this.release = {
      ...this.release,
      outcome,
      configFingerprint: configFingerprint(this.c.env),
      updatedAt: new Date().toISOString(),
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
    };
    await updateRelease(this.c.clients, this.ledger, this.release);
    await setCurrent(this.c.clients, this.ledger, this.release, this.c.by);
    return this.ref();
  }

  ref(): ReleaseRef {
    if (!this.release) throw new Error('internal: no release recorded yet');
    return { id: this.release.id, outcome: this.release.outcome, parameter: `${this.ledger.prefix}releases/${this.release.id}` };
  }
}
