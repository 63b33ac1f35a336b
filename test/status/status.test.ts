/** `tapctl status` against mocked AWS (aws-sdk-client-mock on the real clients), run in-process. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, ListServiceDeploymentsCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { StatusDocument } from '../../src/status/schema.js';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { ALARM_KEYS, alarm, awsError, DIGEST_A, DIGEST_B, deployment, healthyEnvironment, minutesAgo, OUTPUTS, REPO, service, stack, STACK } from './aws-mocks.js';
import { validate } from './json-schema.js';

const SCHEMA = JSON.parse(readFileSync(new URL('../../docs/status-schema.json', import.meta.url), 'utf8'));
const awsEnv = cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIATESTSTATUS', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_EC2_METADATA_DISABLED: 'true' });

let project: TempProject;
let aws: ReturnType<typeof healthyEnvironment>;

beforeEach(() => {
  project = tempProject(sampleConfig());
  aws = healthyEnvironment();
  // status asks the SDK's credential chain first, and the chain reads the process environment, not runCli's.
  for (const [k, v] of Object.entries(awsEnv)) if (k.startsWith('AWS_')) vi.stubEnv(k, v);
});
afterEach(() => {
  aws.reset();
  project.cleanup();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

const status = (...args: string[]) => runTapctl(['status', '--env', 'dev', ...args], { cwd: project.dir, env: awsEnv });
/** status read by `| head -n <lines>`. */
const statusHead = (lines: number, ...args: string[]) => runTapctl(['status', '--env', 'dev', ...args], { cwd: project.dir, env: awsEnv, readerGoneAfterLines: lines });

async function statusJson(...args: string[]): Promise<StatusDocument> {
  const r = await status('--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as StatusDocument;
  expect(validate(SCHEMA, doc, { strict: true })).toEqual([]);
  return doc;
}

describe('tapctl status', () => {
  it('shows a healthy environment, section by section, and exits 0', async () => {
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    // The result is stdout (`tapctl status --env dev | less`); stderr holds no section of it.
    expect(r.stderr).not.toMatch(/Stack TapStack-shop-dev/);
    const out = r.stdout;
    expect(out).toMatch(/Stack TapStack-shop-dev\s+dev · 111111111111 · us-east-1/);
    expect(out).toMatch(/status\s+UPDATE_COMPLETE/);
    expect(out).toMatch(/last updated\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(30 min ago\)/);
    expect(out).toMatch(/termination protection\s+off/);
    expect(out).toMatch(/operation\s+none in progress/);
    expect(out).toMatch(/site\s+https:\/\/d111111abcdef8\.cloudfront\.net\n/);
    expect(out).toMatch(/api\s+https:\/\/abc123\.execute-api\.us-east-1\.amazonaws\.com\/development\//);
    expect(out).toMatch(/alb\s+http:\/\/shop-alb-dev-123\.us-east-1\.elb\.amazonaws\.com/);
    expect(out).toMatch(/service\s+shop-service-dev on shop-cluster-dev/);
    expect(out).toMatch(/tasks\s+2 desired · 2 running · 0 pending/);
    expect(out).toMatch(/deployment\s+PRIMARY · COMPLETED · shop-app-dev:7 · 2\/2 running/);
    expect(out).toMatch(/image\s+shop-app-dev:v7 sha256:aaaaaaaaaaaa/);
    expect(out).toMatch(/event\s+\d\d-\d\d \d\d:\d\d\s+\(service shop-service-dev\) has reached a steady state\./);
    expect(out).toMatch(/health\s+2 healthy · 0 unhealthy/);
    expect(out).toMatch(/writer\s+shop-db-dev-writer · available · db\.serverless/);
    expect(out).toMatch(/reader\s+shop-db-dev-reader · available · db\.serverless/);
    expect(out).toMatch(/engine\s+aurora-postgresql 16\.4/);
    expect(out).toMatch(/capacity\s+0\.5–2 ACU \(Serverless v2\)/);
    expect(out).toMatch(/in ALARM\s+0 of 11/);
    expect(out).toMatch(/✔ stable\s+no stack operation or service rollout in progress/);
    expect(out).not.toContain('Outputs');
    // Sections in the documented order.
    const order = ['Stack', 'Endpoints', 'Service', 'Targets', 'Database', 'Alarms'].map((t) => out.search(new RegExp(`^${t}`, 'm')));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
  });

  it('makes one DescribeStacks and looks the names up from the outputs and env.names', async () => {
    await status();
    expect(aws.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: STACK });
    expect(aws.ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'shop-cluster-dev', services: ['shop-service-dev'] });
    const alarms = aws.cw.commandCalls(DescribeAlarmsCommand)[0].args[0].input.AlarmNames;
    expect(alarms).toHaveLength(11);
    expect(alarms).toContain('shop-dev-alb-5xx-errors');
    expect(aws.rds.commandCalls(DescribeDBClustersCommand)[0].args[0].input).toEqual({ DBClusterIdentifier: 'shop-db-dev' });
  });

  it('--outputs lists every stack output', async () => {
    const r = await status('--outputs');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Outputs$/m);
    for (const [key, value] of Object.entries(OUTPUTS)) expect(r.stdout).toMatch(new RegExp(`${key}\\s+${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  });

  it('shows a rollout in progress: both deployments, and the verdict says what is moving', async () => {
    aws.ecs.on(DescribeServicesCommand).resolves({
      services: [
        service({
          runningCount: 3,
          pendingCount: 1,
          deployments: [
            deployment({ id: 'ecs-svc/200', taskDefinition: 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:8', runningCount: 1, pendingCount: 1, rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment ecs-svc/200 in progress.' }),
            deployment({ status: 'ACTIVE' }),
          ],
        }),
      ],
    });
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deployment\s+PRIMARY · IN_PROGRESS · shop-app-dev:8 · 1\/2 running · 1 pending\s+ECS deployment ecs-svc\/200 in progress\./);
    expect(r.stdout).toMatch(/deployment\s+ACTIVE · COMPLETED · shop-app-dev:7 · 2\/2 running/);
    expect(r.stdout).toMatch(/! in-progress\s+deployment ecs-svc\/200 \(shop-app-dev:8\) is rolling out: 1\/2 running/);

    const doc = await statusJson();
    expect(doc.summary.state).toBe('in-progress');
    expect(doc.service.state === 'ok' && doc.service.data.deployments.map((d) => [d.status, d.rolloutState, d.revision])).toEqual([
      ['PRIMARY', 'IN_PROGRESS', 8],
      ['ACTIVE', 'COMPLETED', 7],
    ]);
  });

  it('a canary environment shows the stage of its rollout (ECS service deployment) and the verdict says it is moving', async () => {
    project.cleanup();
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', deployment: { strategy: 'canary' } } } }));
    const arn = 'arn:aws:ecs:us-east-1:111111111111:service-deployment/shop-cluster-dev/shop-service-dev/abc';
    aws.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: arn, status: 'IN_PROGRESS' }] });
    aws.ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: arn, status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', startedAt: minutesAgo(3), targetServiceRevision: { requestedProductionTrafficWeight: 5 } }],
    });
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rollout\s+canary · IN_PROGRESS · PRODUCTION_TRAFFIC_SHIFT · 5% of production traffic on the new release/);
    expect(r.stdout).toMatch(/! in-progress\s+canary rollout of shop-service-dev is IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT, 5% of production traffic shifted/);
    // Only the deployments in progress are asked for.
    expect(aws.ecs.commandCalls(ListServiceDeploymentsCommand)[0]!.args[0].input.status).toEqual(['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED']);

    const doc = await statusJson();
    expect(doc.summary.state).toBe('in-progress');
    expect(doc.service.state === 'ok' && doc.service.data.rollout).toEqual({ strategy: 'canary', serviceDeployment: arn, status: 'IN_PROGRESS', stage: 'PRODUCTION_TRAFFIC_SHIFT', percent: 5, startedAt: minutesAgo(3).toISOString(), alarms: [] });

    // None in progress: null, and the environment is stable again.
    aws.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const after = await statusJson();
    expect(after.summary.state).toBe('stable');
    expect(after.service.state === 'ok' && after.service.data.rollout).toBeNull();
  });

  it('shows the effective strategy, and a canary rollout that cannot be read is "unknown", never stable: --until-stable exits 1 (qa5 P2 #3, P3)', async () => {
    project.cleanup();
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', deployment: { strategy: 'canary' } } } }));
    aws.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const idle = await status();
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.stdout).toMatch(/strategy\s+canary 5% for 10m, then 100%; bake 10m \(~20m\); rolls back on alb-5xx-errors, api-5xx-errors, api-high-latency/);
    const doc = await statusJson();
    expect(doc.service.state === 'ok' && doc.service.data.deploymentPlan).toEqual({ strategy: 'canary', summary: 'canary 5% for 10m, then 100%; bake 10m (~20m); rolls back on alb-5xx-errors, api-5xx-errors, api-high-latency' });

    aws.ecs.on(ListServiceDeploymentsCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecs:ListServiceDeployments'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const denied = await statusJson();
    expect(denied.summary.state).toBe('unknown');
    expect(denied.summary.reasons[0]).toMatch(/^the canary rollout of shop-service-dev could not be read/);
    const until = await status('--until-stable');
    expect(until.code, until.stderr).toBe(1);
    expect(until.stdout + until.stderr).not.toMatch(/✔ stable/);
    expect(until.stderr).toContain('tapctl cannot say it is stable');
  });

  it('a canary environment shows both target groups with the production rule\'s weights, and traffic on the group without tasks (qa5 P2 #2)', async () => {
    project.cleanup();
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', deployment: { strategy: 'canary' } } } }));
    const rule = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/shop-alb-dev/1/2/3';
    const tgArn = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/${name}/0123456789abcdef`;
    aws.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    aws.ecs.on(DescribeServicesCommand).resolves({ services: [service({ loadBalancers: [{ targetGroupArn: tgArn('shop-tg-dev'), advancedConfiguration: { productionListenerRule: rule, alternateTargetGroupArn: tgArn('shop-tg2-dev'), roleArn: 'r' } }] })], failures: [] });
    aws.elb.on(DescribeTargetGroupsCommand).callsFake((i: { Names?: string[] }) => ({ TargetGroups: [{ TargetGroupName: i.Names![0], TargetGroupArn: tgArn(i.Names![0]!) }] }));
    // The release ECS last moved runs in the second group: two healthy tasks there, none in the first.
    aws.elb.on(DescribeTargetHealthCommand).callsFake((i: { TargetGroupArn?: string }) => ({ TargetHealthDescriptions: i.TargetGroupArn!.includes('shop-tg2-dev') ? [1, 2].map((n) => ({ Target: { Id: `10.0.0.${n}`, Port: 8080 }, TargetHealth: { State: 'healthy' } })) : [] }));
    const weights = (w1: number, w2: number) => aws.elb.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: rule, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn('shop-tg-dev'), Weight: w1 }, { TargetGroupArn: tgArn('shop-tg2-dev'), Weight: w2 }] } }] }] });
    weights(0, 100);
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/target group\s+shop-tg-dev\s+weight 0\n\s+health\s+0 healthy · 0 unhealthy\n\s+target group\s+shop-tg2-dev\s+weight 100\n\s+health\s+2 healthy · 0 unhealthy/);
    const doc = await statusJson();
    expect(doc.targets.state === 'ok' && doc.targets.data).toMatchObject({ targetGroup: 'shop-tg-dev', healthy: 0, alternate: { targetGroup: 'shop-tg2-dev', healthy: 2 }, weights: { 'shop-tg-dev': 0, 'shop-tg2-dev': 100 } });
    expect(doc.targets.state === 'ok' && doc.targets.data.stranded).toBeUndefined();

    weights(100, 0);
    const stranded = await status();
    expect(stranded.stdout).toContain('the production rule sends traffic to shop-tg-dev, which has no healthy tasks, while shop-tg2-dev has them');
  });

  it('shows a failed rollout (circuit breaker) and --until-stable exits 1', async () => {
    aws.ecs.on(DescribeServicesCommand).resolves({
      services: [
        service({
          runningCount: 2,
          deployments: [
            deployment({ id: 'ecs-svc/300', taskDefinition: 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:9', runningCount: 0, failedTasks: 4, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }),
            deployment({ status: 'ACTIVE' }),
          ],
          events: [{ createdAt: minutesAgo(1), message: '(service shop-service-dev) (deployment ecs-svc/300) deployment failed: tasks failed to start.' }],
        }),
      ],
    });
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deployment\s+PRIMARY · FAILED · shop-app-dev:9 · 0\/2 running · 4 failed\s+ECS deployment circuit breaker: tasks failed to start\./);
    expect(r.stdout).toMatch(/✖ failed\s+deployment ecs-svc\/300 \(shop-app-dev:9\) failed: ECS deployment circuit breaker/);

    const until = await status('--until-stable');
    expect(until.code).toBe(1);
    expect(until.stderr).toMatch(/✖ dev settled, but not as asked: deployment ecs-svc\/300 \(shop-app-dev:9\) failed/);
    expect(until.stderr).toContain('hint: the service events above say why');
  });

  it('lists the alarms in ALARM with since-when, the longest-firing first', async () => {
    aws.cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: ALARM_KEYS.map((k) =>
        k === 'alb-5xx-errors'
          ? alarm(k, { StateValue: 'ALARM', StateUpdatedTimestamp: minutesAgo(5), StateReason: 'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (10.0).' })
          : k === 'ecs-high-cpu'
            ? alarm(k, { StateValue: 'ALARM', StateUpdatedTimestamp: minutesAgo(90) })
            : alarm(k),
      ),
    });
    const r = await status();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/in ALARM\s+2 of 11/);
    const cpu = r.stdout.search(/shop-dev-ecs-high-cpu\s+ALARM since .* \(1 h ago\)/);
    const fivexx = r.stdout.search(/shop-dev-alb-5xx-errors\s+ALARM since .* \(5 min ago\)\s+Threshold Crossed: 1 datapoint \[42\.0\]/);
    expect(cpu).toBeGreaterThan(0);
    expect(fivexx).toBeGreaterThan(cpu);

    const doc = await statusJson();
    expect(doc.alarms.state === 'ok' && doc.alarms.data.firing.map((a) => a.key)).toEqual(['ecs-high-cpu', 'alb-5xx-errors']);
  });

  it('not deployed: one clear line, how to deploy, exit 1', async () => {
    aws.cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', `Stack with id ${STACK} does not exist`));
    const r = await status();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `✖ environment 'dev' is not deployed: there is no stack ${STACK} in account 111111111111 (us-east-1)\n  hint: deploy it with: tapctl deploy --env dev\n`,
    );
    const json = await status('--json');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ ok: false, error: { code: 'not-deployed', exitCode: 1 } });
    expect(validate(SCHEMA, doc, { strict: false })).toEqual([]);
  });

  it('a stack operation in progress: says so, and the verdict is in-progress', async () => {
    aws.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({ StackStatus: 'UPDATE_IN_PROGRESS' })] });
    const r = await status();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/status\s+UPDATE_IN_PROGRESS/);
    expect(r.stdout).toMatch(/operation\s+UPDATE_IN_PROGRESS in progress/);
    expect(r.stdout).toMatch(/! in-progress\s+stack TapStack-shop-dev is UPDATE_IN_PROGRESS/);
    expect((await statusJson()).stack).toMatchObject({ status: 'UPDATE_IN_PROGRESS', operationInProgress: true });
  });

  it('--until-stable refreshes until the stack operation completes, then exits 0', async () => {
    aws.cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack({ StackStatus: 'UPDATE_IN_PROGRESS' })] })
      .resolves({ Stacks: [stack({ StackStatus: 'UPDATE_COMPLETE' })] });
    const r = await status('--until-stable', '--watch', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/refresh \d/g)).toEqual(['refresh 1', 'refresh 2']);
    expect(r.stdout).toMatch(/✔ stable/);
    // The account is checked once per watch, not on every refresh.
    expect(aws.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('--until-stable rides out a network blip after the first look', async () => {
    aws.cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack({ StackStatus: 'UPDATE_IN_PROGRESS' })] })
      .rejectsOnce(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }))
      .resolves({ Stacks: [stack()] });
    const r = await status('--until-stable', '--watch', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! refresh 2 failed: could not reach AWS while reading stack TapStack-shop-dev: .*; trying again in 1 s/);
    expect(r.stdout.match(/· refresh \d/g)).toEqual(['· refresh 1', '· refresh 3']);
  });

  it('--until-stable exits 1 when the update ends rolled back', async () => {
    aws.cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack({ StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' })] })
      .resolves({ Stacks: [stack({ StackStatus: 'UPDATE_ROLLBACK_COMPLETE', StackStatusReason: 'Resource update cancelled' })] });
    const r = await status('--until-stable', '--watch', '1', '--json');
    expect(r.code).toBe(1);
    // Strict NDJSON: every stdout line is one JSON value; the failure closes the stream as a result event.
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    const docs = lines.map((l) => JSON.parse(l));
    for (const d of docs.slice(0, 2)) expect(validate(SCHEMA, d, { strict: true })).toEqual([]);
    expect(docs.slice(0, 2).map((d) => d.summary.state)).toEqual(['in-progress', 'failed']);
    expect(docs[2]).toMatchObject({ type: 'result', ok: false, error: { exitCode: 1 } });
    expect(r.stderr).toContain('stack TapStack-shop-dev is UPDATE_ROLLBACK_COMPLETE: Resource update cancelled');
  });

  it('partial permissions: the denied section says so, the others still show, exit 0', async () => {
    aws.ecs
      .on(DescribeServicesCommand)
      .rejects(awsError('AccessDeniedException', 'User: arn:aws:sts::111111111111:assumed-role/readonly/me is not authorized to perform: ecs:DescribeServices on resource: arn:aws:ecs:us-east-1:111111111111:service/shop-cluster-dev/shop-service-dev'));
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Service\n  ✖ not shown: AWS denied access \(ecs:DescribeServices\)\s+your role needs this permission$/m);
    expect(r.stdout).toMatch(/health\s+2 healthy/);
    expect(r.stdout).toMatch(/in ALARM\s+0 of 11/);
    expect(r.stdout).toMatch(/engine\s+aurora-postgresql/);
    expect(r.stdout).toMatch(/✔ stable\s+no stack operation in progress; the service rollout could not be read/);

    const doc = await statusJson();
    expect(doc.service).toMatchObject({ state: 'error', error: { code: 'access-denied' } });
    expect(doc.targets.state).toBe('ok');
  });

  it('a denied call inside a section leaves a note and keeps the rest', async () => {
    aws.ecs.on(ListTasksCommand).rejects(awsError('AccessDeniedException', 'User: x is not authorized to perform: ecs:ListTasks'));
    const r = await status();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/image\s+shop-app-dev:v7 \(digest unknown\)/);
    expect(r.stdout).toContain('! ecs:ListTasks denied: running digests unknown');
  });

  it('wrong account: refused like deploy, exit 3, nothing about the stack shown', async () => {
    aws.sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/other' });
    const r = await status();
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("refusing to touch account 999999999999: environment 'dev' belongs to account 111111111111");
    expect(r.stdout).not.toContain('Stack ');
    expect(aws.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
  });

  it('missing resources are shown as absent, not as errors', async () => {
    aws.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });
    aws.rds.on(DescribeDBClustersCommand).rejects(awsError('DBClusterNotFoundFault', 'DBCluster shop-db-dev not found.'));
    const r = await status();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Service\n  – service shop-service-dev not found in cluster shop-cluster-dev$/m);
    expect(r.stdout).toMatch(/^Database\n  – database cluster shop-db-dev not found$/m);
    const doc = await statusJson();
    expect(doc.database).toEqual({ state: 'absent', reason: 'database cluster shop-db-dev not found' });
  });

  it('unhealthy targets are counted, with their reasons', async () => {
    aws.elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.10', Port: 3000 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: '10.0.2.10', Port: 3000 }, TargetHealth: { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [502]' } },
      ],
    });
    const r = await status();
    expect(r.stdout).toMatch(/health\s+1 healthy · 1 unhealthy/);
    expect(r.stdout).toMatch(/10\.0\.2\.10:3000\s+unhealthy Target\.ResponseCodeMismatch\s+Health checks failed with these codes: \[502\]/);
  });

  it('shows the current release from the ledger, and says plainly when what runs differs from it', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed', image: { repository: REPO, tag: 'v8', digest: DIGEST_B }, by: { arn: 'arn:aws:sts::111111111111:assumed-role/ci/gh', ciActor: 'octo', runUrl: 'https://github.com/acme/shop/actions/runs/7' }, at: minutesAgo(10).toISOString() });
    seedLedger(aws.ledger, [pushed], pushed);
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Release\n {2}current {3}000008 · v8 sha256:bbbbbbbbbbbb · pushed\n {2}by {8}octo \(arn:aws:sts::111111111111:assumed-role\/ci\/gh\) {2}https:\/\/github.com\/acme\/shop\/actions\/runs\/7\n {2}recorded {2}.*\(10 min ago\)\n {2}ledger {4}\/tapctl\/shop\/dev\/$/m);
    expect(r.stdout).toContain('! release 000008 (v8@sha256:bbbbbbbbbbbb) is pushed but not deployed yet; the service runs v7@sha256:aaaaaaaaaaaa: tapctl deploy --env dev rolls it out');
    const doc = await statusJson();
    expect(doc.service.state === 'ok' && doc.service.data.image).toMatchObject({ running: { tag: 'v7', digest: DIGEST_A }, lastPushed: { tag: 'v8', digest: DIGEST_B }, matchesLastPushed: false });
    expect(doc.release).toMatchObject({ state: 'ok', data: { ledger: '/tapctl/shop/dev/', current: { id: '000008', outcome: 'pushed', by: { ciActor: 'octo' } }, drift: [expect.stringContaining('pushed but not deployed yet')] } });

    const deployed = releaseRecord(9, { image: { repository: REPO, tag: 'v7', digest: DIGEST_A } });
    seedLedger(aws.ledger, [deployed], deployed);
    const same = await statusJson();
    expect(same.release).toMatchObject({ state: 'ok', data: { current: { id: '000009' }, drift: [] } });
    expect(same.service.state === 'ok' && same.service.data.image.matchesLastPushed).toBe(true);
  });

  it('reports a config pin that differs from what runs, and a denied ledger read without hiding the other sections', async () => {
    project.cleanup();
    const base = sampleConfig();
    project = tempProject({ ...base, defaults: { ...(base.defaults as object), container: { image: { tag: 'v9' } } } });
    const pinned = await statusJson();
    expect(pinned.release).toMatchObject({ state: 'ok', data: { current: null, pinned: { tag: 'v9' }, drift: ['the config pins v9 (container.image): the next deploy runs it, not v7@sha256:aaaaaaaaaaaa'] } });

    aws.ledger.deny.add('GetParameters');
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Release\n {2}✖ not shown: AWS denied access \(ssm:GetParameters\) {2}your role needs this permission$/m);
    expect(r.stdout).toMatch(/service\s+shop-service-dev on shop-cluster-dev/);
    const doc = await statusJson();
    expect(doc.release).toMatchObject({ state: 'error', error: { code: 'access-denied', message: expect.stringContaining('arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/current') } });
  });

  it('--probe sends GET to each endpoint health path and shows status code and latency; never to the load balancer, which answers CloudFront only', async () => {
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      fetched.push(url);
      expect(init.signal).toBeInstanceOf(AbortSignal);
      if (url.includes('cloudfront')) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
      return new Response('{}', { status: url.includes('elb') ? 503 : 200 });
    });
    const r = await status('--probe');
    expect(r.code).toBe(0);
    expect(fetched.sort()).toEqual([
      'https://abc123.execute-api.us-east-1.amazonaws.com/development/health',
      'https://d111111abcdef8.cloudfront.net/health',
    ]);
    expect(r.stdout).toMatch(/api\s+https:\/\/abc123\S+\s+GET \/development\/health 200 \d+ ms/);
    expect(r.stdout).toMatch(/alb\s+http:\/\/shop-alb\S+\s+not probed: the load balancer answers CloudFront only; probe the site instead/);
    expect(r.stdout).toMatch(/site\s+https:\/\/d111\S+\s+GET \/health host not found \(ENOTFOUND\)/);
    const doc = await statusJson('--probe');
    expect(doc.endpoints.find((e) => e.name === 'alb')).toMatchObject({ probe: null, notProbed: 'the load balancer answers CloudFront only; probe the site instead' });
  });

  it('--json: one document that validates against docs/status-schema.json, outputs always included', async () => {
    const doc = await statusJson();
    expect(doc.schemaVersion).toBe(1);
    expect(doc.summary).toEqual({ state: 'stable', reasons: [] });
    expect(doc.outputs).toEqual(OUTPUTS);
    expect(doc.environment).toEqual({ name: 'dev', project: 'shop', account: '111111111111', region: 'us-east-1', stackName: STACK });
    expect(doc.endpoints.map((e) => [e.name, e.probe])).toEqual([
      ['site', null],
      ['api', null],
      ['alb', null],
    ]);
  });

  it('--watch: plain repeated blocks off a terminal; Ctrl-C ends it with exit 0', async () => {
    const controller = new AbortController();
    aws.cfn.on(DescribeStacksCommand).callsFake(async () => {
      // Ctrl-C while the second refresh is being read.
      if (aws.cfn.commandCalls(DescribeStacksCommand).length === 2) controller.abort();
      return { Stacks: [stack()] };
    });
    const r = await runTapctl(['status', '--env', 'dev', '--watch', '1'], { cwd: project.dir, env: awsEnv, signal: controller.signal });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/refresh 1/g)).toHaveLength(1);
    expect(r.stdout).not.toContain('\x1b[2J');
  });

  it('--watch read by `| head -3`: ends once the reader has gone, exit 0, without Ctrl-C', async () => {
    aws.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack()] });
    const r = await statusHead(3, '--watch', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/refresh 1/g)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('--until-stable read by `| head -1` still waits for its answer (its exit code is the point)', async () => {
    let calls = 0;
    aws.cfn.on(DescribeStacksCommand).callsFake(async () => ({ Stacks: [stack(++calls < 3 ? { StackStatus: 'UPDATE_IN_PROGRESS' } : {})] }));
    const r = await statusHead(1, '--until-stable', '--watch', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(calls).toBe(3);
  });

  it('--watch ended by SIGTERM (a cancelled CI job) exits 143, with one result line', async () => {
    const controller = new AbortController();
    aws.cfn.on(DescribeStacksCommand).callsFake(async () => {
      if (aws.cfn.commandCalls(DescribeStacksCommand).length === 2) controller.abort('SIGTERM');
      return { Stacks: [stack()] };
    });
    const r = await runTapctl(['status', '--env', 'dev', '--watch', '1', '--json'], { cwd: project.dir, env: awsEnv, signal: controller.signal });
    expect(r.code, r.stderr).toBe(143);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'result');
    expect(results).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'interrupted', exitCode: 143 }) })]);
  });

  it('--until-stable cut short by Ctrl-C exits 130', async () => {
    const controller = new AbortController();
    aws.cfn.on(DescribeStacksCommand).callsFake(async () => {
      setTimeout(() => controller.abort(), 50);
      return { Stacks: [stack({ StackStatus: 'UPDATE_IN_PROGRESS' })] };
    });
    const r = await runTapctl(['status', '--env', 'dev', '--until-stable'], { cwd: project.dir, env: awsEnv, signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted before the environment was stable');
  });

  it('Ctrl-C during a single look exits 130', async () => {
    const controller = new AbortController();
    aws.cfn.on(DescribeStacksCommand).callsFake(async () => {
      controller.abort();
      return { Stacks: [stack()] };
    });
    const r = await runTapctl(['status', '--env', 'dev'], { cwd: project.dir, env: awsEnv, signal: controller.signal });
    expect(r.code).toBe(130);
  });

  it('--watch on a terminal redraws in place', async () => {
    const controller = new AbortController();
    aws.cfn.on(DescribeStacksCommand).callsFake(async () => {
      // Ctrl-C while the second refresh is being read: the first one has been drawn, however slow the machine.
      if (aws.cfn.commandCalls(DescribeStacksCommand).length === 2) controller.abort();
      return { Stacks: [stack()] };
    });
    const r = await runTapctl(['status', '--env', 'dev', '--watch', '1'], { cwd: project.dir, env: awsEnv, signal: controller.signal, tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('\x1b[H\x1b[2J');
    expect(r.stdout).toMatch(/every 1 s · Ctrl-C to stop/);
  });

  it('rejects a --watch interval that is not a number of seconds', async () => {
    const r = await status('--watch', 'often');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--watch takes a number of seconds from 1 to 3600, not 'often'");
  });

  it('no credentials: exit 2 with the sign-in hint, before any AWS call', async () => {
    // No variables and no shared files: the SDK's chain finds nothing (the instance role is switched off).
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', join(project.dir, 'no-aws-config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(project.dir, 'no-aws-credentials'));
    const r = await status();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no AWS credentials found while checking your AWS identity');
    expect(aws.sts.calls()).toHaveLength(0);
    expect(aws.cfn.calls()).toHaveLength(0);
  });

  it('a request STS refuses for lack of credentials is exit 2 as well', async () => {
    aws.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    aws.cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const r = await status();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no AWS credentials found while checking your AWS identity');
  });
});

describe('tapctl status: the domain', () => {
  const CLOUDFRONT_CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const ORIGIN_CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  let acm: AwsClientStub<ACMClient>;
  beforeEach(() => {
    acm = mockClient(ACMClient);
  });
  afterEach(() => acm.restore());

  it('shows the name and each certificate with its ACM state; the site on its own name is an endpoint', async () => {
    // GIVEN dev on shop.example.com in a zone tapctl owns, its origin certificate still waiting for validation
    project.cleanup();
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', domain: { name: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } } } }));
    const outputs = { ...OUTPUTS, DomainURL: 'https://shop.example.com', CloudFrontCertificateArn: CLOUDFRONT_CERT, OriginCertificateArn: ORIGIN_CERT };
    aws.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({ Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) })] });
    acm.on(DescribeCertificateCommand, { CertificateArn: CLOUDFRONT_CERT }).resolves({ Certificate: { DomainName: 'shop.example.com', Status: 'ISSUED', NotAfter: new Date('2027-06-01T00:00:00Z'), InUseBy: ['arn:aws:cloudfront::111111111111:distribution/E1'] } });
    acm.on(DescribeCertificateCommand, { CertificateArn: ORIGIN_CERT }).resolves({ Certificate: { DomainName: 'origin.shop.example.com', Status: 'PENDING_VALIDATION' } });

    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/domain\s+https:\/\/shop\.example\.com\n/);
    expect(r.stdout).toMatch(/^Domain/m);
    expect(r.stdout).toMatch(/name\s+https:\/\/shop\.example\.com\s+zone example\.com/);
    expect(r.stdout).toMatch(/cloudfront certificate\s+ISSUED until 2027-06-01 00:00:00 UTC .*shop\.example\.com · us-east-1/);
    expect(r.stdout).toMatch(/origin certificate\s+PENDING_VALIDATION\s+origin\.shop\.example\.com · us-east-1/);

    // THEN --json carries the same, valid against the schema
    const doc = await statusJson();
    expect(doc.domain).toEqual({
      state: 'ok',
      data: {
        name: 'shop.example.com',
        url: 'https://shop.example.com',
        zone: 'example.com',
        certificates: [
          { for: 'cloudfront', name: 'shop.example.com', arn: CLOUDFRONT_CERT, region: 'us-east-1', status: 'ISSUED', notAfter: '2027-06-01T00:00:00.000Z', inUse: true },
          { for: 'origin', name: 'origin.shop.example.com', arn: ORIGIN_CERT, region: 'us-east-1', status: 'PENDING_VALIDATION', notAfter: null, inUse: false },
        ],
      },
    });
    expect(doc.endpoints.map((e) => e.name)).toEqual(['site', 'domain', 'api', 'alb']);
  });

  it('a configured domain whose deploy rolled back is "configured, not deployed", not a served URL (qa3 P1 #1)', async () => {
    // GIVEN dev configured on shop.example.com, but the stack (UPDATE_ROLLBACK_COMPLETE) has no DomainURL output
    project.cleanup();
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', domain: { name: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com', api: true } } } }));
    aws.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({ StackStatus: 'UPDATE_ROLLBACK_COMPLETE', Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) })] });

    const r = await status();
    expect(r.stdout).toMatch(/^Domain/m);
    expect(r.stdout).toContain('shop.example.com is configured but not deployed: the stack has no DomainURL output');
    expect(r.stdout).not.toMatch(/name\s+https:\/\/shop\.example\.com/);
    const doc = await statusJson();
    expect(doc.domain).toMatchObject({ state: 'absent', reason: expect.stringContaining('configured but not deployed') });
    expect(doc.endpoints.map((e) => e.name)).not.toContain('domain');
    expect(acm.calls()).toHaveLength(0);
  });

  it('the domain the stack serves is shown from its outputs even when the config names another', async () => {
    // GIVEN the config moved to www.example.com but the stack still serves shop.example.com (not deployed since)
    project.cleanup();
    project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', domain: { name: 'www.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } } } }));
    const outputs = { ...OUTPUTS, DomainURL: 'https://shop.example.com', CloudFrontCertificateArn: CLOUDFRONT_CERT };
    aws.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({ Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) })] });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { DomainName: 'shop.example.com', Status: 'ISSUED' } });
    const doc = await statusJson();
    expect(doc.domain).toMatchObject({ state: 'ok', data: { name: 'shop.example.com', url: 'https://shop.example.com', zone: null } });
  });

  it('without a domain: no Domain section, no ACM call, absent in --json', async () => {
    const r = await status();
    expect(r.stderr).not.toMatch(/^Domain/m);
    const doc = await statusJson();
    expect(doc.domain).toMatchObject({ state: 'absent' });
    expect(acm.calls()).toHaveLength(0);
  });
});
