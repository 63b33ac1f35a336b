/**
 * `tapctl destroy`: deletes the environment's stack after a typed confirmation (production also needs --allow-production),
 * with live progress, then lists what the deletion kept and still costs money.
 */
import { dirname } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, OperationError, RefusedError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import { assertAccount, callerIdentity } from '../aws/identity.js';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { deployedTemplate, stackResources, type Template } from '../aws/stack-details.js';
import { describeStack, readStackAfter } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { assemblyDir } from '../state/work-dir.js';
import { synthesize } from '../synth/synthesize.js';
import { awsFailureIn, explainFailure, rootCause } from './failure.js';
import { ProgressRenderer } from './progress.js';
import { finishStream, type DestroyResult } from './results.js';
import { retainedResources, stillExisting } from './retained.js';
import { classifyStack } from './stack-state.js';
import { ToolkitIoHost } from './toolkit-io.js';
import { interruptible, pollIntervalMs, withToolkit } from './toolkit-session.js';

export interface DestroyOptions {
  /** --allow-production: required to destroy a production environment. */
  readonly allowProduction?: boolean;
  /** Internal, for env sweep: destroy this environment (a preview it found and derived) instead of selecting --env. */
  readonly environment?: ResolvedEnvironment;
}

export async function runDestroy(ctx: CommandContext, options: DestroyOptions): Promise<DestroyResult | undefined> {
  const started = Date.now();
  const loaded = await loadProject(ctx);
  const projectDir = dirname(loaded.path);
  const env = options.environment ?? (await selectEnvironment(ctx, loaded));
  const name = env.names.stack;
  if (env.kind === 'production' && !options.allowProduction) {
    throw new RefusedError(`'${env.name}' is a production environment: destroy refuses it without --allow-production`, {
      hint: `if you mean it: tapctl destroy --env ${env.name} --allow-production`,
    });
  }
  // Nobody can confirm without --yes or a terminal: refuse before any AWS call.
  if (!ctx.globals.yes && !ctx.interactive) throw noConfirmation(env);
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));
  const identity = await callerIdentity(clients);
  assertAccount(identity, env);

  const stack = await describeStack(clients, name);
  if (!stack) {
    return finishStream<DestroyResult>(ctx, { ok: true, environment: env.name, stack: name, status: 'not-deployed', retained: [], ...(await leftoverAppSecrets(clients, env)), durationMs: Date.now() - started });
  }
  if (classifyStack(stack).kind === 'busy') {
    throw new RefusedError(`stack ${name} is busy: ${stack.StackStatus}`, { hint: `wait for it (tapctl status --env ${env.name} --watch), then destroy` });
  }
  if (stack.EnableTerminationProtection) {
    throw new RefusedError(`stack ${name} has termination protection on`, {
      hint: `turn it off first (protection.terminationProtection: false, then tapctl deploy; or aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${name} --region ${env.region})`,
    });
  }
  const template = await deployedTemplate(clients, name);
  await refuseTakingAccountSingletons(clients, env, template);
  await refuseRemovingImportedExports(ctx, clients, env, stack);
  await confirmDestroy(ctx, env);

  // Read what the deletion keeps while the stack still says which physical resources those are.
  const kept = template ? retainedResources(template, await stackResources(clients, name)) : [];

  const synth = await synthesize(env, { outDir: assemblyDir(projectDir, env.name), onCacheProblem: (m) => ctx.io.warn(m) });
  if (ctx.signal.aborted) throw new InterruptedError('interrupted; nothing was changed');
  const progress = new ProgressRenderer(ctx, 'destroying', name);
  const ioHost = new ToolkitIoHost(ctx, { progress, destroyConfirmed: true });
  const what = `deleting stack ${name}`;
  try {
    await withToolkit(
      ctx,
      env,
      ioHost,
      async (toolkit) => {
        const cx = await toolkit.fromAssemblyDirectory(synth.assemblyDir);
        const work = toolkit.destroy(cx, { stackEventPollingInterval: pollIntervalMs(ctx, 2_000) });
        return interruptible(ctx, work, () => interruptedDestroy(env, progress.monitoring));
      },
      {
        what,
        whenSilent: () => (progress.monitoring ? `CloudFormation carries on with the deletion without tapctl: follow it with tapctl status --env ${env.name} --watch` : undefined),
      },
    );
  } catch (e) {
    progress.flush();
    if (isTapctlError(e)) throw e;
    const aws = rootCause(progress.events) ? undefined : awsFailureIn(e, what);
    if (aws) throw aws;
    const stackAfter = await readStackAfter(clients, name);
    throw explainFailure({ operation: 'destroy', stackName: name, envName: env.name, region: env.region, events: progress.events, error: e, stackAfter }).error;
  }
  progress.flush();
  const retained = await stillExisting(clients, kept);
  const ledgerEnded = await endLedger(clients, env, identity.arn);
  const appSecrets = await leftoverAppSecrets(clients, env);
  return finishStream<DestroyResult>(ctx, { ok: true, environment: env.name, stack: name, status: 'destroyed', retained, ...appSecrets, ...(ledgerEnded ? { ledgerEnded } : {}), ...(env.preview ? { preview: true } : {}), durationMs: Date.now() - started });
}

/**
 * The app secrets (`tapctl secrets set`) under the environment's prefix: they are not stack resources, so the
 * deletion leaves them, and each keeps costing money. Listed with the command that deletes each; a failed look-up
 * never fails a finished destroy (it says why instead).
 */
async function leftoverAppSecrets(clients: AwsClients, env: ResolvedEnvironment): Promise<Pick<DestroyResult, 'appSecrets' | 'appSecretsUncheckedBecause'>> {
  const { hasService } = await import('../release/running-image.js');
  if (!hasService(env)) return {};
  const { listAppSecrets } = await import('../secrets/store.js');
  try {
    const found = await listAppSecrets(clients, env);
    return {
      appSecrets: found.map((x) => ({
        name: x.name,
        secretName: x.secretName,
        state: x.deletionDate ? ('pending-deletion' as const) : ('exists' as const),
        deleteWith: `tapctl secrets unset --env ${env.name} ${x.name}`,
      })),
    };
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    return { appSecretsUncheckedBecause: e.message };
  }
}

/**
 * A stack deployed by an earlier tapctl may declare the account's API Gateway role; deleting it must not take
 * the role every other API of the region logs through (account-singletons.ts). Refused (exit 3) until
 * bootstrap has moved the setting.
 */
async function refuseTakingAccountSingletons(clients: AwsClients, env: ResolvedEnvironment, template: Template | undefined): Promise<void> {
  const { accountRoleRemovalRefusal, singletonsFor, stackAccountRole } = await import('./account-singletons.js');
  if (!stackAccountRole(template)) return;
  for (const { singleton } of singletonsFor(env)) {
    const refusal = accountRoleRemovalRefusal(env, await singleton.find(clients), template, 'destroy');
    if (refusal) throw refusal;
  }
}

/**
 * A deleted stack takes every export with it; CloudFormation refuses (DELETE_FAILED) while another stack imports
 * one. Asked before anything is deleted, refused (exit 3) naming the importers (exports.ts).
 */
async function refuseRemovingImportedExports(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment, stack: Stack): Promise<void> {
  const { allExports, importedExportsRefusal, importersOf } = await import('./exports.js');
  const exports = allExports(stack);
  if (exports.length === 0) return;
  const read = await importersOf(clients, exports);
  if (read.imported.length > 0) throw importedExportsRefusal(env.name, env.names.stack, read.imported, 'destroy');
  if (read.unchecked.length > 0) ctx.io.warn(`who imports the exports of ${env.names.stack} could not be read (${read.reason}): if a stack imports one, the deletion fails with "Export ... cannot be deleted as it is in use"`);
}

/**
 * The release ledger outlives the stack (its history is kept for audit) but is marked ended, so that a
 * re-created environment does not take the destroyed one's current release. Returns the ledger prefix.
 */
async function endLedger(clients: AwsClients, env: ResolvedEnvironment, by: string): Promise<string | undefined> {
  const { hasService } = await import('../release/running-image.js');
  if (!hasService(env)) return undefined;
  const { ledgerFor, markEnded } = await import('../release/ledger.js');
  const ledger = ledgerFor(env);
  try {
    await markEnded(clients, ledger, { at: new Date().toISOString(), by, stack: env.names.stack });
  } catch (e) {
    if (!isTapctlError(e)) throw e;
    throw new OperationError(`destroyed ${env.names.stack}, but its release ledger could not be marked ended: ${e.message}`, {
      code: e.code,
      hint: `${e.hint ? `${e.hint}; ` : ''}until it is, a re-created '${env.name}' would start from the destroyed one's current release if its image still exists`,
      cause: e,
    });
  }
  return ledger.prefix;
}

async function confirmDestroy(ctx: CommandContext, env: ResolvedEnvironment): Promise<void> {
  const what = `destroy ${env.names.stack} in ${env.account}/${env.region}`;
  if (ctx.globals.yes) {
    ctx.io.warn(`${what} (--yes)`);
    return;
  }
  if (!ctx.interactive) throw noConfirmation(env);
  const answer = await ctx.prompter.input({
    message: `This deletes every resource of '${env.name}' that is not retained. Type the environment name (${env.name}) to ${what}:`,
    validate: (v) => v.trim() === env.name || `type ${env.name} to confirm, or press Ctrl-C to stop`,
  });
  if (answer.trim() !== env.name) throw new RefusedError(`not confirmed; ${env.names.stack} was not touched`);
}

function noConfirmation(env: ResolvedEnvironment): RefusedError {
  return new RefusedError(`destroy ${env.names.stack} in ${env.account}/${env.region}: needs confirmation, and there is no terminal to ask; nothing was touched`, {
    hint: `pass --yes to confirm (in CI), or run tapctl destroy --env ${env.name} on a terminal`,
  });
}

function interruptedDestroy(env: ResolvedEnvironment, running: boolean): InterruptedError {
  return running
    ? new InterruptedError(`stopped watching the deletion of ${env.names.stack}; CloudFormation carries on with it`, {
        hint: `follow it with tapctl status --env ${env.name} --watch`,
      })
    : new InterruptedError('interrupted before the deletion started; nothing was changed');
}
