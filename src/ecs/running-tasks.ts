/** The tasks an ECS service runs now: what exec picks from and what deploy and secrets compare with a change. */
import type { Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { explainAwsError } from '../aws/errors.js';
import { loadSdk } from '../aws/sdk.js';

/** The service's RUNNING tasks (ListTasks, then DescribeTasks in pages of 100). */
export async function runningTasks(clients: AwsClients, cluster: string, service: string): Promise<Task[]> {
  const { DescribeTasksCommand, ListTasksCommand } = await loadSdk('@aws-sdk/client-ecs');
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
