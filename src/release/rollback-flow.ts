/**
 * `tapctl rollback`: run an earlier release's image again, and nothing else. Not toolkit-lib's rollback(),
 * which rolls back a failed CloudFormation update; this one is a deploy of an image the ledger recorded.
 *
 * Refused (exit 3) when the config pins container.image (the pin decides what runs), and when the template would
 * change more than the image: the deployed template decides (plan.ts), so whatever deployed the config (a
 * deploy, --no-wait included once CloudFormation finished it) clears the refusal; `--with-config` deploys both,
 * with deploy's own `--allow-replace` / `--allow-scale-to-zero` for what that needs. The deploy is deploy's own
 * (preflight, approval, change set, progress); the verdict, as for push-image --deploy, is the ECS service
 * deployment's final state: a rollout that rolls back is exit 1. The ledger hears of each step as it happens
 * (rollback-record.ts).
 */
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, OperationError, RefusedError, UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import { loadProject, relativeName, selectEnvironment } from '../cli/project.js';
import type { AwsClients } from '../aws/clients.js';
import type { RolloutResult } from '../aws/ecs-rollout.js';
import type { DeployOptions } from '../deploy/deploy-flow.js';
import type { DeployResult } from '../deploy/results.js';
import { ledgerFor, listReleases, readHead } from './ledger.js';
import type { ReleaseRef } from './record.js';
import { configFingerprint, sameImage, shortImage, type Release } from './release.js';
import { RollbackRecord } from './rollback-record.js';
import { defaultTarget, findRelease, liveReleases, ranHealthy, replacedRelease } from './rollback-target.js';
import { hasService, headWarnings, pinnedImage, trustedRepository, usableCurrent } from './running-image.js';
import { templateImage } from './template-image.js';

export interface RollbackOptions {
  /** --to: a release id, image tag or image digest (or id:, tag:, sha256: to be exact). */
  readonly to?: string;
  /** --with-config: also deploy the config's changes since the running release. */
  readonly withConfig?: boolean;
  /** With --with-config: deploy's own flags for what deploying the config needs. */
  readonly allowReplace?: string[];
  readonly allowScaleToZero?: boolean;
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
  /** The release the stack ran (id null: an image the ledger does not have). */
  readonly from: { readonly id: string | null; readonly image: string };
  readonly to: { readonly id: string; readonly image: string };
  /** The release the rollback recorded. */
  readonly release?: ReleaseRef;
  /** What deploy did: its status, checks and change. */
  readonly deploy: Pick<DeployResult, 'status' | 'checks' | 'changes' | 'image'>;
  readonly rollout?: RolloutResult;
  readonly durationMs: number;
  /** Commands to run next, with the flags they need. */
  readonly next: readonly string[];
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
  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));
  const identity = await callerIdentity(clients);
  assertAccount(identity, env);

  const ledger = ledgerFor(env);
  const [list, running] = await Promise.all([listReleases(clients, ledger), runningImage(clients, env)]);
  const head = await readHead(clients, ledger, { releases: list.releases });
  for (const bad of list.invalid) ctx.io.warn(`${bad.name} is not a valid release record (${bad.reason}): ignored`);
  for (const w of headWarnings(head, ledger)) ctx.io.warn(w);
  const { release: current, ignored } = usableCurrent(head, env);
  if (ignored) ctx.io.warn(ignored);
  // A release naming an image outside the stack's repository was not written by push-image: never run it.
  const trusted = list.releases.filter((r) => {
    if (trustedRepository(r.image.repository, env)) return true;
    ctx.io.warn(`release ${r.id} names ${quote(r.image.repository)}, not this stack's ECR repository: ignored`);
    return false;
  });
  const live = liveReleases(trusted, head.ended);
  let replaced = replacedRelease(live, running);
  if (!replaced && options.to === undefined) {
    throw new OperationError(`the release ledger of '${env.name}' has no release for what the stack runs${running ? ` (${shortImage(running)})` : ''}: there is no previous release to go back to`, {
      code: 'no-release',
      hint: `name the release to run with --to (tapctl releases --env ${env.name} lists them); releases are recorded by push-image and deploy`,
    });
  }
  const target = options.to !== undefined ? findRelease(trusted, options.to) : defaultTarget(live, replaced!);
  if (!target) {
    const notHealthy = live.filter((r) => Number(r.id) < Number(replaced!.id) && r.outcome === 'deployed' && !ranHealthy(r));
    throw new OperationError(`no release of '${env.name}' before ${replaced!.id} ran healthy with another image: nothing to roll back to by default`, {
      code: 'no-rollback-target',
      hint: `${notHealthy.length ? `CloudFormation deployed ${notHealthy.slice(0, 3).map((r) => r.id).join(', ')}, but ECS was never seen running ${notHealthy.length === 1 ? 'it' : 'them'} healthy; ` : ''}tapctl releases --env ${env.name} lists them; choose one with --to <id | tag | digest> (e.g. --to id:${Number((notHealthy[0] ?? live.at(-1) ?? replaced!).id)})`,
    });
  }
  const runsTarget = running ? sameImage(target.image, running) : replaced !== undefined && (target.id === replaced.id || sameImage(target.image, replaced.image));
  // The stack already runs it: a rollback only has something to do when the ledger says otherwise.
  if (runsTarget && (!current || sameImage(current.image, target.image))) {
    throw new UsageError(`release ${target.id} (${shortImage(target.image)}) is what '${env.name}' runs now, and the ledger's current release: nothing to roll back`, { hint: `tapctl releases --env ${env.name} lists the others` });
  }
  // After the arguments are checked against the ledger (a --to that names nothing is exit 2 with or without a
  // terminal, qa5 P3), before anything changes: a run without a terminal needs --yes.
  const { refuseWithoutApprover } = await import('../deploy/approval.js');
  if (!options.dryRun) refuseWithoutApprover(ctx, env.name, 'rollback');
  // The ledger is behind what runs (an interrupted rollback of an older tapctl): the rollback replaces its current.
  if (runsTarget) replaced = current;
  if (runsTarget) ctx.io.warn(`'${env.name}' already runs release ${target.id}'s image, but the ledger's current release is ${current!.id} (${shortImage(current!.image)}): the rollback records ${target.id}'s image as current, so the next deploy keeps it`);
  if (!ranHealthy(target)) ctx.io.warn(`release ${target.id} is ${target.outcome}${target.outcome === 'deployed' ? ' (ECS was never seen running it healthy)' : ''}: rolling back to it because --to names it`);
  if (!options.withConfig && (options.allowReplace?.length || options.allowScaleToZero)) {
    throw new UsageError('--allow-replace and --allow-scale-to-zero only apply with --with-config: a rollback alone changes only the image', { hint: 'add --with-config, or leave them out' });
  }
  await confirmImage(clients, env.names.ecrRepository, target);

  const fromImage = replaced ? shortImage(replaced.image) : running ? shortImage(running) : 'no image';
  const move = `from ${replaced ? `release ${replaced.id} (${fromImage})` : `${fromImage} (not in the ledger)`} to release ${target.id} (${shortImage(target.image)})`;
  ctx.io.info(`rolling back '${env.name}' ${move}${options.withConfig ? ', with the config as it is now' : ''}`);
  const record = new RollbackRecord({
    clients,
    ledger,
    env,
    identityArn: identity.arn,
    processEnv: ctx.env,
    tapctlVersion: ctx.version,
    ...(replaced ? { replaced } : {}),
    target,
    fingerprint: configFingerprint(env),
    releases: list.releases,
    highestId: list.highestId,
  });
  const wait = options.wait !== false;
  const run = deploy ?? (await import('../deploy/deploy-flow.js')).runDeploy;
  const deployed = await run(ctx, {
    dryRun: Boolean(options.dryRun),
    wait,
    embedded: true,
    ...(options.allowReplace?.length ? { allowReplace: options.allowReplace } : {}),
    ...(options.allowScaleToZero ? { allowScaleToZero: true } : {}),
    rollback: {
      release: target,
      onlyImage: !options.withConfig,
      subject: `Roll back '${env.name}' ${move}`,
      onStarted: async () => void (await record.started()),
      onFailed: async () => void (await record.failed()),
      onRolloutFailed: async (seen) => void (await record.rollout('failed', undefined, seen.alarms)),
      nextRun: () => record.nextRun(),
    },
  });
  if (!deployed) throw new Error('internal: deploy returned no result to rollback');
  const base = {
    ok: true as const,
    environment: env.name,
    stack: env.names.stack,
    from: { id: replaced?.id ?? null, image: fromImage },
    to: { id: target.id, image: shortImage(target.image) },
    deploy: { status: deployed.status, checks: deployed.checks, image: deployed.image, ...(deployed.changes ? { changes: deployed.changes } : {}) },
  };
  if (options.dryRun) {
    // deploy's plan says what comes next (bootstrap first, when needed); its rollback line gets the exact target and flags.
    const next = deployed.next.map((n) => (n.startsWith(`tapctl rollback --env ${env.name}`) ? rollbackCommand(env.name, target, options) : n));
    return { ...base, status: 'planned', durationMs: Date.now() - started, next };
  }
  // Not watched: the ledger says started (rollback-record.ts); the next deploy completes the record.
  if (!wait || deployed.status === 'started') return { ...base, status: 'started', release: await record.started(), durationMs: Date.now() - started, next: [`tapctl status --env ${env.name} --watch`] };

  // CloudFormation's update completed: recorded now, whatever happens to the wait for ECS.
  await record.deployed(deployed.taskDefinitionArn);
  if (deployed.status === 'no-changes') {
    // The stack already ran the image (the ledger was behind it): one look at ECS, no rollout to wait for.
    const { rolloutVerdictNow } = await import('../aws/ecs-rollout.js');
    const verdict = deployed.taskDefinitionArn ? await rolloutVerdictNow(clients, { cluster: env.names.ecsCluster, service: env.names.ecsService, taskDefinitionArn: deployed.taskDefinitionArn }) : undefined;
    const release = verdict ? await record.rollout(verdict, deployed.taskDefinitionArn) : record.ref();
    return { ...base, status: 'rolled-back', release, durationMs: Date.now() - started, next: [] };
  }
  const { followServiceRollout } = await import('../deploy/follow-rollout.js');
  const { pollIntervalMs } = await import('../deploy/toolkit-session.js');
  ctx.io.info(`waiting for ${env.names.ecsService} to run release ${target.id} ...`);
  let rollout: RolloutResult;
  try {
    rollout = await followServiceRollout(
      ctx,
      clients,
      env,
      {
        ...(deployed.taskDefinitionArn ? { taskDefinitionArn: deployed.taskDefinitionArn } : {}),
        image: { repositoryUri: target.image.repository, ...(target.image.digest ? { digest: target.image.digest } : {}), ...(target.image.tag ? { tag: target.image.tag } : {}) },
      },
      new Date(started),
      { pollMs: pollIntervalMs(ctx, 10_000) },
    );
  } catch (e) {
    if (e instanceof InterruptedError) {
      throw new InterruptedError(`${e.message}; CloudFormation already runs release ${target.id}'s image and ${record.nextRun() ?? 'the ledger records the rollback'}`, {
        hint: `follow the rollout with tapctl status --env ${env.name} --watch`,
        cause: e,
      });
    }
    if (e instanceof OperationError && e.code === 'rollout-failed') await record.rollout('failed').catch((x: unknown) => ctx.io.warn(`the release ledger could not record the failure: ${(x as Error).message}`));
    throw e;
  }
  const release = await record.rollout('healthy', rollout.taskDefinitionArn);
  return { ...base, status: 'rolled-back', release, rollout, durationMs: Date.now() - started, next: [] };
}

/** The rollback command a dry run shows next: the same release, exactly named, with the flags it needs. */
function rollbackCommand(envName: string, target: Release, o: RollbackOptions): string {
  const flags = [
    `--to id:${Number(target.id)}`,
    ...(o.withConfig ? ['--with-config'] : []),
    ...(o.allowReplace ?? []).map((id) => `--allow-replace ${id}`),
    ...(o.allowScaleToZero ? ['--allow-scale-to-zero'] : []),
    ...(o.wait === false ? ['--no-wait'] : []),
  ];
  return `tapctl rollback --env ${envName} ${flags.join(' ')}`;
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
  const { findImage } = await import('../aws/ecr-images.js');
  if ((await findImage(clients, repositoryName, target.image)) === 'found') return;
  throw new OperationError(`release ${target.id}'s image ${shortImage(target.image)} is no longer in ECR repository ${repositoryName}: it cannot run again`, {
    code: 'image-missing',
    hint: 'roll back to another release (--to; tapctl releases shows which images still exist), or push that commit again with tapctl push-image',
  });
}
