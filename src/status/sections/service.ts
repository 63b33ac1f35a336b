/**
 * The ECS service: tasks, deployments with their rollout state, the image each runs, the last events.
 * Two rounds: DescribeServices with ListTasks, then DescribeTaskDefinition for each deployment with DescribeTasks
 * (the digests the tasks really run).
 */
import type { ContainerDefinition, Deployment, Task } from '@aws-sdk/client-ecs';
import { awsErrorName, isAccessDenied } from '../../aws/errors.js';
import { deploymentOf, describeDeployment, strategyOf } from '../../config/deployment.js';
import type { DeploymentInfo, ImageRef, RolloutInfo, RolloutState, Section, ServiceInfo } from '../schema.js';
import { compareWithPushed, parseImage, taskDefinitionName } from './image.js';
import { absent, callOptions, iso, isNotFound, ok, sectionError, type SectionContext } from './section.js';
import { loadSdk } from '../../aws/sdk.js';

/** The service's container is `app` (tapstack.md §5.5); otherwise the first essential one. */
const CONTAINER_NAME = 'app';
const EVENTS_SHOWN = 5;

export async function readService(c: SectionContext): Promise<Section<ServiceInfo>> {
  const cluster = c.outputs.ECSClusterName || c.env.names.ecsCluster;
  const serviceName = c.outputs.ECSServiceName || c.env.names.ecsService;
  const what = `reading ECS service ${serviceName}`;
  try {
    const ecs = await c.clients.ecs();
    const sdk = await loadSdk('@aws-sdk/client-ecs');
    const notes: string[] = [];
    const [described, listed] = await Promise.all([
      ecs.send(new sdk.DescribeServicesCommand({ cluster, services: [serviceName] }), callOptions(c.signal)),
      ecs.send(new sdk.ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING' }), callOptions(c.signal)).catch((e: unknown) => {
        if (!isNotFound(e)) notes.push(noteFor(e, 'ecs:ListTasks', 'running digests unknown'));
        return undefined;
      }),
    ]);
    const service = described.services?.find((s) => s.status !== 'INACTIVE');
    if (!service) return absent(`service ${serviceName} not found in cluster ${cluster}`);

    const taskDefinitionArns = [...new Set((service.deployments ?? []).map((d) => d.taskDefinition).filter((a): a is string => Boolean(a)))];
    const taskArns = (listed?.taskArns ?? []).slice(0, 100);
    const [definitions, tasks] = await Promise.all([
      Promise.all(
        taskDefinitionArns.map((arn) =>
          ecs
            .send(new sdk.DescribeTaskDefinitionCommand({ taskDefinition: arn }), callOptions(c.signal))
            .then((out) => [arn, pickContainer(out.taskDefinition?.containerDefinitions ?? [])] as const)
            .catch((e: unknown) => {
              notes.push(noteFor(e, 'ecs:DescribeTaskDefinition', `image of ${taskDefinitionName(arn).name} unknown`));
              return [arn, undefined] as const;
            }),
        ),
      ),
      taskArns.length === 0
        ? Promise.resolve([] as Task[])
        : ecs
            .send(new sdk.DescribeTasksCommand({ cluster, tasks: taskArns }), callOptions(c.signal))
            .then((out) => out.tasks ?? [])
            .catch((e: unknown) => {
              notes.push(noteFor(e, 'ecs:DescribeTasks', 'running digests unknown'));
              return [] as Task[];
            }),
    ]);
    const rollout = await readRollout(c, cluster, serviceName, notes);
    const plan = deploymentOf(c.env);
    const containers = new Map(definitions);
    const deployments = (service.deployments ?? []).map((d) => toDeployment(d, containers.get(d.taskDefinition ?? ''), tasks));
    const primary = deployments.find((d) => d.status === 'PRIMARY') ?? deployments[0];
    return ok({
      cluster,
      service: service.serviceName ?? serviceName,
      status: service.status ?? 'UNKNOWN',
      desiredCount: service.desiredCount ?? 0,
      runningCount: service.runningCount ?? 0,
      pendingCount: service.pendingCount ?? 0,
      deployments,
      // Compared with the ledger's current release once both sections are read (sections/index.ts).
      image: compareWithPushed(primary?.image ?? null, undefined),
      events: (service.events ?? []).slice(0, EVENTS_SHOWN).map((e) => ({ at: iso(e.createdAt), message: e.message ?? '' })),
      notes,
      ...(rollout !== undefined ? { rollout } : {}),
      ...(plan ? { deploymentPlan: { strategy: plan.strategy, summary: describeDeployment(plan) } } : {}),
    });
  } catch (e) {
    if (isNotFound(e, 'ClusterNotFoundException', 'ServiceNotFoundException')) return absent(`cluster ${cluster} not found`);
    return sectionError(e, what, c.signal);
  }
}

/**
 * For a blue-green, canary or linear environment, the service deployment ECS runs now (its stage and traffic
 * share), null when none runs; undefined for rolling (nothing asked). A denied or failed read is a note.
 */
async function readRollout(c: SectionContext, cluster: string, service: string, notes: string[]): Promise<RolloutInfo | null | undefined> {
  const strategy = c.env.preset === 'ecommerce' || c.env.preset === 'catalog-api' ? strategyOf(c.env) : 'rolling';
  if (strategy === 'rolling') return undefined;
  try {
    const { activeServiceDeployment } = await import('../../aws/service-deployment.js');
    const sd = await activeServiceDeployment(c.clients, { cluster, service });
    if (!sd) return null;
    return {
      strategy,
      serviceDeployment: sd.serviceDeploymentArn ?? '',
      status: sd.status ?? 'PENDING',
      stage: sd.lifecycleStage ?? null,
      percent: sd.targetServiceRevision?.requestedProductionTrafficWeight ?? null,
      startedAt: iso(sd.startedAt ?? sd.createdAt),
      alarms: [...new Set((sd.alarms?.triggeredAlarmNames ?? []).flatMap((n) => n.split(',').map((x) => x.trim())).filter(Boolean))],
    };
  } catch (e) {
    notes.push(noteFor(e, 'ecs:ListServiceDeployments', 'rollout stage unknown'));
    return undefined;
  }
}

function pickContainer(definitions: readonly ContainerDefinition[]): ContainerDefinition | undefined {
  return definitions.find((d) => d.name === CONTAINER_NAME) ?? definitions.find((d) => d.essential !== false) ?? definitions[0];
}

function toDeployment(d: Deployment, container: ContainerDefinition | undefined, tasks: readonly Task[]): DeploymentInfo {
  const { name, revision } = taskDefinitionName(d.taskDefinition ?? '');
  return {
    id: d.id ?? '',
    status: d.status ?? 'UNKNOWN',
    rolloutState: (d.rolloutState as RolloutState | undefined) ?? null,
    rolloutStateReason: d.rolloutStateReason ?? null,
    taskDefinition: name,
    revision,
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    image: container?.image ? imageOf(container, d.taskDefinition, tasks) : null,
  };
}

/** The digest the deployment's running tasks report for the container (the first one; they agree once pulled). */
function imageOf(container: ContainerDefinition, taskDefinitionArn: string | undefined, tasks: readonly Task[]): ImageRef {
  const digest = tasks
    .filter((t) => t.taskDefinitionArn === taskDefinitionArn)
    .flatMap((t) => t.containers ?? [])
    .find((k) => k.name === container.name && k.imageDigest)?.imageDigest;
  return parseImage(container.image ?? '', digest);
}

/** A call inside the section failed but the rest is worth showing: one short note says what is missing. */
function noteFor(e: unknown, action: string, consequence: string): string {
  return `${isAccessDenied(e) ? `${action} denied` : `${action} failed (${awsErrorName(e) || 'error'})`}: ${consequence}`;
}
