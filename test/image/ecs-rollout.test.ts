/** The ECS rollout wait, against a mocked ECS API and a fake clock (no real waiting). */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Deployment,
  type Service,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { imageMatches, waitForRollout, type RolloutTarget } from '../../src/aws/ecs-rollout.js';
import { ExitCode, OperationError } from '../../src/cli/errors.js';

const ecs = mockClient(ECSClient);
const REPO = '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OLD_TD = 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:6';
const NEW_TD = 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:7';
const target: RolloutTarget = { cluster: 'shop-cluster-dev', service: 'shop-service-dev', image: { repositoryUri: REPO, digest: DIGEST, tag: 'abc1234' } };

let clock = 0;
const sleeps: number[] = [];
const timing = {
  pollMs: 5_000,
  timeoutMs: 60_000,
  now: () => clock,
  sleep: async (ms: number) => {
    sleeps.push(ms);
    clock += ms;
  },
  since: new Date(1_000),
};

const dep = (over: Partial<Deployment>): Deployment => ({ id: 'ecs-svc/1', status: 'PRIMARY', desiredCount: 2, runningCount: 0, pendingCount: 0, ...over });
const svc = (deployments: Deployment[], events: Service['events'] = []): { services: Service[] } => ({
  services: [{ serviceName: target.service, status: 'ACTIVE', deployments, events }],
});

beforeEach(() => {
  ecs.reset();
  clock = 10_000;
  sleeps.length = 0;
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: OLD_TD }).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: `${REPO}:old` }] } });
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: NEW_TD }).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: `${REPO}@${DIGEST}` }] } });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
});
afterEach(() => ecs.reset());

const clients = () => new AwsClients({ region: 'us-east-1' });

describe('waitForRollout', () => {
  it('GIVEN the primary deployment reaches COMPLETED with all tasks running THEN it returns', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([dep({ taskDefinition: OLD_TD, rolloutState: 'COMPLETED', runningCount: 2 })]))
      .resolvesOnce(svc([dep({ id: 'ecs-svc/2', taskDefinition: NEW_TD, rolloutState: 'IN_PROGRESS', runningCount: 1 }), dep({ status: 'ACTIVE', taskDefinition: OLD_TD, runningCount: 2 })]))
      .resolves(svc([dep({ id: 'ecs-svc/2', taskDefinition: NEW_TD, rolloutState: 'COMPLETED', runningCount: 2 })]));
    const progress: string[] = [];
    const result = await waitForRollout(clients(), target, { ...timing, onProgress: (p) => progress.push(`${p.onTarget}:${p.running}/${p.desired}`) });
    expect(result).toMatchObject({ taskDefinitionArn: NEW_TD, deploymentId: 'ecs-svc/2', runningCount: 2, desiredCount: 2 });
    expect(sleeps).toEqual([5_000, 5_000]);
    expect(progress).toEqual(['false:2/2', 'true:1/2']);
  });

  it('GIVEN COMPLETED but fewer tasks running than desired THEN it keeps waiting', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([dep({ taskDefinition: NEW_TD, rolloutState: 'COMPLETED', runningCount: 1 })]))
      .resolves(svc([dep({ taskDefinition: NEW_TD, rolloutState: 'COMPLETED', runningCount: 2 })]));
    await expect(waitForRollout(clients(), target, timing)).resolves.toMatchObject({ runningCount: 2 });
    expect(sleeps).toHaveLength(1);
  });

  it('GIVEN the circuit breaker rolls back THEN exit 1 with the stopped tasks reasons and the last events', async () => {
    ecs.on(DescribeServicesCommand).resolves(
      svc(
        [dep({ id: 'ecs-svc/3', taskDefinition: OLD_TD, rolloutState: 'IN_PROGRESS', runningCount: 2 }), dep({ id: 'ecs-svc/2', status: 'ACTIVE', taskDefinition: NEW_TD, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' })],
        [
          { createdAt: new Date(9_000), message: '(service shop-service-dev) rolling back to deployment ecs-svc/3.' },
          { createdAt: new Date(8_000), message: '(service shop-service-dev) (deployment ecs-svc/2) deployment failed: tasks failed to start.' },
        ],
      ),
    );
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['arn:aws:ecs:us-east-1:1:task/shop-cluster-dev/t1', 'arn:aws:ecs:us-east-1:1:task/shop-cluster-dev/t0'] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:us-east-1:1:task/shop-cluster-dev/t1',
          taskDefinitionArn: NEW_TD,
          stoppedAt: new Date(7_000),
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'app', exitCode: 1, reason: 'Error: DATABASE_URL is not set' }],
        },
        // An old task stopped by the deployment is not a reason.
        { taskArn: 'arn:aws:ecs:us-east-1:1:task/shop-cluster-dev/t0', taskDefinitionArn: OLD_TD, stoppedAt: new Date(7_500), stoppedReason: 'Scaling activity initiated by deployment' },
      ],
    });
    const error = await waitForRollout(clients(), target, timing).catch((e) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error.exitCode).toBe(ExitCode.Failed);
    expect(error.code).toBe('rollout-failed');
    expect(error.message).toContain('circuit breaker');
    expect(error.message).toContain('t1  Essential container in task exited (app: exit 1, Error: DATABASE_URL is not set)');
    expect(error.message).not.toContain('Scaling activity');
    expect(error.message).toContain('rolling back to deployment ecs-svc/3');
    expect(error.details.stoppedTasks).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("GIVEN tasks that stop THEN the explanation carries the newest one's last log lines, from its awslogs stream", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    try {
      ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: NEW_TD }).resolves({
        taskDefinition: {
          containerDefinitions: [
            { name: 'app', image: `${REPO}@${DIGEST}`, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop-app-dev', 'awslogs-stream-prefix': 'ecommerce' } } },
          ],
        },
      });
      ecs.on(DescribeServicesCommand).resolves(svc([dep({ taskDefinition: NEW_TD, rolloutState: 'IN_PROGRESS' })]));
      ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['t-old', 't-new', 't-mid'].map((id) => `arn:aws:ecs:us-east-1:1:task/c/${id}`) });
      ecs.on(DescribeTasksCommand).resolves({
        tasks: [
          { taskArn: 'arn:aws:ecs:us-east-1:1:task/c/t-old', taskDefinitionArn: NEW_TD, stoppedAt: new Date(3_000), stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] },
          { taskArn: 'arn:aws:ecs:us-east-1:1:task/c/t-new', taskDefinitionArn: NEW_TD, stoppedAt: new Date(5_000), stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] },
          { taskArn: 'arn:aws:ecs:us-east-1:1:task/c/t-mid', taskDefinitionArn: NEW_TD, stoppedAt: new Date(4_000), stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] },
        ],
      });
      logs.on(GetLogEventsCommand).resolves({ events: [{ message: 'Error: connect ECONNREFUSED 10.0.3.4:5432\n' }, { message: 'process exited' }] });
      const error = await waitForRollout(clients(), target, { ...timing, maxStoppedTasks: 3 }).catch((e) => e);
      expect(error.code).toBe('rollout-failed');
      expect(error.message).toContain('last log lines of t-new (/ecs/shop-app-dev):\n    Error: connect ECONNREFUSED 10.0.3.4:5432\n    process exited');
      expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(1);
      expect(logs.commandCalls(GetLogEventsCommand)[0].args[0].input).toMatchObject({ logGroupName: '/ecs/shop-app-dev', logStreamName: 'ecommerce/app/t-new', startFromHead: false });
      expect(error.details.stoppedTasks[0]).toMatchObject({ taskId: 't-new', lastLogLines: ['Error: connect ECONNREFUSED 10.0.3.4:5432', 'process exited'] });
    } finally {
      logs.restore();
    }
  });

  it('GIVEN the service goes back to the old task definition after running the new one THEN exit 1', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([dep({ taskDefinition: NEW_TD, rolloutState: 'IN_PROGRESS' })]))
      .resolves(svc([dep({ taskDefinition: OLD_TD, rolloutState: 'IN_PROGRESS', runningCount: 2 })]));
    await expect(waitForRollout(clients(), target, timing)).rejects.toThrow(/rolled back/);
  });

  it('GIVEN new tasks keep stopping THEN exit 1 before the timeout, with their reasons', async () => {
    ecs.on(DescribeServicesCommand).resolves(svc([dep({ taskDefinition: NEW_TD, rolloutState: 'IN_PROGRESS', pendingCount: 1 })]));
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['a', 'b', 'c'].map((id) => `arn:aws:ecs:us-east-1:1:task/c/${id}`) });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: ['a', 'b', 'c'].map((id) => ({ taskArn: `arn:aws:ecs:us-east-1:1:task/c/${id}`, taskDefinitionArn: NEW_TD, stoppedAt: new Date(5_000), stoppedReason: 'Task failed ELB health checks' })),
    });
    const error = await waitForRollout(clients(), target, { ...timing, maxStoppedTasks: 3 }).catch((e) => e);
    expect(error.code).toBe('rollout-failed');
    expect(error.message).toMatch(/3 tasks of the new task definition stopped/);
    expect(error.message).toContain('Task failed ELB health checks');
    expect(sleeps.length).toBeLessThan(3);
  });

  it('GIVEN a rollout that never finishes THEN exit 1 after the bounded wait', async () => {
    ecs.on(DescribeServicesCommand).resolves(svc([dep({ taskDefinition: NEW_TD, rolloutState: 'IN_PROGRESS', runningCount: 1 })]));
    const error = await waitForRollout(clients(), target, { ...timing, timeoutMs: 30_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error.exitCode).toBe(ExitCode.Failed);
    expect(error.code).toBe('rollout-timeout');
    expect(error.message).toMatch(/did not finish within 30s \(IN_PROGRESS, 1\/2 tasks running\)/);
    expect(sleeps).toHaveLength(6);
  });

  it('GIVEN the service never picks up the new task definition THEN the timeout says so', async () => {
    ecs.on(DescribeServicesCommand).resolves(svc([dep({ taskDefinition: OLD_TD, rolloutState: 'COMPLETED', runningCount: 2 })]));
    await expect(waitForRollout(clients(), target, { ...timing, timeoutMs: 10_000 })).rejects.toThrow(/never used the new task definition/);
  });

  it('GIVEN a known task definition ARN THEN it needs no task definition lookups', async () => {
    ecs.on(DescribeServicesCommand).resolves(svc([dep({ taskDefinition: NEW_TD, rolloutState: 'COMPLETED', runningCount: 2 })]));
    await waitForRollout(clients(), { ...target, taskDefinitionArn: NEW_TD }, timing);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0);
  });

  it('GIVEN a missing service THEN exit 1 naming it', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    await expect(waitForRollout(clients(), target, timing)).rejects.toThrow(/shop-service-dev was not found/);
  });
});

describe('imageMatches', () => {
  it('matches by digest, or by tag when the task definition names a tag', () => {
    expect(imageMatches(`${REPO}@${DIGEST}`, target.image!)).toBe(true);
    expect(imageMatches(`${REPO}:abc1234`, target.image!)).toBe(true);
    expect(imageMatches(`${REPO}:abc1234@${DIGEST}`, target.image!)).toBe(true);
    expect(imageMatches(`${REPO}:other`, target.image!)).toBe(false);
    expect(imageMatches(`other/repo@${DIGEST}`, target.image!)).toBe(false);
  });
});
