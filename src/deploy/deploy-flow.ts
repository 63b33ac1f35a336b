/**
 * `tapctl deploy`: the plan (preflight, the image asked of AWS, synthesis, guards), then toolkit-lib's change-set
 * deploy with tapctl's approval, live progress and failure explanation, then the release ledger. Loaded only
 * when deploy runs.
 */
import { quote } from '../cli/quote.js';
import { dirname } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, OperationError, RefusedError, UsageError } from '../cli/errors.js';
import { loadProject, relativeName, selectEnvironment } from '../cli/project.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import { stackOutputs } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { DeployOutcome, RolloutSeen } from '../release/record.js';
import { deployRecord, taskDefinitionArnOf } from './deploy-ledger.js';
import type { Release } from '../release/release.js';
import { checkAllowReplaceValues, unknownLogicalIds, unknownLogicalIdsError } from './allow-replace.js';
import { refuseWithoutApprover } from './approval.js';
import { runChangeSet } from './change-set.js';
import type { ChangeSummary } from './change-summary.js';
import { templateChanges } from './diff-flow.js';
import { isUnchanged } from './no-change.js';
import { writeOutputs } from './outputs.js';
import { phase } from './phase.js';
import { planDeploy, type DeployPlan } from './plan.js';
import { deploymentSummary, finishStream, templatePlan, type DeployResult } from './results.js';
import { pollIntervalMs } from './toolkit-session.js';
import type { TrafficRepair } from './traffic-repair.js';
import { verdictError as verdictErrorOf, type ServiceDeploymentVerdict } from '../aws/service-deployment.js';

export { CHANGE_SET_NAME } from './change-set.js';

export interface DeployOptions {
  readonly dryRun?: boolean;
  /** false with --no-wait. */
  readonly wait?: boolean;
  /** --wait-for-stack [minutes]: true without a value. */
  readonly waitForStack?: boolean | string;
  readonly allowReplace?: string[];
  /** --allow-scale-to-zero: a change may take the running service to zero tasks. */
  readonly allowScaleToZero?: boolean;
  readonly outputsFile?: string;
  /**
   * Hotswap what can be hotswapped (the ECS task definition's image) and fall back to the change set for the
   * rest; push-image --deploy --hotswap. Never for production: CloudFormation stays its source of truth.
   */
  readonly hotswap?: boolean;
  /**
   * Internal, for rollback: deploy this release's image (and, with onlyImage, nothing else); the approval asks
   * `subject`. Deploy then records nothing in the ledger: rollback does (`onStarted` once the change is
   * approved, before CloudFormation executes it; `onFailed` when the approved change fails).
   */
  readonly rollback?: {
    readonly release: Release;
    readonly onlyImage: boolean;
    readonly subject: string;
    readonly onStarted?: () => Promise<void>;
    readonly onFailed?: () => Promise<void>;
    /** What an interrupted rollback tells the person the next deploy runs. */
    readonly nextRun?: () => string | undefined;
    /** ECS rolled the release back (blue-green, canary, linear): the alarms that made it, when some did. */
    readonly onRolloutFailed?: (seen: RolloutSeen) => Promise<void>;
  };
  /** Internal: return the result even with --json, for a caller that writes the one result line itself. */
  readonly embedded?: boolean;
  /** Internal, for env create: deploy this environment (a preview not created yet) instead of selecting --env. */
  readonly environment?: ResolvedEnvironment;
  /** Internal, for env create: what brings the image when there is none yet (the image check says it, not a warning). */
  readonly imageFollows?: string;
}

const DEFAULT_STACK_WAIT_MINUTES = 30;

export async function runDeploy(ctx: CommandContext, options: DeployOptions): Promise<DeployResult | undefined> {
  const started = Date.now();
  const allowReplace = options.allowReplace ?? [];
  checkAllowReplaceValues(allowReplace);
  const waitForStackMs = stackWaitMs(options.waitForStack);
  const loaded = await loadProject(ctx);
  const configured = options.environment ?? (await selectEnvironment(ctx, loaded));
  // Without --yes and without a terminal nobody can approve the change: say so now, not after synthesis,
  // preflight and asset publishing.
  if (!options.dryRun) refuseWithoutApprover(ctx, configured.name, options.rollback ? 'rollback' : 'deploy');
  for (const w of loaded.warnings) ctx.io.warn(`${w.path}  ${w.message}`);
  const projectDir = dirname(loaded.path);
  const clients = new AwsClients(targetFor(configured, ctx.globals.profile));
  const finish = (result: DeployResult) => (options.embedded ? result : finishStream<DeployResult>(ctx, result));

  phase(ctx, 'preflight', 'checking before anything changes');
  const plan = await planDeploy(ctx, {
    env: configured,
    configFile: relativeName(ctx, loaded.path),
    projectDir,
    clients,
    dryRun: Boolean(options.dryRun),
    ...(waitForStackMs !== undefined ? { waitForStackMs } : {}),
    pollMs: pollIntervalMs(ctx, 10_000),
    allowScaleToZero: Boolean(options.allowScaleToZero),
    ...(options.rollback ? { rollback: { release: options.rollback.release, onlyImage: options.rollback.onlyImage } } : {}),
    ...(options.imageFollows ? { imageFollows: options.imageFollows } : {}),
  });
  const { env, synth, artifact, access } = plan;
  // --allow-replace names resources of this stack; the ones not in the synthesized template may be removals,
  // which only the deployed template can confirm.
  const notSynthesized = unknownLogicalIds(allowReplace, Object.keys(artifact.template.Resources ?? {}));
  if (notSynthesized.length > 0) await checkRemovedLogicalIds(ctx, plan, notSynthesized);
  const deployment = await deploymentSummary(env);
  const base = { ok: true as const, environment: env.name, stack: env.names.stack, checks: plan.checks.records, image: plan.image.plan, template: templatePlan(synth), ...(deployment ? { deployment } : {}) };
  const firstDeployNext = plan.image.plan.source === 'none' ? [`tapctl push-image --env ${env.name}`, `tapctl deploy --env ${env.name}`] : [];

  if (options.dryRun) {
    // The plan: what would be deployed and, when AWS could be asked, how it differs from what runs.
    let changes: ChangeSummary | undefined;
    // Without a resolved image the synthesized template has the placeholder: a diff of it would mislead.
    if (access.awsChecked && access.condition?.kind === 'ready' && plan.image.plan.source !== 'unresolved') changes = (await templateChanges(ctx, env, synth, 'template-only')).summary;
    const failure = plan.checks.failure;
    const result: DeployResult = { ...base, status: 'planned', ...(changes ? { changes } : {}), durationMs: Date.now() - started, next: dryRunNext(env, plan, options.rollback ? 'rollback' : 'deploy') };
    if (!failure) return finish(result);
    // Show the plan, then fail with the first failed check. With --json the checks are already on stdout as
    // `check` events and the failure is the stream's one `result` line, written by the error reporting.
    if (!ctx.io.json) ctx.io.result(result, (await import('./results.js')).renderDeploy);
    throw failure;
  }

  if (access.condition?.kind === 'failed-create') await confirmRecreate(ctx, env, access.condition.stack.StackStatus ?? 'ROLLBACK_COMPLETE');
  // A blue-green, canary or linear rollout is followed to ECS's verdict when the change starts one (service-rollout.ts).
  const follower = options.wait !== false && access.condition?.kind === 'ready' ? await rolloutFollower(ctx, clients, plan) : undefined;
  let seen: RolloutSeen | undefined;
  let rolledBack: ServiceDeploymentVerdict | undefined;
  let trafficRepair: TrafficRepair | undefined;
  const ledger = options.rollback ? undefined : await deployRecord(ctx, clients, plan, () => seen);
  const record = async (outcome: DeployOutcome) => {
    if (options.rollback) {
      // Rollback records its own release; it needs the task definition the stack runs now to wait for ECS.
      const arn = outcome === 'deployed' || outcome === 'no-changes' ? await taskDefinitionArnOf(ctx, clients, plan) : undefined;
      return arn ? { taskDefinitionArn: arn } : {};
    }
    if (!ledger) return {};
    try {
      const release = outcome === 'started' ? await ledger.record.started() : await ledger.record.finished(outcome);
      if (release && release.outcome !== plan.image.current?.outcome) ctx.io.info(`release ${release.id} is ${release.outcome}${release.rollout ? `, rollout ${release.rollout}` : ''} (${release.parameter})`);
      const arn = ledger.taskDefinitionArn();
      return { ...(release ? { release } : {}), ...(arn ? { taskDefinitionArn: arn } : {}) };
    } catch (e) {
      if (outcome === 'failed' || !isTapctlError(e)) throw e;
      const done = outcome === 'started' ? `started the deploy of ${env.names.stack}` : `${env.names.stack} is ${outcome === 'deployed' ? 'deployed' : 'up to date'}`;
      throw new OperationError(`${done}, but the release ledger could not record it: ${e.message}`, { code: e.code, hint: e.hint, cause: e });
    }
  };

  if (access.stack && access.condition?.kind === 'ready' && isUnchanged(access.stack, artifact, await plan.deployedTemplate())) {
    phase(ctx, 'done', 'no changes');
    const outputs = stackOutputs(access.stack);
    const outputsFiles = writeOutputs(projectDir, env.name, outputs, options.outputsFile, ctx.cwd);
    const release = await record('no-changes');
    return finish({ ...base, status: 'no-changes', ...release, outputs, outputsFiles, durationMs: Date.now() - started, next: firstDeployNext.slice(0, 1) });
  }

  const wait = options.wait !== false;
  if (options.hotswap && env.kind === 'production') {
    throw new RefusedError(`refusing to hotswap '${env.name}': it is a production environment`, { hint: 'production changes go through CloudFormation: drop --hotswap' });
  }
  let run: Awaited<ReturnType<typeof runChangeSet>>;
  try {
    run = await runChangeSet(ctx, {
      env,
      synth,
      clients,
      wait,
      hotswap: Boolean(options.hotswap),
      allowReplace,
      ...(options.rollback ? { approvalSubject: options.rollback.subject, verb: 'rollback' as const } : {}),
      // The ledger hears of a new image before CloudFormation runs it (record.ts).
      onApproved: async () => {
        follower?.start();
        try {
          if (options.rollback) await options.rollback.onStarted?.();
          else await ledger?.record.started();
        } catch (e) {
          if (!isTapctlError(e)) throw e;
          throw new OperationError(`${e.message}; nothing was deployed: the ledger hears of a new image before CloudFormation runs it`, { code: e.code, hint: e.hint, cause: e });
        }
      },
      onFailed: async () => {
        // Did ECS roll the release back (an alarm fired), and CloudFormation fail because of it? Then that is the failure.
        const verdict = await follower?.settle();
        if (verdict && verdict.outcome !== 'succeeded') [rolledBack, seen] = [verdict, { rollout: 'failed', alarms: verdict.alarms }];
        // CloudFormation's rollback restores the previous template's weights, which may name the group without tasks.
        trafficRepair = await afterRollback(ctx, clients, env);
        const failed = options.rollback ? (seen && options.rollback.onRolloutFailed ? options.rollback.onRolloutFailed(seen) : options.rollback.onFailed?.()) : record('failed');
        await failed?.catch((e: unknown) => ctx.io.warn(`the release ledger could not record the failure: ${(e as Error).message}`));
      },
    });
  } catch (e) {
    follower?.cancel();
    // Ctrl-C or a CI time-out while CloudFormation works: say what the ledger now tells the next deploy.
    const next = options.rollback ? options.rollback.nextRun?.() : ledger?.record.nextRun();
    if (e instanceof InterruptedError && next) throw new InterruptedError(`${e.message}; ${next}`, { ...(e.hint ? { hint: e.hint } : {}), cause: e });
    const error = rolledBack ? rolloutError(env, rolledBack, e) : e;
    throw trafficRepair ? withTrafficRepair(error, trafficRepair) : error;
  }
  const changes = run.summary ? { changes: run.summary } : {};
  if (run.noOp) {
    follower?.cancel();
    const outputsFiles = writeOutputs(projectDir, env.name, run.outputs, options.outputsFile, ctx.cwd);
    const release = await record('no-changes');
    return finish({ ...base, status: 'no-changes', ...release, outputs: run.outputs, outputsFiles, durationMs: Date.now() - started, next: firstDeployNext.slice(0, 1) });
  }
  if (!wait) {
    // Recorded as started when approved; a hotswap's fallback may not have asked, so once more (idempotent).
    const release = await record('started');
    return finish({
      ...base,
      status: 'started',
      ...changes,
      ...release,
      durationMs: Date.now() - started,
      next: [`tapctl status --env ${env.name} --watch   (follow the deploy; the next tapctl deploy writes the outputs)`],
    });
  }
  const rollout = follower?.started ? await followToVerdict(ctx, env, follower, options, record, (s) => (seen = s)) : undefined;
  const outputsFiles = writeOutputs(projectDir, env.name, run.outputs, options.outputsFile, ctx.cwd);
  const release = await record('deployed');
  phase(ctx, 'done', 'deployed');
  return finish({ ...base, status: 'deployed', ...changes, ...release, ...(rollout ? { rollout } : {}), outputs: run.outputs, outputsFiles, durationMs: Date.now() - started, next: firstDeployNext });
}

/** A follower when the environment deploys gradually and this change starts a service deployment. */
async function rolloutFollower(ctx: CommandContext, clients: AwsClients, plan: DeployPlan) {
  const { rolloutTiming, RolloutFollower } = await import('./service-rollout.js');
  if (!rolloutTiming(plan.env)) return undefined;
  const { startsServiceDeployment } = await import('./traffic-checks.js');
  if (!startsServiceDeployment(await plan.deployedTemplate(), plan.artifact.template)) return undefined;
  return new RolloutFollower(ctx, clients, plan.env, { pollMs: pollIntervalMs(ctx, 15_000) });
}

/**
 * CloudFormation finished: ECS's verdict on the rollout. Rolled back or stopped: recorded failed (with the alarms
 * that fired) and exit 1. Stuck or interrupted: CloudFormation's `deployed` is recorded, and the error says ECS goes on.
 */
async function followToVerdict(
  ctx: CommandContext,
  env: ResolvedEnvironment,
  follower: NonNullable<Awaited<ReturnType<typeof rolloutFollower>>>,
  options: DeployOptions,
  record: (outcome: DeployOutcome) => Promise<unknown>,
  setSeen: (seen: RolloutSeen) => void,
): Promise<{ strategy: string; serviceDeployment?: string; outcome: 'succeeded' | 'unknown' } | undefined> {
  const { strategyOf } = await import('../config/deployment.js');
  // Not phase(): its Ctrl-C check says "nothing was changed", and CloudFormation has changed the stack by now.
  const message = `following the ${strategyOf(env)} rollout of ${env.names.ecsService} ...`;
  ctx.io.event({ type: 'phase', phase: 'rollout', message });
  ctx.io.info(message);
  try {
    const v = await follower.verdict();
    if (!v) {
      ctx.io.debug('ECS started no service deployment: nothing to follow');
      return undefined;
    }
    setSeen({ rollout: 'healthy' });
    return { strategy: strategyOf(env), serviceDeployment: v.arn, outcome: 'succeeded' };
  } catch (e) {
    let write: Promise<unknown> | undefined;
    if (e instanceof OperationError && e.code === 'rollout-failed') {
      const failed: RolloutSeen = { rollout: 'failed', alarms: ((e.details ?? {}) as { alarms?: readonly string[] }).alarms ?? [] };
      setSeen(failed);
      write = options.rollback ? options.rollback.onRolloutFailed?.(failed) : record('failed');
    } else if (!options.rollback) {
      // Stuck, interrupted, or ECS unreadable: CloudFormation did finish the update; nothing is claimed of ECS.
      write = record('deployed');
    }
    await write?.catch((x: unknown) => ctx.io.warn(`the release ledger could not record the rollout: ${(x as Error).message}`));
    if (!isTapctlError(e) || e instanceof InterruptedError || e.code === 'rollout-failed' || e.code === 'rollout-stuck') throw e;
    // ECS could not be read (denied, a proxy, an emulator without the API): the stack WAS updated; only ECS's
    // verdict is unknown. Said as that, with its own code, never as a failed deploy (qa5 P2 #1).
    const what = `${env.names.stack} was updated (CloudFormation finished), but the ${strategyOf(env)} rollout's verdict is unknown: ${e.message}`;
    const hint = `follow the rollout with tapctl status --env ${env.name} --watch${e.hint ? `; ${e.hint}` : ''}`;
    if (env.endpoint) {
      // An emulated environment (validate's DP9 warns): emulators do not implement the service deployment API.
      ctx.io.warn(`${what} (an emulator may not implement ECS's service deployments)`);
      return { strategy: strategyOf(env), outcome: 'unknown' };
    }
    throw new OperationError(what, { code: 'rollout-unknown', hint, cause: e, details: { stack: env.names.stack, stackUpdated: true, strategy: strategyOf(env) } });
  }
}

/** The traffic repair of a gradual environment whose change failed (traffic-repair.ts), said as it happens. */
async function afterRollback(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment): Promise<TrafficRepair | undefined> {
  const { deploymentOf } = await import('../config/deployment.js');
  if (!deploymentOf(env)?.alternateTargetGroup) return undefined;
  const { repairTrafficAfterRollback } = await import('./traffic-repair.js');
  const repair = await repairTrafficAfterRollback(clients, env);
  if (!repair) return undefined;
  ctx.io.event({ type: 'traffic', action: repair.action, ...(repair.from ? { from: repair.from } : {}), ...(repair.to ? { to: repair.to } : {}), ...(repair.healthy ? { healthy: repair.healthy } : {}), message: repair.message });
  ctx.io.warn(repair.message);
  return repair;
}

/** The deploy's failure with what tapctl found (and did) about the production rule's traffic after it. */
function withTrafficRepair(e: unknown, repair: TrafficRepair): unknown {
  if (!isTapctlError(e)) return e;
  const details = { ...((e.details as Record<string, unknown> | undefined) ?? {}), traffic: { action: repair.action, ...(repair.from ? { from: repair.from } : {}), ...(repair.to ? { to: repair.to } : {}), ...(repair.healthy ? { healthy: repair.healthy } : {}) } };
  // The error is this deploy's own, made a moment ago: said once, with the traffic, rather than wrapped.
  return Object.assign(e, { message: `${e.message}; ${repair.message}`, details });
}

/** CloudFormation failed because ECS rolled the release back: the rollback, naming its alarms, is the failure. */
function rolloutError(env: ResolvedEnvironment, v: ServiceDeploymentVerdict, cause: unknown): Error {
  const names = { cluster: env.names.ecsCluster, service: env.names.ecsService };
  return Object.assign(verdictErrorOf(names, v), { cause });
}

/**
 * What to run after a dry run, in order: bootstrap when the account needs it (or when it could not be checked,
 * saying so), the deploy, and for a first deploy of a service the image push. Nothing when another check failed:
 * that failure's hint comes first.
 */
function dryRunNext(env: ResolvedEnvironment, plan: DeployPlan, verb: 'deploy' | 'rollback'): string[] {
  const checks = plan.checks.records;
  // Failures that tapctl bootstrap fixes: the CDK bootstrap itself, and the account singletons it creates.
  const fixedByBootstrap = (c: { name: string }) => c.name === 'bootstrap' || String((plan.checks.errors.get(c.name)?.details as { fixedBy?: unknown } | undefined)?.fixedBy ?? '').startsWith('tapctl bootstrap');
  if (checks.some((c) => c.status === 'fail' && !fixedByBootstrap(c))) return [];
  const bootstrap = checks.find((c) => c.name === 'bootstrap');
  const next: string[] = [];
  if (checks.some((c) => c.status === 'fail')) next.push(`tapctl bootstrap --env ${env.name}`);
  else if (bootstrap?.status === 'skip') next.push(`tapctl bootstrap --env ${env.name}   (once per account and region: not checked, ${bootstrap.detail ?? 'skipped'})`);
  next.push(`tapctl ${verb} --env ${env.name}`);
  const firstDeploy = plan.access.condition?.kind !== 'ready';
  if (verb === 'deploy' && firstDeploy && plan.image.plan.source === 'none') next.push(`tapctl push-image --env ${env.name} --deploy`);
  return next;
}

function stackWaitMs(flag: boolean | string | undefined): number | undefined {
  if (flag === undefined || flag === false) return undefined;
  const minutes = flag === true ? DEFAULT_STACK_WAIT_MINUTES : Number(flag);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new UsageError(`--wait-for-stack takes minutes (a positive number), got ${quote(flag)}`);
  return minutes * 60_000;
}

/**
 * The --allow-replace IDs the synthesized template does not have must be resources the deploy removes, i.e. in
 * the deployed template; any other is refused (exit 2). A dry run without usable credentials cannot tell, and
 * says so.
 */
async function checkRemovedLogicalIds(ctx: CommandContext, plan: DeployPlan, ids: readonly string[]): Promise<void> {
  const { env, access } = plan;
  const synthesized = Object.keys(plan.artifact.template.Resources ?? {});
  if (!access.awsChecked) {
    ctx.io.warn(`--allow-replace ${ids.join(', ')}: not in the synthesized ${env.names.stack}, and the deployed stack could not be read (${access.skipReason ?? 'no credentials'}): not checked`);
    return;
  }
  const deployed = Object.keys((await plan.deployedTemplate())?.Resources ?? {});
  const unknown = unknownLogicalIds(ids, deployed);
  if (unknown.length > 0) throw unknownLogicalIdsError(unknown, [...new Set([...synthesized, ...deployed])], env.names.stack, env.name);
}

/** A stack whose first create failed is deleted before it is created again: only with the person's consent. */
async function confirmRecreate(ctx: CommandContext, env: ResolvedEnvironment, status: string): Promise<void> {
  const what = `stack ${env.names.stack} is ${status} (its first create failed); it must be deleted before it can be created again`;
  if (ctx.globals.yes) {
    ctx.io.warn(`${what}: deleting it (--yes)`);
    return;
  }
  if (!ctx.interactive) throw new RefusedError(what, { hint: 'pass --yes to delete it and create it again' });
  ctx.io.warn(what);
  const ok = await ctx.prompter.confirm({ message: `Delete the failed stack ${env.names.stack} and create it again?`, default: false });
  if (!ok) throw new RefusedError(`${env.names.stack} left as it is; nothing was changed`);
}
