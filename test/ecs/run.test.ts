/**
 * `tapctl run` against mocked AWS (aws-sdk-client-mock on the real clients): the emulator's RunTask fails for
 * awsvpc tasks, so this is where starting, waiting, log streaming and the exit codes are tested.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Prompter } from '../../src/cli/prompter.js';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { DEV_ACCOUNT, PROD_ACCOUNT, tempProject, type TempProject } from '../helpers/project.js';

const LIVE_TD = `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task-definition/shop-app-dev:9`;
const OLD_TD = `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task-definition/shop-app-dev:8`;
const TASK_ID = 'aaaabbbbccccddddeeeeffff00001111';
const TASK_ARN = `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task/shop-cluster-dev/${TASK_ID}`;
const NETWORK = { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-app'], assignPublicIp: 'DISABLED' as const };

let project: TempProject;
const sts = mockClient(STSClient);
const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);

const env = () => cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake', TAPCTL_POLL_INTERVAL_MS: '1' });
const run = (argv: string[], options: { signal?: AbortSignal; tty?: boolean; prompter?: Prompter } = {}) => runTapctl(['run', ...argv], { cwd: project.dir, env: env(), ...options });

/** DescribeTasks answers, one per poll; the last one repeats. */
function taskStates(...states: Array<Partial<Task>>): void {
  let i = 0;
  ecs.on(DescribeTasksCommand).callsFake(async () => {
    const state = states[Math.min(i++, states.length - 1)];
    return { tasks: [{ taskArn: TASK_ARN, taskDefinitionArn: LIVE_TD, ...state }] };
  });
}
const exited = (exitCode: number | undefined, extra: Partial<Task> = {}): Partial<Task> => ({
  lastStatus: 'STOPPED',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'app', ...(exitCode === undefined ? {} : { exitCode }) }],
  ...extra,
});

beforeAll(() => {
  project = tempProject();
});
afterAll(() => project.cleanup());
beforeEach(() => {
  sts.on(GetCallerIdentityCommand).callsFake(async () => ({ Account: DEV_ACCOUNT, Arn: `arn:aws:sts::${DEV_ACCOUNT}:assumed-role/dev/me` }));
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'shop-service-dev',
        status: 'ACTIVE',
        // The service's own field lags behind a deployment in progress: the PRIMARY deployment is what runs next.
        taskDefinition: OLD_TD,
        platformVersion: 'LATEST',
        networkConfiguration: { awsvpcConfiguration: NETWORK },
        deployments: [{ status: 'PRIMARY', taskDefinition: LIVE_TD }, { status: 'ACTIVE', taskDefinition: OLD_TD }],
      },
    ],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: LIVE_TD,
      containerDefinitions: [
        { name: 'app', image: `${DEV_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev:abc1234`, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop-app-dev', 'awslogs-stream-prefix': 'ecommerce' } } },
      ],
    },
  });
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: 'PROVISIONING' }], failures: [] });
  let read = 0;
  logs.on(GetLogEventsCommand).callsFake(async (input: { nextToken?: string }) => {
    read++;
    if (read === 1) throw Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' });
    if (!input.nextToken) return { events: [{ timestamp: Date.now(), message: 'migrating 3 tables' }, { timestamp: Date.now(), message: 'done\n' }], nextForwardToken: 'f/2' };
    return { events: [], nextForwardToken: input.nextToken };
  });
});
afterEach(() => {
  sts.reset();
  ecs.reset();
  logs.reset();
});

describe('tapctl run', () => {
  it("GIVEN a command THEN one FARGATE task of the PRIMARY deployment's task definition, in the service's network, its logs streamed, exit 0", async () => {
    taskStates({ lastStatus: 'PENDING' }, { lastStatus: 'RUNNING' }, exited(0));
    const r = await run(['--env', 'dev', '--', 'npm', 'run', 'migrate', '--force']);
    expect(r.code, r.stderr).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input).toMatchObject({
      cluster: 'shop-cluster-dev',
      taskDefinition: LIVE_TD,
      count: 1,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: { awsvpcConfiguration: NETWORK },
      overrides: { containerOverrides: [{ name: 'app', command: ['npm', 'run', 'migrate', '--force'] }] },
      startedBy: 'tapctl run me',
    });
    expect(input.capacityProviderStrategy).toBeUndefined();
    expect(r.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/).slice(1).join('|'))).toEqual([`app|${TASK_ID}|migrating 3 tables`, `app|${TASK_ID}|done`]);
    expect(r.stderr).toContain(`started task ${TASK_ID} of shop-app-dev:9 in shop-cluster-dev: npm run migrate --force`);
    expect(r.stderr).toContain('the command exited with 0');
    expect(logs.commandCalls(GetLogEventsCommand)[1].args[0].input).toMatchObject({ logGroupName: '/ecs/shop-app-dev', logStreamName: `ecommerce/app/${TASK_ID}`, startFromHead: true });
  });

  it('GIVEN --json THEN log events, then the result with exitCode and containerExitCode', async () => {
    taskStates(exited(0));
    const r = await run(['--env', 'dev', '--json', '--', 'true']);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'task', status: 'started', taskArn: TASK_ARN });
    expect(lines.filter((l) => l.type === 'log').map((l) => l.message)).toEqual(['migrating 3 tables', 'done\n']);
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, command: 'run', taskId: TASK_ID, status: 'stopped', exitCode: 0, containerExitCode: 0 });
  });

  it.each([3, 1, 2])('GIVEN the container exits %i THEN tapctl exits with it, and --json says it is the container’s', async (code) => {
    taskStates(exited(code));
    const r = await run(['--env', 'dev', '--json', '--', 'npm', 'test']);
    expect(r.code).toBe(code);
    const result = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!);
    expect(result).toMatchObject({ ok: false, command: 'run', error: { code: 'container-exit', exitCode: code, details: { containerExitCode: code, taskId: TASK_ID } } });
    expect(r.stderr).toContain(`the command exited with ${code}`);
  });

  it("GIVEN a task that cannot start THEN exit 1 with ECS's stopped reason, and no containerExitCode", async () => {
    taskStates({ lastStatus: 'PENDING' }, exited(undefined, { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found' }));
    const r = await run(['--env', 'dev', '--json', '--', 'npm', 'run', 'migrate']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!);
    expect(result.error).toMatchObject({ code: 'run-not-started', exitCode: 1, details: { stopCode: 'TaskFailedToStart' } });
    expect(result.error.details.containerExitCode).toBeUndefined();
    expect(r.stderr).toContain(`task ${TASK_ID} stopped before its command ran to the end: CannotPullContainerError: pull image manifest has been retried 5 time(s): not found`);
  });

  it('GIVEN ECS cannot place the task THEN exit 1 with RunTask’s failure', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free IP addresses in subnet-a' }] });
    const r = await run(['--env', 'dev', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the task could not be started: RESOURCE:ENI: no free IP addresses in subnet-a');
  });

  it('GIVEN --detach THEN it starts the task and returns without waiting', async () => {
    const r = await run(['--env', 'dev', '--detach', '--json', '--', 'npm', 'run', 'reindex']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!)).toMatchObject({ status: 'started', taskId: TASK_ID, next: [`tapctl logs --env dev --task ${TASK_ID} --follow`] });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it('GIVEN Ctrl-C while it runs THEN exit 130, and the task is left running (said with how to stop it)', async () => {
    const ctrlC = new AbortController();
    ecs.on(DescribeTasksCommand).callsFake(async () => {
      ctrlC.abort();
      return { tasks: [{ taskArn: TASK_ARN, lastStatus: 'RUNNING' }] };
    });
    const r = await run(['--env', 'dev', '--', 'sleep', '600'], { signal: ctrlC.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`interrupted: task ${TASK_ID} keeps running in ECS`);
    expect(r.stderr).toContain(`aws ecs stop-task --cluster shop-cluster-dev --task ${TASK_ID}`);
  });

  it('GIVEN the service still runs the bootstrap placeholder THEN exit 2: push an image first', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: 'repo:tapctl-bootstrap-placeholder' }] } });
    const r = await run(['--env', 'dev', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tapctl push-image --env dev --deploy');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});

describe('tapctl run: refusals', () => {
  it('GIVEN no command THEN exit 2 before any AWS call', async () => {
    const r = await run(['--env', 'dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give the command after --');
    expect(sts.calls()).toHaveLength(0);
  });

  it('GIVEN credentials for another account THEN exit 3 and nothing starts', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/x/y' });
    const r = await run(['--env', 'dev', '--', 'true']);
    expect(r.code).toBe(3);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('GIVEN production without a terminal THEN exit 3 without --yes (before any AWS call), and --yes runs it', async () => {
    const refused = await run(['--env', 'prod', '--', 'npm', 'run', 'migrate']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("running a command in production 'prod' needs approval");
    expect(sts.calls()).toHaveLength(0);

    sts.on(GetCallerIdentityCommand).resolves({ Account: PROD_ACCOUNT, Arn: `arn:aws:sts::${PROD_ACCOUNT}:assumed-role/ci/job` });
    taskStates(exited(0));
    const approved = await run(['--env', 'prod', '--yes', '--', 'npm', 'run', 'migrate']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stderr).toContain("approved with --yes: running in production 'prod'");
  });

  it('GIVEN production at a terminal THEN the person types its name; anything else starts nothing', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: PROD_ACCOUNT, Arn: `arn:aws:sts::${PROD_ACCOUNT}:assumed-role/ops/me` });
    taskStates(exited(0));
    const questions: string[] = [];
    const prompter = (answer: string): Prompter => ({
      input: async (q) => (questions.push(q.message), answer),
      confirm: async () => false,
      select: async () => {
        throw new Error('no select');
      },
      checkbox: async () => [],
    });
    const no = await run(['--env', 'prod', '--', 'npm', 'run', 'migrate'], { tty: true, prompter: prompter('dev') });
    expect(no.code).toBe(3);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    const yes = await run(['--env', 'prod', '--', 'npm', 'run', 'migrate'], { tty: true, prompter: prompter('prod') });
    expect(yes.code, yes.stderr).toBe(0);
    expect(questions[0]).toContain("Run 'npm run migrate' against PRODUCTION data in 'prod'?");
  });
});

describe('tapctl run: the command RunTask can take', () => {
  it('overrides of exactly 8192 characters pass; one more is exit 2 naming the limit, before any AWS call', async () => {
    const { checkRunCommand } = await import('../../src/ecs/run-flow.js');
    const { overridesSize, MAX_OVERRIDES_CHARS } = await import('../../src/ecs/one-off-task.js');
    const base = overridesSize('app', ['sh', '-c', '']);
    const fits = ['sh', '-c', 'x'.repeat(MAX_OVERRIDES_CHARS - base)];
    expect(overridesSize('app', fits)).toBe(8192);
    expect(() => checkRunCommand(fits, 'app')).not.toThrow();
    // The container's name is part of the overrides' JSON: a longer name tips the same command over.
    expect(() => checkRunCommand(fits, 'application')).toThrow(/RunTask allows 8192 characters of overrides \(their JSON included\), and this one makes 8200/);
    // JSON escapes count: a quote is two characters.
    expect(() => checkRunCommand(['sh', '-c', '"'.repeat(4100)], 'app')).toThrow(/and this one makes 82\d\d/);
    expect(() => checkRunCommand([' '], 'app')).toThrow(/starts with an empty word/);
  });
});
