/**
 * ECS's verdict on a blue-green, canary or linear rollout, read from its service deployments
 * (ListServiceDeployments / DescribeServiceDeployments), against a mocked ECS API and a fake clock.
 */
import { DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { describeStage, waitForServiceDeployment, type ServiceDeploymentStage } from '../../src/aws/service-deployment.js';
import { ExitCode, OperationError } from '../../src/cli/errors.js';

const ecs = mockClient(ECSClient);
const ARN = 'arn:aws:ecs:us-east-1:111111111111:service-deployment/shop-cluster-prod/shop-service-prod/abc';
const OLD_ARN = 'arn:aws:ecs:us-east-1:111111111111:service-deployment/shop-cluster-prod/shop-service-prod/old';
const target = { cluster: 'shop-cluster-prod', service: 'shop-service-prod', since: new Date(1_000_000) };
const timing = { bakeMinutes: 10, stepMinutes: 10, steps: 1 };

let clock = 0;
const sleeps: number[] = [];
const fake = {
  pollMs: 15_000,
  graceMs: 5 * 60_000,
  now: () => clock,
  sleep: async (ms: number) => {
    sleeps.push(ms);
    clock += ms;
  },
};

const sd = (over: Partial<ServiceDeployment>): ServiceDeployment => ({
  serviceDeploymentArn: ARN,
  status: 'IN_PROGRESS',
  targetServiceRevision: { arn: 'rev/2', requestedTaskCount: 2, runningTaskCount: 2 },
  ...over,
});
const clients = () => new AwsClients({ region: 'us-east-1' });

beforeEach(() => {
  ecs.reset();
  clock = 2_000_000;
  sleeps.length = 0;
  // An older deployment (before `since`) is another release's: never the one judged.
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      { serviceDeploymentArn: OLD_ARN, createdAt: new Date(500_000), status: 'SUCCESSFUL' },
      { serviceDeploymentArn: ARN, createdAt: new Date(1_500_000), status: 'IN_PROGRESS' },
    ],
  });
});
afterEach(() => ecs.reset());

const sequence = (...states: ServiceDeployment[]) => {
  let b = ecs.on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [ARN] });
  for (const s of states.slice(0, -1)) b = b.resolvesOnce({ serviceDeployments: [s] });
  b.resolves({ serviceDeployments: [states.at(-1)!] });
};

describe('waitForServiceDeployment', () => {
  it('GIVEN a canary that shifts 5 %, then all traffic, bakes and succeeds THEN it returns the verdict and reported each stage', async () => {
    sequence(
      sd({ lifecycleStage: 'SCALE_UP', targetServiceRevision: { requestedTaskCount: 2, runningTaskCount: 1 } }),
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: { requestedTaskCount: 2, runningTaskCount: 2, requestedProductionTrafficWeight: 5 } }),
      sd({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: { requestedTaskCount: 2, runningTaskCount: 2, requestedProductionTrafficWeight: 100 } }),
      sd({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: { requestedTaskCount: 2, runningTaskCount: 2, requestedProductionTrafficWeight: 100 } }),
      sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }),
    );
    const seen: ServiceDeploymentStage[] = [];
    const v = await waitForServiceDeployment(clients(), target, timing, { ...fake, onProgress: (s) => seen.push(s) });
    expect(v).toEqual({ outcome: 'succeeded', arn: ARN, alarms: [] });
    expect(seen.map((s) => [s.stage, s.percent])).toEqual([
      ['SCALE_UP', undefined],
      ['PRODUCTION_TRAFFIC_SHIFT', 5],
      ['BAKE_TIME', 100],
      ['BAKE_TIME', 100],
    ]);
    // The bake time left counts down from the plan's 10 minutes, from when the stage was first seen.
    expect(seen[2]!.bakeLeftMs).toBe(10 * 60_000);
    expect(seen[3]!.bakeLeftMs).toBe(10 * 60_000 - 15_000);
    expect(describeStage(seen[1]!)).toBe('production traffic shift, 5% of production traffic on the new release, 2/2 new tasks running');
    expect(describeStage(seen[3]!)).toContain('bake time about 10m left');
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand).every((c) => c.args[0].input.serviceDeploymentArns?.[0] === ARN)).toBe(true);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]!.args[0].input).toMatchObject({ cluster: target.cluster, service: target.service, createdAt: { after: target.since } });
  });

  it('GIVEN an alarm fires during the canary and ECS rolls back THEN exit 1 naming the alarm (split when ECS joins names with commas)', async () => {
    sequence(
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: { requestedProductionTrafficWeight: 5 } }),
      sd({ status: 'ROLLBACK_IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['shop-prod-alb-5xx-errors'] } }),
      sd({
        status: 'ROLLBACK_SUCCESSFUL',
        rollback: { reason: 'Service deployment rolled back because CloudWatch alarm(s) were triggered', startedAt: new Date(3_000_000) },
        alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['shop-prod-alb-5xx-errors,shop-prod-api-high-latency'] },
      }),
    );
    const seen: string[] = [];
    const e = await waitForServiceDeployment(clients(), target, timing, { ...fake, onProgress: (s) => seen.push(describeStage(s)) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OperationError);
    const err = e as OperationError;
    expect(err.exitCode).toBe(ExitCode.Failed);
    expect(err.code).toBe('rollout-failed');
    expect(err.message).toContain('rolled back by ECS: alarms shop-prod-alb-5xx-errors, shop-prod-api-high-latency fired');
    expect(err.details).toMatchObject({ outcome: 'rolled-back', alarms: ['shop-prod-alb-5xx-errors', 'shop-prod-api-high-latency'], serviceDeployment: ARN });
    expect(seen[1]).toMatch(/^rolling back, production traffic shift/);
  });

  it('GIVEN someone stops the deployment THEN exit 1 saying it was stopped, with no alarm blamed', async () => {
    sequence(sd({ lifecycleStage: 'BAKE_TIME' }), sd({ status: 'STOP_REQUESTED', lifecycleStage: 'BAKE_TIME' }), sd({ status: 'STOPPED', statusReason: 'stopped by user' }));
    const err = (await waitForServiceDeployment(clients(), target, timing, fake).catch((x: unknown) => x)) as OperationError;
    expect(err.code).toBe('rollout-failed');
    expect(err.message).toContain('was stopped before it finished (stopped by user): someone stopped it, or a newer deployment');
    expect(err.details).toMatchObject({ outcome: 'stopped', alarms: [] });
  });

  it('GIVEN a stage that does not move for longer than its plan plus the grace THEN exit 1 rollout-stuck naming the stage', async () => {
    sequence(sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: { requestedProductionTrafficWeight: 5 } }));
    const err = (await waitForServiceDeployment(clients(), target, timing, fake).catch((x: unknown) => x)) as OperationError;
    expect(err.code).toBe('rollout-stuck');
    expect(err.exitCode).toBe(ExitCode.Failed);
    expect(err.message).toContain('stuck: production traffic shift, 5% of production traffic');
    // The canary's 10 minutes plus the 5-minute grace, at 15-second polls: not one poll before.
    expect(clock - 2_000_000).toBeGreaterThan(15 * 60_000);
    expect(clock - 2_000_000).toBeLessThanOrEqual(15 * 60_000 + 15_000);
  });

  it('GIVEN ECS never starts a deployment after `since` THEN exit 1 rollout-stuck once the grace has passed', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: OLD_ARN, createdAt: new Date(500_000) }] });
    const err = (await waitForServiceDeployment(clients(), target, timing, fake).catch((x: unknown) => x)) as OperationError;
    expect(err.code).toBe('rollout-stuck');
    expect(err.message).toContain('ECS started no service deployment of shop-service-prod');
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(0);
  });
});
