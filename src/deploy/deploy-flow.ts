/**
 * `tapctl deploy`: synthesize, preflight, then toolkit-lib's change-set deploy with tapctl's approval, live
 * progress and failure explanation. Loaded only when deploy runs.
 */
import { quote } from '../cli/quote.js';
import { dirname } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { PRESET_PARTS } from '../config/presets/index.js';
import { InterruptedError, RefusedError, UsageError, isTapctlError, type TapctlError } from '../cli/errors.js';
import { loadProject, relativeName, selectEnvironment } from '../cli/project.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import { deleteChangeSet, deployedTemplate, executeChangeSet } from '../aws/stack-details.js';
import { describeStack, stackOutputs } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { assemblyDir } from '../state/work-dir.js';
import { synthesize, type SynthResult } from '../synth/synthesize.js';
import { checkAllowReplaceValues, unknownLogicalIds, unknownLogicalIdsError } from './allow-replace.js';
import { askApproval, destructiveRefusal, refuseWithoutApprover } from './approval.js';
import { readStackArtifact, type StackArtifactInfo } from './assembly.js';
import { reportChanges, summarizeChanges, type ChangeSummary, type TemplateDiffLike } from './change-summary.js';
import { templateChanges } from './diff-flow.js';
import { awsFailureIn, explainFailure, rootCause } from './failure.js';
import { resolveImage } from './image.js';
import { isUnchanged } from './no-change.js';
import { writeOutputs } from './outputs.js';
import { preflight, type PreflightResult } from './preflight.js';
import { formatElapsed, ProgressRenderer } from './progress.js';
import { finishStream, renderDeploy, templatePlan, type DeployResult } from './results.js';
import { ToolkitIoHost } from './toolkit-io.js';
import { interruptible, pollIntervalMs, withToolkit } from './toolkit-session.js';

export interface DeployOptions {
  readonly dryRun?: boolean;
  /** false with --no-wait. */
  readonly wait?: boolean;
  /** --wait-for-stack [minutes]: true without a value. */
  readonly waitForStack?: boolean | string;
  readonly allowReplace?: string[];
  readonly outputsFile?: string;
  /**
   * Hotswap what can be hotswapped (the ECS task definition's image) and fall back to the change set for the
   * rest; push-image --deploy --hotswap. Never for production: CloudFormation stays its source of truth.
   */
  readonly hotswap?: boolean;
}

/** The change set tapctl creates (and, with --no-wait, executes itself). */
export const CHANGE_SET_NAME = 'tapctl-deploy';
const DEFAULT_STACK_WAIT_MINUTES = 30;

export async function runDeploy(ctx: CommandContext, options: DeployOptions): Promise<DeployResult | undefined> {
  const started = Date.now();
  const allowReplace = options.allowReplace ?? [];
  checkAllowReplaceValues(allowReplace);
  const waitForStackMs = stackWaitMs(options.waitForStack);
  const loaded = await loadProject(ctx);
  const selected = selectEnvironment(ctx, loaded);
  // Without --yes and without a terminal nobody can approve the change: say so now, not after synthesis,
  // preflight and asset publishing.
  if (!options.dryRun) refuseWithoutApprover(ctx, selected.name);
  for (const w of loaded.warnings) ctx.io.warn(`${w.path}  ${w.message}`);
  const projectDir = dirname(loaded.path);
  const { env, image } = resolveImage(selected, projectDir, (m) => ctx.io.warn(m));

  phase(ctx, 'synth', `synthesizing ${env.names.stack} ...`);
  const synth = await synthesize(env, { outDir: assemblyDir(projectDir, env.name), onCacheProblem: (m) => ctx.io.warn(m) });
  ctx.io.info(`synthesized ${synth.stackName}: ${synth.resourceCount} resources (${synth.cached ? 'cached' : formatElapsed(synth.durationMs)})`);
  const artifact = readStackArtifact(synth);
  // --allow-replace names resources of this stack; the ones not in the synthesized template may be removals,
  // which only the deployed template can confirm (after preflight has checked the account).
  const notSynthesized = unknownLogicalIds(allowReplace, Object.keys(artifact.template.Resources ?? {}));
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));

  phase(ctx, 'preflight', 'checking before anything changes');
  const pre = await preflight(ctx, {
    env,
    configFile: relativeName(ctx, loaded.path),
    image,
    artifact,
    clients,
    dryRun: Boolean(options.dryRun),
    waitForStackMs,
    pollMs: pollIntervalMs(ctx, 10_000),
  });
  if (notSynthesized.length > 0) await checkRemovedLogicalIds(ctx, { env, clients, artifact, pre, ids: notSynthesized });
  const base = { ok: true as const, environment: env.name, stack: env.names.stack, checks: pre.checks, image, template: templatePlan(synth) };
  const firstDeployNext = image.source === 'none' && PRESET_PARTS[env.preset].service ? [`tapctl push-image --env ${env.name}`, `tapctl deploy --env ${env.name}`] : [];

  if (options.dryRun) {
    // The plan: what would be deployed and, when AWS could be asked, how it differs from what runs.
    let changes: ChangeSummary | undefined;
    if (pre.awsChecked && pre.condition?.kind === 'ready') changes = await templateChanges(ctx, env, synth, 'template-only');
    const result: DeployResult = { ...base, status: 'planned', ...(changes ? { changes } : {}), durationMs: Date.now() - started, next: dryRunNext(env, pre, image) };
    if (!pre.failure) return finishStream<DeployResult>(ctx, result);
    // Show the plan, then fail with the first failed check. With --json the checks are already on stdout as
    // `check` events and the failure is the stream's one `result` line, written by the error reporting.
    if (!ctx.io.json) ctx.io.result(result, renderDeploy);
    throw pre.failure;
  }

  if (pre.condition?.kind === 'failed-create') await confirmRecreate(ctx, env, pre.condition.stack.StackStatus ?? 'ROLLBACK_COMPLETE');

  if (pre.stack && pre.condition?.kind === 'ready' && (await isUnchanged(clients, pre.stack, artifact))) {
    phase(ctx, 'done', 'no changes');
    const outputs = stackOutputs(pre.stack);
    const outputsFiles = writeOutputs(projectDir, env.name, outputs, options.outputsFile, ctx.cwd);
    return finishStream<DeployResult>(ctx, { ...base, status: 'no-changes', outputs, outputsFiles, durationMs: Date.now() - started, next: firstDeployNext.slice(0, 1) });
  }

  const wait = options.wait !== false;
  if (options.hotswap && env.kind === 'production') {
    throw new RefusedError(`refusing to hotswap '${env.name}': it is a production environment`, { hint: 'production changes go through CloudFormation: drop --hotswap' });
  }
  const run = await runChangeSet(ctx, { env, synth, clients, wait, hotswap: Boolean(options.hotswap), allowReplace });
  const changes = run.summary ? { changes: run.summary } : {};
  if (run.noOp) {
    const outputs = run.outputs;
    const outputsFiles = writeOutputs(projectDir, env.name, outputs, options.outputsFile, ctx.cwd);
    return finishStream<DeployResult>(ctx, { ...base, status: 'no-changes', outputs, outputsFiles, durationMs: Date.now() - started, next: firstDeployNext.slice(0, 1) });
  }
  if (!wait) {
    return finishStream<DeployResult>(ctx, {
      ...base,
      status: 'started',
      ...changes,
      durationMs: Date.now() - started,
      next: [`tapctl status --env ${env.name} --watch   (follow the deploy; the next tapctl deploy writes the outputs)`],
    });
  }
  const outputsFiles = writeOutputs(projectDir, env.name, run.outputs, options.outputsFile, ctx.cwd);
  phase(ctx, 'done', 'deployed');
  return finishStream<DeployResult>(ctx, { ...base, status: 'deployed', ...changes, outputs: run.outputs, outputsFiles, durationMs: Date.now() - started, next: firstDeployNext });
}

interface ChangeSetRun {
  readonly env: ResolvedEnvironment;
  readonly synth: SynthResult;
  readonly clients: AwsClients;
  /** false: execute the change set and return without watching (--no-wait). */
  readonly wait: boolean;
  readonly hotswap: boolean;
  readonly allowReplace: readonly string[];
}

interface ChangeSetOutcome {
  /** CloudFormation found nothing to change. */
  readonly noOp: boolean;
  readonly summary?: ChangeSummary;
  /** After a watched deploy (or a no-op): every output of the stack. */
  readonly outputs: Record<string, string>;
}

/**
 * The change set: toolkit-lib publishes the assets and creates it, tapctl shows and approves it (I5060), then
 * toolkit-lib executes and watches it. With --no-wait toolkit-lib only creates it (toolkit-lib has no
 * fire-and-forget deploy) and tapctl executes it and returns.
 */
async function runChangeSet(ctx: CommandContext, { env, synth, clients, wait, hotswap, allowReplace }: ChangeSetRun): Promise<ChangeSetOutcome> {
  const progress = new ProgressRenderer(ctx, 'deploying', env.names.stack);
  let summary: ChangeSummary | undefined;
  let refusal: TapctlError | undefined;
  let approved = false;
  let noOp = false;
  const ioHost = new ToolkitIoHost(ctx, {
    progress,
    onStackResult: (r) => (noOp = Boolean(r.noOp)),
    approveDeploy: async (request) => {
      // toolkit-lib's verdict on IAM / security-group changes is the one shown and asked about.
      summary = { ...summarizeChanges(request.templateDiffs as Record<string, TemplateDiffLike>), permissionChange: request.permissionChangeType };
      phase(ctx, 'approval', 'the change needs approval');
      reportChanges(ctx, env.names.stack, summary);
      if (summary.permissionChange !== 'none' && !ctx.io.json) ctx.io.line(securityDiff(request.message));
      refusal = destructiveRefusal(summary, allowReplace, env.name) ?? (await askApproval(ctx, env, summary));
      approved = !refusal;
      if (approved) phase(ctx, 'deploy', wait ? 'deploying' : 'starting the deploy');
      return approved;
    },
  });

  phase(ctx, 'changeset', 'publishing assets and creating the change set');
  const stack = env.names.stack;
  const doing = () =>
    progress.monitoring ? `deploying ${stack}` : approved ? `starting the deploy of ${stack}` : `publishing the assets of ${stack} and creating its change set`;
  let outputs: Record<string, string>;
  try {
    const result = await withToolkit(
      ctx,
      env,
      ioHost,
      async (toolkit) => {
        const cx = await toolkit.fromAssemblyDirectory(synth.assemblyDir);
        const work = toolkit.deploy(cx, {
          deploymentMethod: hotswap
            ? { method: 'hotswap', fallback: { method: 'change-set', changeSetName: CHANGE_SET_NAME, execute: wait } }
            : { method: 'change-set', changeSetName: CHANGE_SET_NAME, execute: wait },
          stackEventPollingInterval: pollIntervalMs(ctx, 2_000),
        });
        return interruptible(ctx, work, () => interrupted(env, progress.monitoring));
      },
      {
        what: doing,
        whenSilent: () => (progress.monitoring ? `CloudFormation carries on with the deploy without tapctl: follow it with tapctl status --env ${env.name} --watch` : undefined),
      },
    );
    outputs = result.stacks[0]?.outputs ?? {};
  } catch (e) {
    if (refusal) throw refusal;
    if (isTapctlError(e)) throw e;
    // An AWS failure before CloudFormation reported any resource failure (assets denied, credentials expired,
    // AWS unreachable) is explained as such; a failed deployment by its root cause.
    const aws = rootCause(progress.events) ? undefined : awsFailureIn(e, doing());
    if (aws) throw aws;
    const stackAfter = await describeStack(clients, env.names.stack).catch(() => undefined);
    throw explainFailure({ operation: 'deploy', stackName: env.names.stack, envName: env.name, events: progress.events, error: e, stackAfter }).error;
  }
  if (!wait) {
    // A change set that changes nothing stays in review when not executed: remove it instead.
    if (noOp) await deleteChangeSet(clients, env.names.stack, CHANGE_SET_NAME);
    else await executeChangeSet(clients, env.names.stack, CHANGE_SET_NAME);
  }
  return { noOp, summary, outputs };
}

/**
 * One NDJSON `phase` event (--json) and a debug line; the human output has its own sections. A Ctrl-C that came
 * while the last step ran (SDK calls cannot be aborted) stops here, before anything changes.
 */
function phase(ctx: CommandContext, name: string, message: string): void {
  if (ctx.signal.aborted && name !== 'done') throw new InterruptedError('interrupted; nothing was changed');
  ctx.io.event({ type: 'phase', phase: name, message });
  ctx.io.debug(message);
}

/**
 * What to run after a dry run, in order: bootstrap when the account needs it (or when it could not be checked,
 * saying so), the deploy, and for a first deploy of a service the image push. Nothing when another check failed:
 * that failure's hint comes first.
 */
function dryRunNext(env: ResolvedEnvironment, pre: PreflightResult, image: { source: string }): string[] {
  if (pre.checks.some((c) => c.status === 'fail' && c.name !== 'bootstrap')) return [];
  const bootstrap = pre.checks.find((c) => c.name === 'bootstrap');
  const next: string[] = [];
  if (bootstrap?.status === 'fail') next.push(`tapctl bootstrap --env ${env.name}`);
  else if (bootstrap?.status === 'skip') next.push(`tapctl bootstrap --env ${env.name}   (once per account and region: not checked, ${bootstrap.detail ?? 'skipped'})`);
  next.push(`tapctl deploy --env ${env.name}`);
  const firstDeploy = !pre.stack || pre.condition?.kind !== 'ready';
  if (firstDeploy && image.source === 'none' && PRESET_PARTS[env.preset].service) next.push(`tapctl push-image --env ${env.name} --deploy`);
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
async function checkRemovedLogicalIds(
  ctx: CommandContext,
  { env, clients, artifact, pre, ids }: { env: ResolvedEnvironment; clients: AwsClients; artifact: StackArtifactInfo; pre: PreflightResult; ids: readonly string[] },
): Promise<void> {
  const synthesized = Object.keys(artifact.template.Resources ?? {});
  if (!pre.awsChecked) {
    ctx.io.warn(`--allow-replace ${ids.join(', ')}: not in the synthesized ${env.names.stack}, and the deployed stack could not be read (${pre.checks.find((c) => c.name === 'stack')?.detail ?? 'no credentials'}): not checked`);
    return;
  }
  const deployed = pre.stack ? Object.keys((await deployedTemplate(clients, pre.stack.StackId ?? env.names.stack))?.Resources ?? {}) : [];
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

/** toolkit-lib's question holds its formatted security diff first; the question itself goes. */
function securityDiff(message: string): string {
  return message.replace(/\n*\s*Stack includes[^\n]*Do you wish to deploy these changes\?\s*$/, '').trimEnd();
}

function interrupted(env: ResolvedEnvironment, running: boolean): InterruptedError {
  return running
    ? new InterruptedError(`stopped watching the deploy of ${env.names.stack}; CloudFormation carries on with it`, {
        hint: `follow it with tapctl status --env ${env.name} --watch`,
      })
    : new InterruptedError(`interrupted before CloudFormation started; a change set may be left in review (the next deploy replaces it)`, {
        hint: `see the stack with tapctl status --env ${env.name}`,
      });
}
