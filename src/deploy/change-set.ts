/**
 * The change set of a deploy: toolkit-lib publishes the assets and creates it, tapctl shows it, applies its
 * refusals and asks for approval (I5060), then toolkit-lib executes and watches it.
 */
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, type TapctlError } from '../cli/errors.js';
import type { AwsClients } from '../aws/clients.js';
import { deleteChangeSet, executeChangeSet, withdrawChangeSet } from '../aws/stack-details.js';
import { readStackAfter } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { CfnTemplate } from '../synth/physical-names.js';
import type { SynthResult } from '../synth/synthesize.js';
import { askApproval, destructiveRefusal } from './approval.js';
import { markChangeSetHasChanges, reportChanges, summarizeChanges, withTemplateDifferences, type ChangeSummary, type TemplateDiffLike, type TemplateLike } from './change-summary.js';
import { awsFailureIn, explainFailure, rootCause } from './failure.js';
import { phase } from './phase.js';
import { ProgressRenderer } from './progress.js';
import { ToolkitIoHost } from './toolkit-io.js';
import { interruptible, pollIntervalMs, withToolkit } from './toolkit-session.js';

/** The change set tapctl creates (and, with --no-wait, executes itself). */
export const CHANGE_SET_NAME = 'tapctl-deploy';

export interface ChangeSetRun {
  readonly env: ResolvedEnvironment;
  readonly synth: SynthResult;
  readonly clients: AwsClients;
  /** false: execute the change set and return without watching (--no-wait). */
  readonly wait: boolean;
  readonly hotswap: boolean;
  readonly allowReplace: readonly string[];
  /** What is asked at approval, when not a plain deploy (rollback: "Roll back 'dev' to release 000041"). */
  readonly approvalSubject?: string;
  /** The verb refusals and the approval name: deploy (default) or rollback. */
  readonly verb?: 'deploy' | 'rollback';
  /**
   * Called once the change is approved, before CloudFormation executes it: the release ledger records what the
   * deploy is about to run, so that an interrupted deploy never leaves the ledger behind CloudFormation. A throw
   * stops the deploy before anything changed (the change set is deleted).
   */
  readonly onApproved?: () => Promise<void>;
  /**
   * Called when the approved change failed (CloudFormation rolled it back, or AWS refused its execution), before
   * the error is thrown: the release ledger records the failure. Not for refusals or Ctrl-C.
   */
  readonly onFailed?: () => Promise<void>;
}

export interface ChangeSetOutcome {
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
export async function runChangeSet(ctx: CommandContext, run: ChangeSetRun): Promise<ChangeSetOutcome> {
  const { env, synth, clients, wait, hotswap, allowReplace } = run;
  const progress = new ProgressRenderer(ctx, 'deploying', env.names.stack);
  let summary: ChangeSummary | undefined;
  let refusal: TapctlError | undefined;
  /** The ledger could not record the approved change: it is not made. */
  let notRecorded: unknown;
  let approved = false;
  let noOp = false;
  const ioHost = new ToolkitIoHost(ctx, {
    progress,
    onStackResult: (r) => (noOp = Boolean(r.noOp)),
    approveDeploy: async (request) => {
      // toolkit-lib's verdict on IAM / security-group changes is the one shown and asked about.
      // Asked at all, the change set changes the stack (toolkit-lib skips the question for an empty one): when
      // CloudFormation itemized no resource change, the summary says so instead of "0 changes".
      summary = markChangeSetHasChanges({ ...summarizeChanges(request.templateDiffs as Record<string, TemplateDiffLike>), permissionChange: request.permissionChangeType });
      if (summary.changes.length === 0) summary = await knownFromTemplates(summary);
      phase(ctx, 'approval', 'the change needs approval');
      reportChanges(ctx, env.names.stack, summary);
      if (summary.permissionChange !== 'none' && !ctx.io.json) ctx.io.line(securityDiff(request.message));
      refusal = destructiveRefusal(summary, allowReplace, env.name, run.verb) ?? (await replacedExportsRefusal(summary)) ?? (await askApproval(ctx, env, summary, run.approvalSubject, run.verb));
      if (!refusal && run.onApproved) {
        try {
          await run.onApproved();
        } catch (e) {
          notRecorded = e;
        }
      }
      approved = !refusal && notRecorded === undefined;
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
    progress.flush();
    outputs = result.stacks[0]?.outputs ?? {};
  } catch (e) {
    progress.flush();
    if (refusal) throw refusal;
    if (notRecorded !== undefined) throw notRecorded;
    // Ctrl-C at the approval: the change set exists and was not executed. Withdrawn as a "no" is (toolkit-lib
    // deletes a declined one, and a new stack with it), so nothing is left in review.
    if (summary && !approved && (e instanceof InterruptedError || ctx.signal.aborted)) throw await withdrawn();
    const error = await explainDeployFailure(e);
    if (approved && !(error instanceof InterruptedError)) await run.onFailed?.();
    throw error;
  }
  if (!wait) {
    // A change set that changes nothing stays in review when not executed: remove it instead.
    if (noOp) await deleteChangeSet(clients, env.names.stack, CHANGE_SET_NAME);
    else await executeChangeSet(clients, env.names.stack, CHANGE_SET_NAME);
  }
  return { noOp, summary, outputs };

  /**
   * An export whose value names a resource this change set replaces changes with it: refused like a changed
   * export when another stack imports it (exports.ts); not asked when nothing is replaced.
   */
  async function replacedExportsRefusal(s: ChangeSummary): Promise<TapctlError | undefined> {
    const replaced = s.changes.filter((c) => c.kind === 'replace').map((c) => c.logicalId);
    if (replaced.length === 0) return undefined;
    const { exportsOfReplaced, importersOf, importedExportsRefusal } = await import('./exports.js');
    const { readStackArtifact } = await import('./assembly.js');
    const where = { account: env.account, region: env.region, stackName: env.names.stack };
    const changed = exportsOfReplaced(readStackArtifact(synth).template as CfnTemplate, replaced, where);
    if (changed.length === 0) return undefined;
    const read = await importersOf(clients, changed);
    if (read.unchecked.length > 0) ctx.io.warn(`${read.unchecked.join(', ')} change with a replaced resource; who imports them could not be read (${read.reason})`);
    return read.imported.length > 0 ? importedExportsRefusal(env.name, env.names.stack, read.imported, 'deploy') : undefined;
  }

  /** With nothing itemized, what the deployed and the new template show (a failed read leaves the summary as it is: incomplete). */
  async function knownFromTemplates(s: ChangeSummary): Promise<ChangeSummary> {
    const { deployedTemplate } = await import('../aws/stack-details.js');
    const { readStackArtifact } = await import('./assembly.js');
    try {
      const before = await deployedTemplate(clients, env.names.stack);
      return before ? withTemplateDifferences(s, before as TemplateLike, readStackArtifact(synth).template as TemplateLike) : s;
    } catch (e) {
      if (!isTapctlError(e) || e instanceof InterruptedError) throw e;
      ctx.io.warn(`the deployed template could not be read to say what this change holds (${e.message})`);
      return s;
    }
  }

  /** The interruption, after withdrawing the change set that was waiting for approval; it says what is left. */
  async function withdrawn(): Promise<InterruptedError> {
    try {
      const { stackDeleted } = await withdrawChangeSet(clients, stack, CHANGE_SET_NAME);
      return new InterruptedError(`interrupted at the approval; nothing was changed: change set ${CHANGE_SET_NAME} ${stackDeleted ? `and the new, empty stack ${stack} were` : 'was'} deleted`);
    } catch (cleanup) {
      const why = cleanup instanceof Error ? cleanup.message : String(cleanup);
      return new InterruptedError(`interrupted at the approval; nothing was deployed, but change set ${CHANGE_SET_NAME} of ${stack} is left in review (${why})`, {
        hint: `the next deploy replaces it; or delete it: aws cloudformation delete-change-set --stack-name ${stack} --change-set-name ${CHANGE_SET_NAME} --region ${env.region}`,
      });
    }
  }

  async function explainDeployFailure(e: unknown): Promise<TapctlError> {
    if (isTapctlError(e)) return e;
    // An AWS failure before CloudFormation reported any resource failure (assets denied, credentials expired,
    // AWS unreachable) is explained as such; a failed deployment by its root cause.
    const aws = rootCause(progress.events) ? undefined : awsFailureIn(e, doing());
    if (aws) return aws;
    const stackAfter = await readStackAfter(clients, env.names.stack);
    return explainFailure({ operation: 'deploy', stackName: env.names.stack, envName: env.name, region: env.region, events: progress.events, error: e, stackAfter }).error;
  }
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
