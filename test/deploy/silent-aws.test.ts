/**
 * AWS that accepts connections and never answers (a stalled proxy): every toolkit-lib call tapctl makes ends with
 * "no answer from AWS" after TAPCTL_AWS_TIMEOUT_MS of silence instead of hanging, while long operations that keep
 * making progress (and a person taking their time to approve) are not cut short.
 *
 * tapctl's own SDK calls are answered by the fake AWS; toolkit-lib's role assumption (the first thing its diff,
 * deploy and destroy do) goes over the wire to a local TCP server that accepts and never replies.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DescribeChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws.js';
import { aimFake, logicalIdOf, synthesizedProject, tapctl, testEnv, type Fixture } from './setup.js';

let f: Fixture;
let fake: FakeAws;
let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();
let connections = 0;

beforeAll(async () => {
  f = await synthesizedProject();
  server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    // Read whatever comes, answer nothing.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  f.project.cleanup();
});
beforeEach(() => {
  fake = new FakeAws();
  aimFake(fake, f);
  connections = 0;
});
afterEach(() => {
  for (const s of sockets) s.destroy();
  fake.restore();
});

/** toolkit-lib's calls go to the silent server; tapctl's own stay with the fake. */
function toolkitToSilentServer(): void {
  fake.nestedSts.restore();
}

const silentEnv = (ms = 1500) => testEnv({ AWS_ENDPOINT_URL: endpoint, TAPCTL_AWS_TIMEOUT_MS: String(ms) });

describe('a silent AWS endpoint', () => {
  it('diff says what it compares first, then gives up after the quiet time, naming the endpoint (exit 1)', async () => {
    fake.deployedAsIs();
    toolkitToSilentServer();
    const started = Date.now();
    const r = await tapctl(f, ['diff', '--env', 'dev'], { env: silentEnv() });
    expect(r.code, r.stderr).toBe(1);
    // Gave up rather than waited: the SDK's own defaults would be minutes. (Seconds on an idle machine, over 10 s
    // with both cores busy: the bound is on hanging, not on speed.)
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(connections).toBeGreaterThan(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^comparing TapStack-shop-dev with the deployed stack in 111111111111\/us-east-1 \.\.\.$/);
    expect(r.stderr).toContain(`no answer from AWS within 1.5 s while comparing TapStack-shop-dev with the deployed stack (endpoint ${endpoint})`);
    expect(r.stderr).toMatch(/hint: .*TAPCTL_AWS_TIMEOUT_MS/);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it("toolkit-lib's own requests give up on an idle socket too (and the SDK retries), not only tapctl's wait", async () => {
    fake.deployedAsIs();
    toolkitToSilentServer();
    const r = await tapctl(f, ['diff', '--env', 'dev'], { env: silentEnv(1000) });
    expect(r.code, r.stderr).toBe(1);
    // Without a socket timeout the first request would wait forever and never be retried.
    for (let waited = 0; connections < 2 && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections).toBeGreaterThanOrEqual(2);
  });

  it('deploy --dry-run gives up on the comparison instead of hanging (exit 1)', async () => {
    fake.deployedAsIs();
    toolkitToSilentServer();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run'], { env: silentEnv() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/✔ database engine/);
    expect(r.stderr).toContain(`no answer from AWS within 1.5 s while comparing TapStack-shop-dev with the deployed stack (endpoint ${endpoint})`);
  });

  it('deploy gives up while creating the change set; nothing was executed (exit 1)', async () => {
    const deployed = f.template();
    delete deployed.Resources[logicalIdOf(deployed, 'AWS::SNS::Topic')];
    fake.deployedAsIs();
    fake.stack!.template = deployed;
    toolkitToSilentServer();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json'], { env: silentEnv() });
    expect(r.code, r.stderr).toBe(1);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'result', ok: false, error: { code: 'timeout', exitCode: 1 } });
    expect(last.error.message).toBe(`no answer from AWS within 1.5 s while publishing the assets of TapStack-shop-dev and creating its change set (endpoint ${endpoint})`);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
  });

  it('destroy gives up instead of hanging (exit 1)', async () => {
    fake.deployedAsIs();
    toolkitToSilentServer();
    const r = await tapctl(f, ['destroy', '--env', 'dev', '--yes'], { env: silentEnv() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`no answer from AWS within 1.5 s while deleting stack TapStack-shop-dev (endpoint ${endpoint})`);
    expect(fake.calls('DeleteStack')).toBe(0);
  });

  it('bootstrap gives up when a call never returns (exit 1)', async () => {
    fake.bootstrapVersion = undefined;
    fake.cfn.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).callsFake(() => new Promise(() => undefined));
    const r = await tapctl(f, ['bootstrap', '--env', 'dev'], { env: testEnv({ TAPCTL_AWS_TIMEOUT_MS: '500' }) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('no answer from AWS within 0.5 s while bootstrapping account 111111111111 in us-east-1 (endpoints *.us-east-1.amazonaws.com)');
  });
});

/**
 * toolkit-lib's own CPU work between two messages (reading the assembly, diffing, hashing assets) also counts as
 * silence: about 0.1 s on an idle machine, and seen above 1 s with both cores busy. The bound here stays far
 * above that, and what must outlast it (CloudFormation's progress, a person's answer) outlasts it by seconds.
 */
const QUIET_MS = 3_000;

describe('the quiet-time bound', () => {
  it('lets a deploy that keeps making progress run longer than the bound', async () => {
    const deployed = f.template();
    delete deployed.Resources[logicalIdOf(deployed, 'AWS::SNS::Topic')];
    fake.deployedAsIs();
    fake.stack!.template = deployed;
    fake.outcome = { kind: 'hang' };
    // CloudFormation takes the bound and 2 s more (polled every 5 ms).
    const started = Date.now();
    fake.onPoll = () => {
      fake.onPoll = undefined;
      setTimeout(() => {
        fake.stack = { ...fake.stack!, status: 'UPDATE_COMPLETE', template: f.template() };
      }, QUIET_MS + 2_000);
    };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes'], { env: testEnv({ TAPCTL_AWS_TIMEOUT_MS: String(QUIET_MS) }) });
    expect(Date.now() - started).toBeGreaterThan(QUIET_MS);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ deployed TapStack-shop-dev/);
  });

  it('does not count the time a person takes to approve', async () => {
    const deployed = f.template();
    delete deployed.Resources[logicalIdOf(deployed, 'AWS::SNS::Topic')];
    fake.deployedAsIs();
    fake.stack!.template = deployed;
    const slowYes = {
      input: async () => '',
      confirm: async () => {
        await new Promise((resolve) => setTimeout(resolve, QUIET_MS + 2_000));
        return true;
      },
      select: async () => '' as never,
      checkbox: async () => [],
    };
    const r = await tapctl(f, ['deploy', '--env', 'dev'], { tty: true, prompter: slowYes, env: testEnv({ TAPCTL_AWS_TIMEOUT_MS: String(QUIET_MS) }) });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
  });
});

describe('a change set that never finishes deleting (qa3 P2 #7)', () => {
  it("toolkit-lib's unbounded wait for it ends after the quiet time, though its polls are answered (exit 1)", async () => {
    // GIVEN a deployed stack with a change to make, and a CloudFormation that reports the old change set as being
    // deleted forever (the emulator's change sets are not per stack). toolkit-lib polls it every 5 s.
    fake.deployedAsIs();
    fake.stack!.template = { Resources: {} };
    fake.cfn.on(DescribeChangeSetCommand).resolves({ ChangeSetName: 'tapctl-deploy', StackName: 'TapStack-shop-dev', Status: 'DELETE_IN_PROGRESS' });
    const started = Date.now();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes'], { env: testEnv({ TAPCTL_AWS_TIMEOUT_MS: '1500' }) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('change set tapctl-deploy of stack TapStack-shop-dev did not finish deleting within 1.5 s');
    expect(r.stderr).toMatch(/hint: look at it \(aws cloudformation describe-change-set --stack-name TapStack-shop-dev --change-set-name tapctl-deploy/);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
  });
});
