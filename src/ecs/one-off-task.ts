/**
 * A one-off Fargate task (`tapctl run`): started with RunTask from the service's live task definition and
 * network, its command overridden, then watched until it stops while its log stream is read as it grows.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 */
import type { AwsVpcConfiguration, Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { abortableSleep } from '../aws/ecr-scan.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { InterruptedError, OperationError } from '../cli/errors.js';
import { taskIdOfArn } from './stopped-task.js';
import { loadSdk } from '../aws/sdk.js';

export interface OneOffTaskInput {
  readonly cluster: string;
  readonly taskDefinitionArn: string;
  readonly network: AwsVpcConfiguration;
  readonly platformVersion?: string;
  /** The container whose command is replaced. */
  readonly container: string;
  /** Exec form: the words as given, no shell. */
  readonly command: readonly string[];
  /** RunTask's startedBy (at most 128 characters): who started it, for a person reading the task later. */
  readonly startedBy: string;
}

/**
 * RunTask's limit on `overrides`: "A total of 8192 characters are allowed for overrides. This limit includes the
 * JSON formatting characters of the override structure."
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-overrides
 */
export const MAX_OVERRIDES_CHARS = 8192;

/** The `overrides` RunTask is sent for `command` in `container`. */
export function commandOverrides(container: string, command: readonly string[]): { containerOverrides: { name: string; command: string[] }[] } {
  return { containerOverrides: [{ name: container, command: [...command] }] };
}

/** The size RunTask counts for those overrides (characters of their JSON). */
export function overridesSize(container: string, command: readonly string[]): number {
  return JSON.stringify(commandOverrides(container, command)).length;
}

/**
 * Starts the task. Always the FARGATE launch type, whatever capacity providers the service uses: a migration
 * interrupted by a Fargate Spot reclaim halfway through is worse than its on-demand price.
 * @throws OperationError (exit 1) when ECS cannot place it (RunTask's `failures`) or refuses the call.
 */
export async function startOneOffTask(clients: AwsClients, input: OneOffTaskInput): Promise<Task> {
  const { RunTaskCommand } = await loadSdk('@aws-sdk/client-ecs');
  let out;
  try {
    out = await (await clients.ecs()).send(
      new RunTaskCommand({
        cluster: input.cluster,
        taskDefinition: input.taskDefinitionArn,
        count: 1,
        launchType: 'FARGATE',
        ...(input.platformVersion ? { platformVersion: input.platformVersion } : {}),
        networkConfiguration: { awsvpcConfiguration: input.network },
        overrides: commandOverrides(input.container, input.command),
        startedBy: input.startedBy.slice(0, 128),
      }),
    );
  } catch (e) {
    throw explainAwsError(e, `starting a task of ${input.taskDefinitionArn.split('/').pop()}`);
  }
  const task = out.tasks?.[0];
  if (!task?.taskArn) {
    const why = (out.failures ?? []).map((f) => [f.reason, f.detail].filter(Boolean).join(': ')).join('; ') || 'ECS started no task and gave no reason';
    throw new OperationError(`the task could not be started: ${why}`, { code: 'run-not-started', hint: 'check the cluster and the service in the ECS console, or tapctl status' });
  }
  return task;
}

export interface TaskWaitOptions {
  /** Default 3 s. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The container's log stream, read as it grows. */
  readonly log?: { readonly group: string; readonly stream: string };
  readonly onLog?: (event: { readonly timestamp: number; readonly message: string }) => void;
  /** Each change of the task's lastStatus (PROVISIONING, PENDING, RUNNING, ...). */
  readonly onStatus?: (status: string) => void;
}

/**
 * Waits until the task is STOPPED, reading its log stream meanwhile (and once more after the stop, so the last
 * lines are not lost). Returns the stopped task. Ctrl-C stops the wait, not the task.
 */
export async function waitForTaskStop(clients: AwsClients, cluster: string, taskArn: string, options: TaskWaitOptions = {}): Promise<Task> {
  const { DescribeTasksCommand } = await loadSdk('@aws-sdk/client-ecs');
  const ecs = await clients.ecs();
  const sleep = options.sleep ?? abortableSleep;
  const readLog = options.log && options.onLog ? logReader(clients, options.log, options.onLog) : async () => undefined;
  let status = '';
  for (;;) {
    if (options.signal?.aborted) throw interrupted(cluster, taskArn);
    let task: Task | undefined;
    try {
      task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];
    } catch (e) {
      throw explainAwsError(e, `reading task ${taskIdOfArn(taskArn)}`);
    }
    if (!task) throw new OperationError(`task ${taskIdOfArn(taskArn)} is gone from cluster ${cluster} (ECS forgets stopped tasks after about an hour)`, { code: 'run-task-gone' });
    if (task.lastStatus && task.lastStatus !== status) {
      status = task.lastStatus;
      options.onStatus?.(status);
    }
    await readLog();
    if (task.lastStatus === 'STOPPED') {
      await readLog();
      return task;
    }
    await sleep(options.pollMs ?? 3_000, options.signal);
  }
}

function interrupted(cluster: string, taskArn: string): InterruptedError {
  const id = taskIdOfArn(taskArn);
  return new InterruptedError(`interrupted: task ${id} keeps running in ECS`, {
    hint: `follow it with tapctl logs --task ${id} --follow; stop it with aws ecs stop-task --cluster ${cluster} --task ${id}`,
    details: { taskArn },
  });
}

/** Reads what is new in one log stream on each call (GetLogEvents forward from the last token). */
function logReader(clients: AwsClients, log: { group: string; stream: string }, onLog: NonNullable<TaskWaitOptions['onLog']>): () => Promise<void> {
  let token: string | undefined;
  return async () => {
    const { GetLogEventsCommand } = await loadSdk('@aws-sdk/client-cloudwatch-logs');
    const logs = await clients.cloudWatchLogs();
    for (;;) {
      let out;
      try {
        out = await logs.send(new GetLogEventsCommand({ logGroupName: log.group, logStreamName: log.stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }));
      } catch (e) {
        // The stream appears when the container starts; before that there is nothing to read.
        if (awsErrorName(e) === 'ResourceNotFoundException') return;
        throw explainAwsError(e, `reading log stream ${log.stream}`);
      }
      for (const e of out.events ?? []) onLog({ timestamp: e.timestamp ?? Date.now(), message: e.message ?? '' });
      // The same token again means the end of what is there now.
      if (!out.nextForwardToken || out.nextForwardToken === token) return;
      token = out.nextForwardToken;
      if ((out.events ?? []).length === 0) return;
    }
  };
}
