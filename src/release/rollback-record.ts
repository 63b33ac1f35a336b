/**
 * What a rollback writes to the release ledger, as each fact becomes known:
 *
 * - approved, before CloudFormation acts (`started`): a new release for the target's image (`from` the target,
 *   `rollbackOf` the replaced one), made current. An interrupted rollback therefore never leaves `current` on the
 *   release it rolls back from: the next deploy, by anyone, runs the rollback's image, not the old one again.
 * - CloudFormation's update completed (`deployed`): the rollback release is deployed and the replaced release is
 *   marked rolled-back, independently of the wait for ECS that follows.
 * - the ECS rollout's verdict: healthy; or failed (the rollback release failed, the replaced one gets back the
 *   outcome it had, since ECS went back to it).
 * - CloudFormation failed: the rollback release is failed; the replaced one is untouched.
 * `rollback --no-wait` stops at `started`; the next deploy that sees CloudFormation finished completes it
 * (record.ts).
 */
import type { AwsClients } from '../aws/clients.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { createRelease, pruneReleases, setCurrent, updateRelease, type Ledger } from './ledger.js';
import { releaseRef, type ReleaseRef } from './record.js';
import { ciAuthor, shortImage, type Release, type RolloutVerdict } from './release.js';

export interface RollbackRecordContext {
  readonly clients: AwsClients;
  readonly ledger: Ledger;
  readonly env: ResolvedEnvironment;
  readonly identityArn: string;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly tapctlVersion: string;
  /** The release the stack runs now, when the ledger has it. */
  readonly replaced?: Release;
  readonly target: Release;
  readonly fingerprint: string;
  /** Every release in the ledger (for the next id and pruning). */
  readonly releases: readonly Release[];
  readonly highestId: number;
}

export class RollbackRecord {
  private created?: Release;
  private replacedMarked = false;

  constructor(private readonly c: RollbackRecordContext) {}

  /** The rollback is approved: its release is recorded and made current before CloudFormation acts. */
  async started(): Promise<ReleaseRef> {
    if (!this.created) await this.create('started');
    return this.ref();
  }

  /** CloudFormation's update completed (or had nothing to change): deployed, and the replaced release rolled back. */
  async deployed(taskDefinitionArn?: string): Promise<ReleaseRef> {
    if (!this.created) await this.create('deployed', taskDefinitionArn);
    else await this.write({ ...this.created, outcome: 'deployed', updatedAt: now(), ...(taskDefinitionArn ? { taskDefinitionArn } : {}) });
    const replaced = this.c.replaced;
    if (replaced && !this.replacedMarked && replaced.outcome !== 'rolled-back') {
      await updateRelease(this.c.clients, this.c.ledger, { ...replaced, outcome: 'rolled-back', updatedAt: now() });
      this.replacedMarked = true;
    }
    return this.ref();
  }

  /** The ECS service's verdict on the rollback's task definition. */
  async rollout(verdict: RolloutVerdict, taskDefinitionArn?: string, alarms?: readonly string[]): Promise<ReleaseRef> {
    if (!this.created) await this.create('deployed', taskDefinitionArn);
    await this.write({
      ...this.created!,
      outcome: verdict === 'failed' ? 'failed' : 'deployed',
      rollout: verdict,
      updatedAt: now(),
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      // The alarms that made ECS roll a blue-green, canary or linear rollout back.
      ...(alarms?.length ? { rolloutAlarms: [...alarms] } : {}),
    });
    // ECS went back to the replaced release's task definition: it runs again, as it was.
    if (verdict === 'failed' && this.c.replaced && this.replacedMarked) {
      await updateRelease(this.c.clients, this.c.ledger, { ...this.c.replaced, updatedAt: now() });
      this.replacedMarked = false;
    }
    return this.ref();
  }

  /** CloudFormation failed (and rolled back): the rollback release failed; the replaced one still runs. */
  async failed(): Promise<ReleaseRef> {
    if (!this.created) await this.create('failed');
    else await this.write({ ...this.created, outcome: 'failed', updatedAt: now() });
    return this.ref();
  }

  /** What the next deploy runs, as the ledger says now: for the message of an interrupted rollback. */
  nextRun(): string | undefined {
    const r = this.created;
    return r ? `the release ledger records the rollback as release ${r.id} (${shortImage(r.image)}), ${r.outcome}, and as current: the next tapctl deploy runs it` : undefined;
  }

  ref(): ReleaseRef {
    if (!this.created) throw new Error('internal: no rollback release recorded yet');
    return releaseRef(this.c.ledger, this.created);
  }

  private async create(outcome: Release['outcome'], taskDefinitionArn?: string): Promise<void> {
    const { target, replaced } = this.c;
    this.created = await createRelease(
      this.c.clients,
      this.c.ledger,
      {
        image: target.image,
        platform: target.platform,
        git: target.git,
        by: { arn: this.c.identityArn, ...ciAuthor(this.c.processEnv) },
        at: now(),
        tapctlVersion: this.c.tapctlVersion,
        configFingerprint: this.c.fingerprint,
        source: 'rollback',
        from: target.id,
        ...(replaced ? { rollbackOf: replaced.id } : {}),
        outcome,
        ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      },
      this.c.highestId,
    );
    await setCurrent(this.c.clients, this.c.ledger, this.created, this.c.identityArn);
    await pruneReleases(this.c.clients, this.c.ledger, [this.created, ...this.c.releases], {
      written: [this.created.id, target.id],
      current: this.created.id,
      ...(replaced ? { running: replaced.id } : {}),
    });
  }

  private async write(release: Release): Promise<void> {
    await updateRelease(this.c.clients, this.c.ledger, release);
    await setCurrent(this.c.clients, this.c.ledger, release, this.c.identityArn);
    this.created = release;
  }
}

const now = () => new Date().toISOString();
