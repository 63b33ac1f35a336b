/**
 * `tapctl logs --since` against the AWS API emulator: a deployed stack names its log groups (the LogGroups
 * output), events seeded into the service's log group are read back by time, with a plain filter, and as NDJSON.
 * Live Tail and --follow are tested with SDK mocks (test/logs): the emulator has no StartLiveTail.
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, DescribeLogGroupsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { beforeAll, expect, it } from 'vitest';
import { e2eSuite, emulator, REGION, resetEmulator, Scenario } from './harness.js';

const STACK = 'TapStack-shop-dev';
const TASK = '0123456789abcdef0123456789abcdef';

e2eSuite(import.meta.url, 'e2e-aws: logs --since on a seeded log group', () => {
  let s: Scenario;
  let logs: CloudWatchLogsClient;
  let group: string;

  beforeAll(async () => {
    await resetEmulator();
    s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    const deployed = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(deployed.code, deployed.output).toBe(0);
    logs = new CloudWatchLogsClient({ endpoint: emulator().awsEndpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });

  it('the deployed stack names the log group of each source in its LogGroups output', async () => {
    const output = JSON.parse((await s.aws.outputs(STACK)).LogGroups);
    expect(output).toMatchObject({ app: ['/ecs/shop-app-dev'], appStreamPrefix: 'ecommerce/app', lambda: ['/aws/lambda/shop-processor-dev'], api: [] });
    group = output.app[0];
  });

  it('events seeded into the service log group are read back by --since, oldest first, one line each', async () => {
    const existing = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
    expect(existing.map((g) => g.logGroupName)).toContain(group);
    const stream = `ecommerce/app/${TASK}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const now = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: [
          { timestamp: now - 90 * 60_000, message: 'server started an hour and a half ago' },
          { timestamp: now - 5 * 60_000, message: 'migrations applied' },
          { timestamp: now - 60_000, message: 'GET /health 200' },
        ],
      }),
    );

    const recent = await s.tapctl(['logs', '--env', 'dev', '--since', '10m']);
    expect(recent.code, recent.output).toBe(0);
    const lines = recent.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/ {2,}/).slice(1).join('|'))).toEqual([`app|${TASK}|migrations applied`, `app|${TASK}|GET /health 200`]);
    expect(recent.stderr).toContain('2 log events');

    const all = await s.tapctl(['logs', '--env', 'dev', '--since', '2h', '--json']);
    expect(all.code, all.output).toBe(0);
    const events = all.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'log').map((e) => e.message)).toEqual(['server started an hour and a half ago', 'migrations applied', 'GET /health 200']);
    expect(all.result).toMatchObject({ type: 'result', ok: true, command: 'logs', via: 'filter', events: 3, logGroups: [group] });
  });

  it('--filter with a plain term reads only the matching events (the emulator knows plain terms, not JSON patterns)', async () => {
    const r = await s.tapctl(['logs', '--env', 'dev', '--since', '2h', '--filter', 'migrations']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('migrations applied');
  });

  it('a --since in the future is refused before any AWS call (exit 2)', async () => {
    const r = await s.tapctl(['logs', '--env', 'dev', '--since', '2999-01-01']);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain('is in the future');
  });
});
