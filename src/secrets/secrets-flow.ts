/**
 * `tapctl secrets set|list|unset`: an environment's app secrets (store.ts), checked against the config that gives
 * them to the container (container.secrets) and against the tasks that run them. No value is ever read back.
 */
import type { CommandContext } from '../cli/context.js';
import { RefusedError, UsageError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { quote } from '../cli/quote.js';
import { readSettings } from '../cli/settings.js';
import type { AwsClients } from '../aws/clients.js';
import { APP_SECRET_NAME_RULE, appSecretName, appSecretPrefix, isAppSecretName, reservedSecretName } from '../config/app-secret-names.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { hasService } from '../release/running-image.js';
import type { RollResult } from './roll.js';
import { RECOVERY_WINDOW_DAYS, type AppSecretInfo } from './store.js';
import { readSecretValue, valueFromStdin } from './value-input.js';
import { loadSdk } from '../aws/sdk.js';
import { byName } from '../cli/plain-text.js';

export interface SetOptions {
  /** --deploy: roll the service so that its tasks read the new value. */
  readonly deploy?: boolean;
}

export interface SetResult {
  readonly action: 'set';
  readonly environment: string;
  readonly name: string;
  readonly secretName: string;
  readonly arn: string;
  /** unchanged: the current version already holds this value; no version was written. */
  readonly outcome: 'created' | 'updated' | 'restored' | 'unchanged';
  /** Why the value could not be compared with the current one (a new version was written anyway). */
  readonly notCompared?: string;
  readonly version?: string;
  readonly changedAt?: string;
  /** container.secrets names it: the service's tasks receive it. */
  readonly referenced: boolean;
  /** Running tasks that keep the value from before (without --deploy). */
  readonly staleTasks?: number;
  readonly rollout?: RollResult;
}

export interface ListedSecret extends Partial<AppSecretInfo> {
  readonly name: string;
  readonly referenced: boolean;
  /** set; missing: the config names it and it is not set; pending-deletion; unused: set, and the config does not name it. */
  readonly status: 'set' | 'missing' | 'pending-deletion' | 'unused';
  /** Why the container could never receive it (a name made outside tapctl), with how to delete it. */
  readonly nameProblem?: string;
}

export interface ListResult {
  readonly action: 'list';
  readonly environment: string;
  readonly prefix: string;
  readonly secrets: readonly ListedSecret[];
}

export interface UnsetOptions {
  /** --now: delete at once, without the recovery window. */
  readonly now?: boolean;
}

export interface UnsetResult {
  readonly action: 'unset';
  readonly environment: string;
  readonly name: string;
  readonly secretName: string;
  /** scheduled: recoverable until deletionDate. deleted: gone (--now). */
  readonly outcome: 'scheduled' | 'deleted' | 'already-scheduled';
  readonly deletionDate?: string;
}

/**
 * NAME as the container sees it: exit 2 for anything else. `set` (for: 'set') also refuses a name the config's
 * rule K1 refuses, in K1's words; `unset` takes those, so that a secret set under one can still be removed.
 */
export function checkSecretName(name: string, forSet = false): void {
  if (!isAppSecretName(name)) {
    throw new UsageError(`${quote(name)} is not a secret name: ${APP_SECRET_NAME_RULE}`, {
      hint: 'e.g. STRIPE_KEY; the container gets the value in the variable of that name',
    });
  }
  const reserved = forSet ? reservedSecretName(name) : undefined;
  if (reserved) throw new UsageError(`${reserved}, so the container could never receive it (the config's rule K1 refuses it in container.secrets)`, { hint: 'give the secret another name' });
}

/** Why a secret found under the prefix can never reach the container (made outside tapctl), or undefined. */
function nameProblem(name: string): string | undefined {
  if (!isAppSecretName(name)) return `its name is not ${APP_SECRET_NAME_RULE}`;
  return reservedSecretName(name);
}

interface Opened {
  readonly env: ResolvedEnvironment;
  readonly clients: AwsClients;
}

/** The environment, then (after the local checks of `before`) the account check: exit 3 for any other account. */
async function open(ctx: CommandContext, before?: (env: ResolvedEnvironment) => Promise<void> | void): Promise<Opened> {
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  if (!hasService(env)) throw new UsageError(`the ${env.preset} preset runs no container service: '${env.name}' has no app secrets`);
  await before?.(env);
  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const clients = new AwsClients(targetFor(env, ctx.globals.profile), { signal: ctx.signal });
  assertAccount(await callerIdentity(clients), env);
  return { env, clients };
}

export async function runSecretsSet(ctx: CommandContext, name: string, options: SetOptions): Promise<SetResult> {
  checkSecretName(name, true);
  let piped: string | undefined;
  const { env, clients } = await open(ctx, async (env) => {
    if (options.deploy && !env.container.secrets.includes(name)) {
      throw new UsageError(`--deploy rolls the service so that it reads ${name}, but container.secrets of '${env.name}' does not name it`, {
        hint: `add ${name} to container.secrets and run tapctl deploy --env ${env.name} (the deploy gives it to the tasks); --deploy is for a value that changed`,
      });
    }
    if (options.deploy && !ctx.globals.yes && !ctx.interactive) {
      throw new RefusedError(`secrets set --deploy restarts the tasks of '${env.name}' and needs approval, and there is no terminal to ask; nothing was stored`, {
        hint: 'approve it with --yes, or store the value without --deploy (the next deploy rolls the tasks)',
      });
    }
    // A piped value is read before any AWS call: an empty or oversized one is exit 2 at once.
    if (valueFromStdin(ctx)) piped = await readSecretValue(ctx, env.name, name);
  });
  const kmsKeyArn = await environmentKey(clients, env);
  const value = piped ?? (await readSecretValue(ctx, env.name, name));
  const { putAppSecret } = await import('./store.js');
  const { secret, action, notCompared } = await putAppSecret(clients, env, name, value, kmsKeyArn);
  const referenced = env.container.secrets.includes(name);
  const version = secret.currentVersion ? ` (version ${secret.currentVersion})` : '';
  if (action === 'unchanged') ctx.io.success(`unchanged: ${secret.secretName} already holds this value${version}; no new version was written`);
  else ctx.io.success(`${action} ${secret.secretName}${version}`);
  if (notCompared) ctx.io.warn(`could not compare with the current value (${notCompared}): a new version was written`);
  const base = {
    action: 'set' as const,
    environment: env.name,
    name,
    secretName: secret.secretName,
    arn: secret.arn,
    outcome: action,
    ...(secret.currentVersion ? { version: secret.currentVersion } : {}),
    ...(secret.changedAt ? { changedAt: secret.changedAt } : {}),
    referenced,
    ...(notCompared ? { notCompared } : {}),
  };
  if (!referenced) {
    ctx.io.warn(`the container does not receive ${name} yet: add it to container.secrets of '${env.name}' and run tapctl deploy --env ${env.name}`);
    return base;
  }
  const changedAt = new Date(secret.changedAt ?? Date.now());
  const target = { cluster: env.names.ecsCluster, service: env.names.ecsService };
  if (!options.deploy) {
    const { staleTasks } = await import('./stale-tasks.js');
    const stale = await staleTasks(clients, target.cluster, target.service, changedAt);
    if (stale.length > 0) {
      ctx.io.warn(
        `${stale.length} running task${stale.length === 1 ? '' : 's'} keep${stale.length === 1 ? 's' : ''} the old value of ${name} until the next rollout: ` +
          `tapctl secrets set --env ${env.name} --deploy ${name} rolls them now, and tapctl deploy --env ${env.name} does when it next runs`,
      );
    }
    return { ...base, staleTasks: stale.length };
  }
  if (action === 'unchanged') {
    // The value did not change: tasks started after its current version already read it; no rollout for nothing.
    const { staleTasks } = await import('./stale-tasks.js');
    const stale = await staleTasks(clients, target.cluster, target.service, changedAt);
    if (stale.length === 0) {
      ctx.io.info(`not rolled: no task of ${target.service} runs an older value of ${name}`);
      return { ...base, staleTasks: 0 };
    }
  }
  if (!ctx.globals.yes) {
    const ok = await ctx.prompter.confirm({ message: `Roll ${target.service} now, so that its tasks start again with the new ${name}?`, default: false });
    if (!ok) {
      ctx.io.warn(`not rolled: running tasks keep the old value of ${name} until the next rollout`);
      return base;
    }
  }
  ctx.io.info(`rolling ${target.service} so that its tasks read the new ${name} ...`);
  const { rollService } = await import('./roll.js');
  const rollout = await rollService(clients, target, changedAt, {
    pollMs: readSettings(ctx.env).pollIntervalMs ?? 10_000,
    signal: ctx.signal,
    onProgress: (text) => ctx.io.progress(text),
  });
  ctx.io.success(`no task of ${target.service} runs the old value of ${name} (${rollout.runningCount} running, ${Math.round(rollout.elapsedMs / 1000)}s)`);
  return { ...base, staleTasks: 0, rollout };
}

export async function runSecretsList(ctx: CommandContext): Promise<ListResult> {
  const { env, clients } = await open(ctx);
  const { listAppSecrets } = await import('./store.js');
  const stored = await listAppSecrets(clients, env);
  const secrets: ListedSecret[] = stored.map((s) => {
    const referenced = env.container.secrets.includes(s.name);
    const problem = nameProblem(s.name);
    return {
      ...s,
      referenced,
      status: s.deletionDate ? 'pending-deletion' : referenced ? 'set' : 'unused',
      ...(problem ? { nameProblem: `${problem}; delete it with aws secretsmanager delete-secret --secret-id ${s.secretName} --region ${env.region}` } : {}),
    };
  });
  for (const name of env.container.secrets) {
    if (!stored.some((s) => s.name === name)) secrets.push({ name, secretName: appSecretName(env, name), referenced: true, status: 'missing' });
  }
  secrets.sort((a, b) => byName(a.name, b.name));
  return { action: 'list', environment: env.name, prefix: appSecretPrefix(env), secrets };
}

export async function runSecretsUnset(ctx: CommandContext, name: string, options: UnsetOptions): Promise<UnsetResult> {
  checkSecretName(name);
  const { env, clients } = await open(ctx, (env) => {
    if (!ctx.globals.yes && !ctx.interactive) {
      throw new RefusedError(`removing secret ${name} of '${env.name}' needs approval, and there is no terminal to ask; nothing was removed`, { hint: 'approve it with --yes' });
    }
  });
  // While the stack runs, a name the config gives the container is needed by every task that starts. Once the
  // environment is destroyed (or never deployed) nothing reads it, and the secret is a leftover destroy listed:
  // removing it is allowed, or unset would be a dead end (the only way out was a deploy, re-creating everything).
  if (env.container.secrets.includes(name)) {
    const { describeStack } = await import('../aws/stack.js');
    const stack = await describeStack(clients, env.names.stack);
    if (stack) {
      throw new RefusedError(`refusing to remove ${name} from '${env.name}': container.secrets still gives it to the container, and tasks that start without it fail`, {
        hint: `remove ${name} from container.secrets, run tapctl deploy --env ${env.name}, then unset it`,
      });
    }
    ctx.io.warn(`container.secrets of '${env.name}' still names ${name}; stack ${env.names.stack} is not deployed, so nothing reads it now: a later deploy needs it set again (or removed from the config)`);
  }
  const secretName = appSecretName(env, name);
  const { describeAppSecret, deleteAppSecret } = await import('./store.js');
  const secret = await describeAppSecret(clients, env, name);
  if (!secret) throw new UsageError(`there is no secret ${name} in '${env.name}' (${secretName})`, { hint: `tapctl secrets list --env ${env.name} lists them` });
  if (!secret.managed) throw new RefusedError(`refusing to remove ${secretName}: it was not created by tapctl (no ManagedBy=tapctl tag)`);
  await refuseWhileRunningReads(clients, env, name, secret.arn);
  const base = { action: 'unset' as const, environment: env.name, name, secretName };
  if (secret.deletionDate && !options.now) {
    ctx.io.info(`${secretName} is already scheduled for deletion on ${secret.deletionDate} (tapctl secrets set restores it)`);
    return { ...base, outcome: 'already-scheduled', deletionDate: secret.deletionDate };
  }
  if (!ctx.globals.yes) {
    const message = options.now ? `Delete ${secretName} now, with no way to recover it?` : `Delete ${secretName}? (recoverable for ${RECOVERY_WINDOW_DAYS} days: tapctl secrets set restores it)`;
    if (!(await ctx.prompter.confirm({ message, default: false }))) throw new RefusedError(`${secretName} not removed`);
  }
  const { deletionDate } = await deleteAppSecret(clients, env, secret, Boolean(options.now));
  if (options.now) {
    ctx.io.success(`deleted ${secretName}`);
    return { ...base, outcome: 'deleted' };
  }
  ctx.io.success(`${secretName} is scheduled for deletion${deletionDate ? ` on ${deletionDate}` : ` in ${RECOVERY_WINDOW_DAYS} days`}; tapctl secrets set --env ${env.name} ${name} restores it until then`);
  return { ...base, outcome: 'scheduled', ...(deletionDate ? { deletionDate } : {}) };
}

/** The environment's KMS key (the stack's KMSKeyArn output): exit 2 before the first deploy. */
async function environmentKey(clients: AwsClients, env: ResolvedEnvironment): Promise<string> {
  const { describeStack, stackOutputs } = await import('../aws/stack.js');
  const stack = await describeStack(clients, env.names.stack);
  const key = stack ? stackOutputs(stack).KMSKeyArn : undefined;
  if (!key) {
    throw new UsageError(`'${env.name}' has no KMS key to encrypt the secret with yet: ${stack ? `stack ${env.names.stack} has no KMSKeyArn output` : `stack ${env.names.stack} is not deployed`}`, {
      hint: `deploy first (tapctl deploy --env ${env.name}): the secret is encrypted with the environment's own key, which the deploy creates`,
    });
  }
  return key;
}

/**
 * The task definition the service runs now may still name the secret although the config no longer does (the
 * deploy that removes it has not run): its next task would fail to start. Refused (exit 3).
 */
async function refuseWhileRunningReads(clients: AwsClients, env: ResolvedEnvironment, name: string, arn: string): Promise<void> {
  const { DescribeServicesCommand, DescribeTaskDefinitionCommand } = await loadSdk('@aws-sdk/client-ecs');
  const { explainAwsError } = await import('../aws/errors.js');
  const ecs = await clients.ecs();
  try {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: env.names.ecsCluster, services: [env.names.ecsService] }))).services?.find((s) => s.status !== 'INACTIVE');
    const arns = new Set((service?.deployments ?? []).map((d) => d.taskDefinition).filter((x): x is string => Boolean(x)));
    for (const td of arns) {
      const containers = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: td }))).taskDefinition?.containerDefinitions ?? [];
      const reads = containers.some((c) => (c.secrets ?? []).some((s) => s.valueFrom === arn || s.valueFrom === appSecretArnStem(arn)));
      if (reads) {
        throw new RefusedError(`refusing to remove ${name} from '${env.name}': the service's task definition ${td.split('/').pop()} still reads it, and its next task would fail to start`, {
          hint: `deploy the config without it first (tapctl deploy --env ${env.name}), then unset it`,
        });
      }
    }
  } catch (e) {
    if (e instanceof RefusedError) throw e;
    if (/ClusterNotFound|ServiceNotFound/.test((e as Error)?.name ?? '')) return;
    throw explainAwsError(e, `checking whether ${env.names.ecsService} still reads ${name}`);
  }
}

/** A full secret ARN without its six random characters: what a partial-ARN reference starts with. */
function appSecretArnStem(arn: string): string {
  return arn.replace(/-[A-Za-z0-9]{6}$/, '');
}
