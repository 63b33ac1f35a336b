/**
 * What the environment's ECS service runs now, as ECS says (DescribeServices), not as the template says: the task
 * definition of its PRIMARY deployment and the network its tasks get. `tapctl run` starts its one-off task with
 * exactly these, so a migration sees the same image, roles, secrets, subnets and security groups as the app.
 */
import type { AwsVpcConfiguration, Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import { explainAwsError } from '../aws/errors.js';
import { OperationError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { loadSdk } from '../aws/sdk.js';

export interface LiveService {
  readonly cluster: string;
  readonly service: Service;
  /** The PRIMARY deployment's task definition: what a task started now runs. */
  readonly taskDefinitionArn: string;
  readonly network: AwsVpcConfiguration;
  readonly platformVersion?: string;
}

/**
 * @throws OperationError (exit 1) when the service does not exist (not deployed, or deleted) or has no
 *   awsvpc network to copy.
 */
export async function liveService(clients: AwsClients, env: ResolvedEnvironment): Promise<LiveService> {
  const { DescribeServicesCommand } = await loadSdk('@aws-sdk/client-ecs');
  const cluster = env.names.ecsCluster;
  const name = env.names.ecsService;
  let service: Service | undefined;
  try {
    const out = await (await clients.ecs()).send(new DescribeServicesCommand({ cluster, services: [name] }));
    service = out.services?.find((s) => s.status !== 'INACTIVE');
  } catch (e) {
    if (/ClusterNotFound/.test((e as Error)?.name ?? '')) service = undefined;
    else throw explainAwsError(e, `reading ECS service ${name}`);
  }
  if (!service) {
    throw new OperationError(`ECS service ${name} does not exist in cluster ${cluster}: '${env.name}' is not deployed`, { code: 'no-service', hint: `tapctl deploy --env ${env.name}` });
  }
  const taskDefinitionArn = service.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
  const network = service.networkConfiguration?.awsvpcConfiguration ?? service.deployments?.find((d) => d.status === 'PRIMARY')?.networkConfiguration?.awsvpcConfiguration;
  if (!taskDefinitionArn || !network?.subnets?.length) {
    throw new OperationError(`ECS service ${name} has no task definition or awsvpc network to start a task with`, { code: 'no-service', hint: `tapctl status --env ${env.name} shows the service` });
  }
  return { cluster, service, taskDefinitionArn, network, ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}) };
}
