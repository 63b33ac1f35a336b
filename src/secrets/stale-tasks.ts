/**
 * Which running tasks hold an app secret's older value. ECS reads a task's secrets once, when the task starts
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html), so a task
 * started before the secret last changed runs the value from before the change, until it is replaced.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { explainAwsError } from '../aws/errors.js';
import { taskIdOfArn } from '../ecs/stopped-task.js';

export interface StaleTask {
  readonly taskId: string;
  readonly startedAt: string;
}

/** The service's RUNNING tasks that started before `changedAt`. A service with no tasks (or none yet) has none. */
export async function staleTasks(clients: AwsClients, cluster: string, service: string, changedAt: Date): Promise<StaleTask[]> {
  return (await runningTasks(clients, cluster, service))
    .filter((t) => (t.startedAt ?? t.createdAt ?? new Date(0)).getTime() < changedAt.getTime())
    .map((t) => ({ taskId: taskIdOfArn(t.taskArn), startedAt: (t.startedAt ?? t.createdAt ?? new Date(0)).toISOString() }));
}

/** The service's RUNNING tasks (ListTasks, then DescribeTasks in pages of 100). */
export async function runningTasks(clients: AwsClients, cluster: string, service: string): Promise<Task[]> {
  const { DescribeTasksCommand, ListTasksCommand } = await import('@aws-sdk/client-ecs');
  const ecs = await clients.ecs();
  try {
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING', ...(token ? { nextToken: token } : {}) }));
      arns.push(...(page.taskArns ?? []));
      token = page.nextToken;
    } while (token);
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) tasks.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
    return tasks;
  } catch (e) {
    if (/ClusterNotFound|ServiceNotFound/.test((e as Error)?.name ?? '')) return [];
    throw explainAwsError(e, `listing the running tasks of ${service}`);
  }
}
