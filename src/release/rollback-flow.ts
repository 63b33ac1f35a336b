/**
 * `tapctl rollback`: run an earlier release's image again, and nothing else. Not toolkit-lib's rollback(),
 * which rolls back a failed CloudFormation update; this one is a deploy of an image the ledger recorded.
 *
 * Refused (exit 3) when the config pins container.image (the pin decides what runs), when the config differs
 * from the one the running release was deployed with (`--with-config` deploys both), and when the template
 * would change more than the image. The deploy is deploy's own (preflight, approval, change set, progress);
 * the verdict, as for push-image --deploy, is the ECS service deployment's final state: a rollout that rolls
 * back is exit 1. The ledger gets a new release (`from` the target, `rollbackOf` the replaced one), and the
 * replaced release is marked rolled-back.
 */
import type { CommandContext } from '../cli/context.js';
import { OperationError, RefusedError, UsageError } from '../cli/errors.js';
import { loadProject, relativeName, selectEnvironment } from '../cli/project.js';
import type { AwsClients } from '../aws/clients.js';
import type { RolloutResult } from '../aws/ecs-rollout.js';
import type { DeployOptions } from '../deploy/deploy-flow.js';
import type { DeployResult } from '../deploy/results.js';
import { platformFor } from '../image/platform.js';
import { createRelease, ledgerFor, listReleases, pruneReleases, readHead, setCurrent, updateRelease, type Ledger } from './ledger.js';
import type { ReleaseRef } from './record.js';
import { ciAuthor, configFingerprint, sameImage, shortImage, type Release, type ReleaseOutcome } from './release.js';
import { defaultTarget, findRelease, liveReleases, replacedRelease } from './rollback-target.js';
import { hasService, pinnedImage } from './running-image.js';
import { templateImage } from './template-image.js';

export interface RollbackOptions {
  /** --to: a release id, image tag or image digest. */
  readonly to?: string;
  /** --with-config: also deploy the config's changes since the running release. */
  readonly withConfig?: boolean;
  /** false with --no-wait. */
  readonly wait?: boolean;
  readonly dryRun?: boolean;
}

export interface RollbackResult {
  readonly ok: true;
  readonly environment: string;
  readonly stack: string;
  /** planned: --dry-run. started: --no-wait handed it to CloudFormation. rolled-back: ECS runs the target. */
  readonly status: 'planned' | 'started' | 'rolled-back';
  readonly from: { readonly id: string; readonly image: string };
  readonly to: { readonly id: string; readonly image: string };
  /** The release the rollback recorded. */
  readonly release?: ReleaseRef;
  /** What deploy did: its status, checks and change. */
  readonly deploy: Pick<DeployResult, 'status' | 'checks' | 'changes' | 'image'>;
  readonly rollout?: RolloutResult;
  readonly durationMs: number;
}

export type RollbackDeploy = (ctx: CommandContext, options: DeployOptions) => Promise<DeployResult | undefined>;

export async function runRollback(ctx: CommandContext, options: RollbackOptions, deploy?: RollbackDeploy): Promise<RollbackResult | undefined> {
  const started = Date.now();
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  if (!hasService(env)) throw new UsageError(`the ${env.preset} preset runs no container service: '${env.name}' has no releases to roll back`);
  const pin = pinnedImage(env);
  if (pin) {
    throw new RefusedError(`refusing to roll back '${env.name}': container.image in ${relativeName(ctx, loaded.path)} pins ${pin.tag ?? pin.digest}, so the next deploy would run it again`, {
      hint: `to roll back, change container.image (tag / digest) to the image you want and run tapctl deploy --env ${env.name}; or remove the pin and use tapctl rollback`,
    });
  }
  const { refuseWithoutApprover } = await import('../deploy/approval.js');
  if (!options.dryRun) refuseWithoutApprover(ctx, env.name, 'rollback');

  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));
  const identity = await callerIdentity(clients);
  assertAccount(identity, env);

  const ledger = ledgerFor(env);
  const [list, head, running] = await Promise.all([listReleases(clients, ledger), readHead(clients, ledger), runningImage(clients, env)]);
  for (const bad of list.invalid) ctx.io.warn(`${bad.name} is not a valid release record (${bad.reason}): ignored`);
  const live = liveReleases(list.releases, head.ended);
  const replaced = replacedRelease(live, running);
  if (!replaced) {
    throw new OperationError(`the release ledger of '${env.name}' has no deployed release to roll back from`, {
      code: 'no-release',
      hint: `tapctl releases --env ${env.name} lists what it has; releases are recorded by push-image and deploy`,
    });
  }
  const target = options.to !== undefined ? findRelease(list.releases, options.to) : defaultTarget(live, replaced);
  if (!target) {
    throw new OperationError(`no release of '${env.name}' before ${replaced.id} was deployed healthy with another image: nothing to roll back to`, {
      code: 'no-rollback-target',
      hint: `tapctl releases --env ${env.name} lists them; name one with --to <release id | tag | digest>`,
    });
  }
  if (target.id === replaced.id || sameImage(target.image, replaced.image)) {
    throw new UsageError(`release ${target.id} (${shortImage(target.image)}) is what '${env.name}' runs now: nothing to roll back`, { hint: `tapctl releases --env ${env.name} lists the others` });
  }
  if (target.outcome !== 'deployed') ctx.io.warn(`release ${target.id} is ${target.outcome}: rolling back to it because --to names it`);
  const fingerprint = configFingerprint(env);
  if (!options.withConfig && replaced.configFingerprint !== fingerprint) {
    throw new RefusedError(`refusing to roll back '${env.name}': its config differs from the one release ${replaced.id} was deployed with, and a rollback changes only the image`, {
      hint: `deploy the config first (tapctl deploy --env ${env.name}), then roll back; or do both at once: tapctl rollback --env ${env.name}${options.to ? ` --to ${options.to}` : ''} --with-config`,
    });
  }
  await confirmImage(clients, env.names.ecrRepository, target);

  const move = `from release ${replaced.id} (${shortImage(replaced.image)}) to release ${target.id} (${shortImage(target.image)})`;
  ctx.io.info(`rolling back '${env.name}' ${move}${options.withConfig ? ', with the config as it is now' : ''}`);
  const record = recorder(ctx, clients, ledger, { env, identityArn: identity.arn, replaced, target, fingerprint, highestId: list.highestId, ids: list.releases.map((r) => r.id) });
  const wait = options.wait !== false;
  const run = deploy ?? (await import('../deploy/deploy-flow.js')).runDeploy;
  const deployed = await run(ctx, {
    dryRun: Boolean(options.dryRun),
    wait,
    embedded: true,
    rollback: { release: target, onlyImage: !options.withConfig, subject: `Roll back '${env.name}' ${move}`, onFailed: async () => void (await record('failed')) },
  });
  if (!deployed) throw new Error('internal: deploy returned no result to rollback');
  const base = {
    ok: true as const,
    environment: env.name,
    stack: env.names.stack,
    from: { id: replaced.id, image: shortImage(replaced.image) },
    to: { id: target.id, image: shortImage(target.image) },
    deploy: { status: deployed.status, checks: deployed.checks, image: deployed.image, ...(deployed.changes ? { changes: deployed.changes } : {}) },
  };
  const finish = async (result: RollbackResult) => (await import('../deploy/results.js')).finishStream<RollbackResult & { command: string }>(ctx, { command: 'rollback', ...result });
  if (options.dryRun) return finish({ ...base, status: 'planned', durationMs: Date.now() - started });
  // Not watched: like a pushed image, the rollback is what the environment should run next.
  if (!wait || deployed.status === 'started') return finish({ ...base, status: 'started', release: await record('pushed'), durationMs: Date.now() - started });

  const { waitForRollout } = await import('../aws/ecs-rollout.js');
  const { pollIntervalMs } = await import('../deploy/toolkit-session.js');
  ctx.io.info(`waiting for ${env.names.ecsService} to run release ${target.id} ...`);
  let rollout: RolloutResult;
  try {
    rollout = await waitForRollout(
      clients,
      {
        cluster: env.names.ecsCluster,
        service: env.names.ecsService,
        ...(deployed.taskDefinitionArn ? { taskDefinitionArn: deployed.taskDefinitionArn } : {}),
        image: { repositoryUri: target.image.repository, ...(target.image.digest ? { digest: target.image.digest } : {}), ...(target.image.tag ? { tag: target.image.tag } : {}) },
      },
      {
        pollMs: pollIntervalMs(ctx, 10_000),
        since: new Date(started),
        signal: ctx.signal,
        onProgress: (p) => ctx.io.progress(p.onTarget ? `rollout ${(p.rolloutState ?? 'in progress').toLowerCase()}: ${p.running}/${p.desired} running` : 'waiting for the service to start the task definition'),
      },
    );
  } catch (e) {
    if (e instanceof OperationError) await record('failed').catch((x: unknown) => ctx.io.warn(`the release ledger could not record the failure: ${(x as Error).message}`));
    throw e;
  }
  const release = await record('deployed', rollout.taskDefinitionArn);
  return finish({ ...base, status: 'rolled-back', release, rollout, durationMs: Date.now() - started });
}

/** What the deployed stack runs (its template), to know which release a rollback replaces. */
async function runningImage(clients: AwsClients, env: { names: { stack: string } }) {
  const { deployedTemplate } = await import('../aws/stack-details.js');
  const { describeStack } = await import('../aws/stack.js');
  const stack = await describeStack(clients, env.names.stack);
  if (!stack) throw new OperationError(`stack ${env.names.stack} is not deployed: there is nothing to roll back`, { code: 'not-deployed' });
  const image = templateImage(await deployedTemplate(clients, env.names.stack));
  return image?.kind === 'image' ? image : undefined;
}

async function confirmImage(clients: AwsClients, repositoryName: string, target: Release): Promise<void> {
  if (!target.image.repository.endsWith(`/${repositoryName}`)) return;
  const { findImage } = await import('../aws/ecr-images.js');
  if ((await findImage(clients, repositoryName, target.image)) === 'found') return;
  throw new OperationError(`release ${target.id}'s image ${shortImage(target.image)} is no longer in ECR repository ${repositoryName}: it cannot run again`, {
    code: 'image-missing',
    hint: 'roll back to another release (--to), or push that commit again with tapctl push-image',
  });
}

interface RecordContext {
  readonly env: Parameters<typeof configFingerprint>[0];
  readonly identityArn: string;
  readonly replaced: Release;
  readonly target: Release;
  readonly fingerprint: string;
  readonly highestId: number;
  readonly ids: readonly string[];
}

/**
 * The ledger after a rollback, written once per outcome: a new release for the target's image (`from` the
 * target, `rollbackOf` the replaced one), current pointed at it, and, unless it failed, the replaced release
 * marked rolled-back (so no default rollback goes back to it).
 */
function recorder(ctx: CommandContext, clients: AwsClients, ledger: Ledger, r: RecordContext) {
  let created: Release | undefined;
  return async (outcome: ReleaseOutcome, taskDefinitionArn?: string): Promise<ReleaseRef> => {
    const now = new Date().toISOString();
    const fields = { outcome, updatedAt: now, ...(taskDefinitionArn ? { taskDefinitionArn } : {}) };
    if (created) {
      created = { ...created, ...fields };
      await updateRelease(clients, ledger, created);
    } else {
      created = await createRelease(
        clients,
        ledger,
        {
          image: r.target.image,
          platform: r.target.platform || platformFor(r.env.container.architecture).id,
          git: r.target.git,
          by: { arn: r.identityArn, ...ciAuthor(ctx.env) },
          at: now,
          tapctlVersion: ctx.version,
          configFingerprint: r.fingerprint,
          source: 'rollback',
          from: r.target.id,
          rollbackOf: r.replaced.id,
          ...fields,
        },
        r.highestId,
      );
    }
    if (outcome !== 'failed') await updateRelease(clients, ledger, { ...r.replaced, outcome: 'rolled-back', updatedAt: now });
    await setCurrent(clients, ledger, created, r.identityArn);
    await pruneReleases(clients, ledger, [created.id, ...r.ids], [created.id]);
    return { id: created.id, outcome: created.outcome, parameter: `${ledger.prefix}releases/${created.id}` };
  };
}
