/**
 * `tapctl exec --env <name> [--task <id>] [-- <command...>]`: ECS Exec (ExecuteCommand) into a running task of
 * the service, through AWS's session-manager-plugin. Refused (exit 2) before any AWS call when the config does not
 * turn ECS Exec on (container.exec) or the plugin is missing; a task started before exec was enabled is told to
 * roll the service, not shown ECS's TargetNotConnectedException.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { CommandContext } from '../cli/context.js';
import { OperationError, UsageError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { CONTAINER_NAME } from '../infra/image-placeholder.js';
import { taskIdOf } from '../logs/events.js';
import { hasService } from '../release/running-image.js';
import { MIN_PLUGIN_VERSION, olderThan, pluginVersion, requirePlugin, runPlugin } from './session-plugin.js';
import { taskIdOfArn } from './stopped-task.js';
import { loadSdk } from '../aws/sdk.js';

export interface ExecOptions {
  readonly task?: string;
}

export interface ExecResult {
  readonly environment: string;
  readonly cluster: string;
  readonly taskId: string;
  readonly container: string;
  readonly command: string;
  /** The plugin's exit code (ECS Exec does not pass on the remote command's own). */
  readonly sessionExitCode: number;
}

/** What runs when no command is given. */
export const DEFAULT_COMMAND = '/bin/sh';

export async function runExec(ctx: CommandContext, words: readonly string[], options: ExecOptions): Promise<ExecResult> {
  if (ctx.globals.json) {
    throw new UsageError('tapctl exec has no --json form: the session itself is its output', { hint: 'run it without --json (tapctl run --json runs a command and reports its exit code)' });
  }
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  if (!hasService(env)) throw new UsageError(`the ${env.preset} preset runs no container service: there is no task to exec into in '${env.name}'`);
  if (!env.container.exec) {
    throw new UsageError(`ECS Exec is off for '${env.name}' (container.exec)`, {
      hint: `set container.exec: true for '${env.name}' in tapctl.config.yaml and run tapctl deploy --env ${env.name} (it rolls the tasks so that they start with it)`,
    });
  }
  // Before any AWS call: a missing plugin is a local fix.
  const plugin = requirePlugin(ctx.env);
  const version = await pluginVersion(plugin, ctx.env);
  if (version && olderThan(version, MIN_PLUGIN_VERSION)) ctx.io.warn(`session-manager-plugin ${version} is older than ${MIN_PLUGIN_VERSION}, the oldest AWS supports: update it if the session fails`);
  if (env.kind === 'production') ctx.io.warn(`a shell in production '${env.name}' reads its data and its secrets; everything typed is logged only if the cluster's ECS Exec logging is configured`);

  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const clients = new AwsClients(targetFor(env, ctx.globals.profile), { signal: ctx.signal });
  assertAccount(await callerIdentity(clients), env);

  const cluster = env.names.ecsCluster;
  const task = await chooseTask(ctx, clients, env, options.task);
  const taskId = taskIdOfArn(task.taskArn);
  const container = task.containers?.find((c) => c.name === CONTAINER_NAME) ?? task.containers?.[0];
  if (!container?.name || !container.runtimeId) throw new OperationError(`task ${taskId} has no running container to exec into`, { code: 'exec-no-container' });
  if (task.enableExecuteCommand !== true) throw rollFirst(env, taskId);
  const agent = container.managedAgents?.find((a) => a.name === 'ExecuteCommandAgent');
  if (agent && agent.lastStatus !== 'RUNNING') {
    throw new OperationError(`the ECS Exec agent of task ${taskId} is ${agent.lastStatus?.toLowerCase() ?? 'not running'}${agent.reason ? ` (${agent.reason})` : ''}`, {
      code: 'exec-agent',
      hint: `a task that just started needs a moment; otherwise roll the service (tapctl deploy --env ${env.name}) and check the task role has the ssmmessages permissions`,
    });
  }

  const command = words.length ? words.join(' ') : DEFAULT_COMMAND;
  const { ExecuteCommandCommand } = await loadSdk('@aws-sdk/client-ecs');
  let session;
  try {
    session = (await (await clients.ecs()).send(new ExecuteCommandCommand({ cluster, task: task.taskArn, container: container.name, command, interactive: true }))).session;
  } catch (e) {
    throw explainExecError(e, env, taskId);
  }
  if (!session?.streamUrl || !session.tokenValue) throw new OperationError(`ECS started no session in task ${taskId}`, { code: 'exec-no-session' });

  ctx.io.info(`exec into task ${taskId} (${container.name}) of ${env.names.ecsService}: ${command}`);
  const release = ctx.holdInterrupts?.();
  let code: number;
  try {
    code = await runPlugin(plugin, {
      session,
      region: env.region,
      ...(clients.target.profile ? { profile: clients.target.profile } : {}),
      target: `ecs:${cluster}_${taskId}_${container.runtimeId}`,
      endpoint: env.endpoint ?? `https://ecs.${env.region}.amazonaws.com`,
    }, ctx.env);
  } finally {
    release?.();
  }
  if (code !== 0) throw new OperationError(`the session with task ${taskId} ended with exit ${code} (session-manager-plugin)`, { code: 'exec-session-failed' });
  return { environment: env.name, cluster, taskId, container: container.name, command, sessionExitCode: code };
}

/** The task --task names, or the service's newest running task (said, with how to pick another). */
async function chooseTask(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment, wanted: string | undefined): Promise<Task> {
  const { runningTasks } = await import('./running-tasks.js');
  const tasks = await runningTasks(clients, env.names.ecsCluster, env.names.ecsService);
  if (wanted !== undefined) {
    const id = taskIdOf(wanted);
    const task = tasks.find((t) => taskIdOfArn(t.taskArn) === id);
    if (!task) {
      throw new OperationError(`task ${id} is not a running task of ${env.names.ecsService}`, {
        code: 'exec-no-task',
        hint: tasks.length ? `running now: ${tasks.map((t) => taskIdOfArn(t.taskArn)).join(', ')}` : `the service runs no task (tapctl status --env ${env.name})`,
      });
    }
    return task;
  }
  if (tasks.length === 0) throw new OperationError(`${env.names.ecsService} runs no task to exec into`, { code: 'exec-no-task', hint: `tapctl status --env ${env.name} shows the service` });
  const newest = [...tasks].sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0))[0];
  if (tasks.length > 1) ctx.io.info(`${tasks.length} tasks run; using the newest, ${taskIdOfArn(newest.taskArn)} (--task <id> picks another)`);
  return newest;
}

function rollFirst(env: ResolvedEnvironment, taskId: string): OperationError {
  return new OperationError(`task ${taskId} started before ECS Exec was enabled, so it has no exec agent: roll the service first`, {
    code: 'exec-not-enabled-on-task',
    hint: `tapctl deploy --env ${env.name} rolls the tasks that predate ECS Exec; then run tapctl exec again`,
  });
}

function explainExecError(e: unknown, env: ResolvedEnvironment, taskId: string): Error {
  const name = awsErrorName(e);
  const message = (e as Error)?.message ?? '';
  if (/execute command was not enabled/i.test(message)) return rollFirst(env, taskId);
  if (name === 'TargetNotConnectedException') {
    return new OperationError(`ECS Exec cannot reach task ${taskId}: its agent is not connected`, {
      code: 'exec-target-not-connected',
      hint: `roll the service first (tapctl deploy --env ${env.name}) if the task predates container.exec; the task role needs the ssmmessages permissions a deploy with container.exec: true gives it, and the task outbound access to Systems Manager`,
      cause: e,
    });
  }
  return explainAwsError(e, `starting an ECS Exec session in task ${taskId}`);
}
