/**
 * Why an ECS task stopped, said the way a person needs it: ECS's stopped reason, each container's exit code and
 * reason, and the container's last log lines. The one helper for every verdict about stopped tasks: the rollout
 * wait of push-image --deploy and rollback (src/aws/ecs-rollout.ts) and `tapctl run`. A failed CloudFormation
 * deploy is not explained here: toolkit-lib already reports its stopped tasks and their logs.
 */
import type { ContainerDefinition, Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { escapeControl } from '../cli/quote.js';
import { loadSdk } from '../aws/sdk.js';

export interface StoppedTask {
  readonly taskId: string;
  readonly taskDefinitionArn?: string;
  readonly stoppedAt?: string;
  /** ECS's stopped reason, with each container that failed: `Essential container in task exited (app: exit 1)`. */
  readonly reason: string;
  /** The application container's last log lines, oldest first (when they could be read). */
  readonly lastLogLines?: readonly string[];
  /** Where those lines are. */
  readonly log?: { readonly group: string; readonly stream: string };
}

/** How many log lines an explanation carries. */
export const LAST_LOG_LINES = 15;

/** ECS's reason and the containers' exit codes, without any further call. */
export function describeStopped(t: Task): StoppedTask {
  const containers = (t.containers ?? [])
    .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
    .map((c) => `${c.name ?? 'container'}: ${[c.exitCode !== undefined ? `exit ${c.exitCode}` : '', c.reason ?? ''].filter(Boolean).join(', ')}`);
  const reason = [t.stoppedReason ?? t.stopCode ?? 'stopped', ...(containers.length ? [`(${containers.join('; ')})`] : [])].join(' ');
  return {
    taskId: taskIdOfArn(t.taskArn),
    ...(t.taskDefinitionArn ? { taskDefinitionArn: t.taskDefinitionArn } : {}),
    ...(t.stoppedAt ? { stoppedAt: t.stoppedAt.toISOString() } : {}),
    reason,
  };
}

/**
 * `describeStopped` and the container's last log lines, read from the awslogs group and stream its task
 * definition names (`<awslogs-stream-prefix>/<container>/<task id>`). Reading the logs is best effort: a task that
 * never started has none, and a role that may not read them still gets ECS's reason.
 */
export async function explainStoppedTask(clients: AwsClients, task: Task, options: { container?: string; lines?: number } = {}): Promise<StoppedTask> {
  const stopped = describeStopped(task);
  try {
    const log = await logLocation(clients, task, options.container);
    if (!log) return stopped;
    const lastLogLines = await lastLines(clients, log, options.lines ?? LAST_LOG_LINES);
    return { ...stopped, log, ...(lastLogLines.length ? { lastLogLines } : {}) };
  } catch {
    return stopped;
  }
}

/** The lines of a message about stopped tasks: each task's reason, then the first one's last log lines. */
export function stoppedTaskLines(tasks: readonly StoppedTask[], shown = 5): string[] {
  const lines: string[] = [];
  for (const t of tasks.slice(0, shown)) lines.push(`  ${t.taskId}  ${t.reason}`);
  if (tasks.length > shown) lines.push(`  ... and ${tasks.length - shown} more`);
  const withLogs = tasks.find((t) => t.lastLogLines?.length);
  if (withLogs?.lastLogLines && withLogs.log) {
    lines.push(`last log lines of ${withLogs.taskId} (${withLogs.log.group}):`);
    for (const l of withLogs.lastLogLines) lines.push(`  ${l}`);
  }
  return lines;
}

/** The awslogs group and stream of the task's container (the one named, else the first with awslogs). */
export async function logLocation(clients: AwsClients, task: Task, container?: string): Promise<{ group: string; stream: string } | undefined> {
  if (!task.taskDefinitionArn || !task.taskArn) return undefined;
  const { DescribeTaskDefinitionCommand } = await loadSdk('@aws-sdk/client-ecs');
  const definition = (await (await clients.ecs()).send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }))).taskDefinition;
  return streamOf(definition?.containerDefinitions ?? [], taskIdOfArn(task.taskArn), container);
}

/** `<awslogs-stream-prefix>/<container>/<task id>` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html). */
export function streamOf(containers: readonly ContainerDefinition[], taskId: string, container?: string): { group: string; stream: string } | undefined {
  const withLogs = containers.filter((c) => c.logConfiguration?.logDriver === 'awslogs');
  const c = (container ? withLogs.find((x) => x.name === container) : undefined) ?? withLogs[0];
  const options = c?.logConfiguration?.options ?? {};
  const group = options['awslogs-group'];
  const prefix = options['awslogs-stream-prefix'];
  if (!c?.name || !group || !prefix) return undefined;
  return { group, stream: `${prefix}/${c.name}/${taskId}` };
}

async function lastLines(clients: AwsClients, log: { group: string; stream: string }, n: number): Promise<string[]> {
  const { GetLogEventsCommand } = await loadSdk('@aws-sdk/client-cloudwatch-logs');
  const out = await (await clients.cloudWatchLogs()).send(new GetLogEventsCommand({ logGroupName: log.group, logStreamName: log.stream, limit: n, startFromHead: false }));
  return (out.events ?? []).map((e) => escapeControl((e.message ?? '').replace(/\s+$/, '')));
}

export function taskIdOfArn(arn: string | undefined): string {
  return (arn ?? '').split('/').pop() ?? '';
}
