/**
 * Which running tasks hold an app secret's older value. ECS reads a task's secrets once, when the task starts
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html), so a task
 * started before the secret last changed runs the value from before the change, until it is replaced.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { runningTasks } from '../ecs/running-tasks.js';
import { taskIdOfArn } from '../ecs/stopped-task.js';

export interface StaleTask {
  readonly taskId: string;
  readonly startedAt: string;
}

/** The service's RUNNING tasks that started before `changedAt`. A service with no tasks (or none yet) has none. */
export async function staleTasks(clients: AwsClients, cluster: string, service: string, changedAt: Date): Promise<StaleTask[]> {
  return startedBefore(await runningTasks(clients, cluster, service), changedAt);
}

/** The tasks among `tasks` that started before `at`. */
export function startedBefore(tasks: readonly Task[], at: Date): StaleTask[] {
  return tasks
    .filter((t) => (t.startedAt ?? t.createdAt ?? new Date(0)).getTime() < at.getTime())
    .map((t) => ({ taskId: taskIdOfArn(t.taskArn), startedAt: (t.startedAt ?? t.createdAt ?? new Date(0)).toISOString() }));
}
