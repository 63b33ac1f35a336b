/**
 * `tapctl run --env <name> -- <command...>`: one task of the service's live task definition (image, roles,
 * secrets, environment) in the service's network, with the application container's command replaced; its log
 * lines streamed; the container's exit code passed through. With --detach, started and left to run.
 *
 * Exit codes: tapctl's own failures keep 1 (the task could not start: its stopped reason), 2, 3 and 130; once
 * the container ran, its exit code is tapctl's (ContainerExitError), and --json says which it is.
 */
import type { CommandContext } from '../cli/context.js';
import { ContainerExitError, OperationError, RefusedError, UsageError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { readSettings } from '../cli/settings.js';
import type { AwsClients } from '../aws/clients.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { CONTAINER_NAME, PLACEHOLDER_IMAGE_TAG } from '../infra/image-placeholder.js';
import { formatEvent, logEventJson } from '../logs/events.js';
import { hasService } from '../release/running-image.js';
import { MAX_OVERRIDES_CHARS, overridesSize } from './one-off-task.js';
import { explainStoppedTask, streamOf, taskIdOfArn, type StoppedTask } from './stopped-task.js';
import { loadSdk } from '../aws/sdk.js';

export interface RunOptions {
  readonly detach?: boolean;
}

export interface RunResult {
  readonly environment: string;
  readonly cluster: string;
  readonly taskArn: string;
  readonly taskId: string;
  readonly taskDefinitionArn: string;
  readonly command: readonly string[];
  /** started: --detach left it running. stopped: it ran to the end. */
  readonly status: 'started' | 'stopped';
  /** tapctl's exit code: 0 here (a container that exits non-zero is a ContainerExitError). */
  readonly exitCode?: number;
  /** The container's own exit code, when it ran. */
  readonly containerExitCode?: number;
  readonly log?: { readonly group: string; readonly stream: string };
  readonly durationMs?: number;
  /** --detach: how to follow it. */
  readonly next?: readonly string[];
}

/** How often the task is polled while it runs. TAPCTL_POLL_INTERVAL_MS changes it. */
export const RUN_POLL_MS = 3_000;

export interface RunDeps {
  readonly clients?: (env: ResolvedEnvironment) => Promise<AwsClients>;
}

export async function runOneOff(ctx: CommandContext, command: readonly string[], options: RunOptions, deps: RunDeps = {}): Promise<RunResult> {
  checkRunCommand(command, CONTAINER_NAME);
  const started = Date.now();
  const loaded = await loadProject(ctx);
  const env = await selectEnvironment(ctx, loaded);
  if (!hasService(env)) throw new UsageError(`the ${env.preset} preset runs no container service: there is no task definition to run in '${env.name}'`);
  // A one-off task changes nothing deployed, but it runs code against the environment's data: production asks.
  if (env.kind === 'production' && !ctx.globals.yes && !ctx.interactive) {
    throw new RefusedError(`running a command in production '${env.name}' needs approval, and there is no terminal to ask; nothing was started`, {
      hint: `it runs against production data: approve it with --yes (tapctl run --env ${env.name} --yes -- ...)`,
    });
  }

  const { AwsClients, targetFor } = await import('../aws/clients.js');
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const clients = deps.clients ? await deps.clients(env) : new AwsClients(targetFor(env, ctx.globals.profile), { signal: ctx.signal });
  const identity = await callerIdentity(clients);
  assertAccount(identity, env);

  const { liveService } = await import('./live-service.js');
  const live = await liveService(clients, env);
  const containers = await containerDefinitions(clients, live.taskDefinitionArn);
  const app = containers.find((c) => c.name === CONTAINER_NAME) ?? containers[0];
  if (!app?.name) throw new OperationError(`task definition ${family(live.taskDefinitionArn)} has no container`, { code: 'run-no-container' });
  if ((app.image ?? '').includes(`:${PLACEHOLDER_IMAGE_TAG}`)) {
    throw new UsageError(`'${env.name}' has no image yet: its service runs the bootstrap placeholder`, { hint: `push one first: tapctl push-image --env ${env.name} --deploy` });
  }
  // The container's own name counts too; known now (the check above assumed tapctl's container name).
  if (app.name !== CONTAINER_NAME) checkRunCommand(command, app.name);
  if (env.kind === 'production' && !ctx.globals.yes) await confirmProduction(ctx, env, command);
  else if (env.kind === 'production') ctx.io.info(`approved with --yes: running in production '${env.name}'`);

  const { startOneOffTask, waitForTaskStop } = await import('./one-off-task.js');
  const task = await startOneOffTask(clients, {
    cluster: live.cluster,
    taskDefinitionArn: live.taskDefinitionArn,
    network: live.network,
    ...(live.platformVersion ? { platformVersion: live.platformVersion } : {}),
    container: app.name,
    command,
    startedBy: `tapctl run ${identity.arn.split('/').pop() ?? ''}`.trim(),
  });
  const taskArn = task.taskArn!;
  const taskId = taskIdOfArn(taskArn);
  const log = streamOf(containers, taskId, app.name);
  ctx.io.info(`started task ${taskId} of ${family(live.taskDefinitionArn)} in ${live.cluster}: ${command.join(' ')}`);
  ctx.io.event({ type: 'task', status: 'started', taskArn, taskDefinitionArn: live.taskDefinitionArn });
  const base = { environment: env.name, cluster: live.cluster, taskArn, taskId, taskDefinitionArn: live.taskDefinitionArn, command: [...command], ...(log ? { log } : {}) };
  if (options.detach) {
    const follow = `tapctl logs --env ${env.name} --task ${taskId} --follow`;
    ctx.io.info(`not waiting (--detach): ${follow}`);
    return { ...base, status: 'started', next: [follow] };
  }

  const stopped = await waitForTaskStop(clients, live.cluster, taskArn, {
    pollMs: readSettings(ctx.env).pollIntervalMs ?? RUN_POLL_MS,
    signal: ctx.signal,
    ...(log ? { log } : {}),
    onLog: (e) => {
      const event = { timestamp: e.timestamp, source: 'app' as const, logGroup: log?.group ?? '', logStream: log?.stream ?? '', task: taskId, message: e.message };
      ctx.io.output(formatEvent(event, ctx.io.outStyle));
      ctx.io.event(logEventJson(event));
    },
    onStatus: (status) => ctx.io.progress(`task ${taskId}: ${status.toLowerCase()}`),
  });
  const durationMs = Date.now() - started;
  const exit = stopped.containers?.find((c) => c.name === app.name)?.exitCode;
  if (exit === undefined) {
    // The container never ran (or never finished): an image that cannot be pulled, a secret that cannot be read,
    // no capacity, a stop from outside. tapctl's own failure, with ECS's reason and whatever the container logged.
    const why = await explainStoppedTask(clients, stopped, { container: app.name });
    throw new OperationError(`task ${taskId} stopped before its command ran to the end: ${why.reason}${lastLines(why)}`, {
      code: 'run-not-started',
      hint: `tapctl logs --env ${env.name} --task ${taskId}; aws ecs describe-tasks --cluster ${live.cluster} --tasks ${taskId}`,
      details: { ...base, stoppedReason: stopped.stoppedReason ?? null, stopCode: stopped.stopCode ?? null },
    });
  }
  if (exit !== 0) {
    throw new ContainerExitError(exit, `the command exited with ${exit} (task ${taskId}, ${Math.round(durationMs / 1000)}s)`, {
      hint: `this is the container's exit code, passed through; its output is above (tapctl logs --env ${env.name} --task ${taskId})`,
      details: { ...base, status: 'stopped', containerExitCode: exit, durationMs },
    });
  }
  ctx.io.success(`the command exited with 0 (task ${taskId}, ${Math.round(durationMs / 1000)}s)`);
  return { ...base, status: 'stopped', exitCode: 0, containerExitCode: 0, durationMs };
}

/**
 * The command RunTask can take, before any AWS call: at least one word, a first word that is not empty (exec form:
 * the executable), and overrides within RunTask's 8192 characters. @throws UsageError (exit 2) naming the limit.
 */
export function checkRunCommand(command: readonly string[], container: string): void {
  if (command.length === 0 || command[0].trim() === '') {
    throw new UsageError(command.length === 0 ? 'what should the task run? give the command after --' : 'the command after -- starts with an empty word: there is nothing to run', {
      hint: 'e.g. tapctl run --env dev -- npm run migrate',
    });
  }
  const size = overridesSize(container, command);
  if (size > MAX_OVERRIDES_CHARS) {
    throw new UsageError(
      `the command is too long for ECS: RunTask allows ${MAX_OVERRIDES_CHARS} characters of overrides (their JSON included), and this one makes ${size}`,
      {
        hint: 'put the long part in a script in the image (or in a file the task reads) and run that; see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-overrides',
      },
    );
  }
}

async function containerDefinitions(clients: AwsClients, taskDefinitionArn: string) {
  const { DescribeTaskDefinitionCommand } = await loadSdk('@aws-sdk/client-ecs');
  const { explainAwsError } = await import('../aws/errors.js');
  try {
    return (await (await clients.ecs()).send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))).taskDefinition?.containerDefinitions ?? [];
  } catch (e) {
    throw explainAwsError(e, `reading task definition ${family(taskDefinitionArn)}`);
  }
}

/** Production at a terminal: the person types the environment's name, as for a production deploy. */
async function confirmProduction(ctx: CommandContext, env: ResolvedEnvironment, command: readonly string[]): Promise<void> {
  const answer = await ctx.prompter.input({
    message: `Run '${command.join(' ')}' against PRODUCTION data in '${env.name}'? Type the environment name (${env.name}) to approve:`,
    validate: (v) => v.trim() === env.name || `type ${env.name} to approve, or press Ctrl-C to stop`,
  });
  if (answer.trim() !== env.name) throw new RefusedError(`run in '${env.name}' not approved; nothing was started`);
}

const family = (arn: string) => arn.split('/').pop() ?? arn;

function lastLines(t: StoppedTask): string {
  return t.lastLogLines?.length ? `\n  last log lines:\n    ${t.lastLogLines.join('\n    ')}` : '';
}

