/**
 * `tapctl exec`: the refusals before any AWS call (ECS Exec off, the plugin missing: tested for real, spawned
 * with a PATH without it), the task choice and ECS's answers with mocked AWS, and the plugin's invocation with a
 * stand-in script that records its argv and environment (the real plugin cannot be installed here).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTasksCommand, ECSClient, ExecuteCommandCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installHint } from '../../src/ecs/session-plugin.js';
import { cleanEnv, runTapctl, spawnTapctl } from '../helpers/cli.js';
import { DEV_ACCOUNT, sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

const T1 = '11111111111111111111111111111111';
const T2 = '22222222222222222222222222222222';
const arn = (id: string) => `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task/shop-cluster-dev/${id}`;
const TOKEN = 'session-token-NEVER-IN-ARGV';

let execOn: TempProject;
let execOff: TempProject;
let bin: string;
let record: string;
const sts = mockClient(STSClient);
const ecs = mockClient(ECSClient);

function task(id: string, over: Partial<Task> = {}): Task {
  return {
    taskArn: arn(id),
    lastStatus: 'RUNNING',
    startedAt: new Date(Date.now() - 60_000),
    enableExecuteCommand: true,
    containers: [{ name: 'app', runtimeId: `${id}-0527074092`, managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' }] }],
    ...over,
  };
}
function running(...tasks: Task[]): void {
  ecs.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn!) });
  ecs.on(DescribeTasksCommand).resolves({ tasks });
}
const env = () => cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake', PATH: `${bin}:${process.env.PATH}` });
const exec = (argv: string[], project = execOn) => runTapctl(['exec', ...argv], { cwd: project.dir, env: env() });

beforeAll(() => {
  const config = sampleConfig();
  (config.environments as Record<string, Record<string, unknown>>).dev.container = { exec: true };
  execOn = tempProject(config);
  execOff = tempProject();
  bin = mkdtempSync(join(tmpdir(), 'tapctl-plugin-'));
  record = join(bin, 'record.json');
  // A stand-in for session-manager-plugin: answers --version, records how a session was started.
  const script = join(bin, 'session-manager-plugin');
  writeFileSync(
    script,
    `#!/usr/bin/env node\nif (process.argv[2] === '--version') { console.log('1.2.764.0'); process.exit(0); }\nrequire('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), session: process.env.AWS_SSM_START_SESSION_RESPONSE }));\n`,
  );
  chmodSync(script, 0o755);
});
afterAll(() => {
  execOn.cleanup();
  execOff.cleanup();
  rmSync(bin, { recursive: true, force: true });
});
beforeEach(() => {
  rmSync(record, { force: true });
  sts.on(GetCallerIdentityCommand).resolves({ Account: DEV_ACCOUNT, Arn: `arn:aws:sts::${DEV_ACCOUNT}:assumed-role/dev/me` });
  ecs.on(ExecuteCommandCommand).resolves({ clusterArn: 'arn:aws:ecs:us-east-1:1:cluster/shop-cluster-dev', taskArn: arn(T1), containerName: 'app', interactive: true, session: { sessionId: 'ecs-execute-command-0a1b', streamUrl: 'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0a1b', tokenValue: TOKEN } });
});
afterEach(() => {
  sts.reset();
  ecs.reset();
});

describe('tapctl exec', () => {
  it("GIVEN a running task THEN ExecuteCommand, then the plugin started as the AWS CLI starts it, the session's token only in its environment", async () => {
    running(task(T1));
    const r = await exec(['--env', 'dev', '--', 'ls', '-la', '/app']);
    expect(r.code, r.stderr).toBe(0);
    expect(ecs.commandCalls(ExecuteCommandCommand)[0].args[0].input).toEqual({ cluster: 'shop-cluster-dev', task: arn(T1), container: 'app', command: 'ls -la /app', interactive: true });
    const launched = JSON.parse(readFileSync(record, 'utf8'));
    expect(launched.argv).toEqual(['AWS_SSM_START_SESSION_RESPONSE', 'us-east-1', 'StartSession', '', JSON.stringify({ Target: `ecs:shop-cluster-dev_${T1}_${T1}-0527074092` }), 'https://ecs.us-east-1.amazonaws.com']);
    expect(JSON.parse(launched.session)).toMatchObject({ SessionId: 'ecs-execute-command-0a1b', TokenValue: TOKEN });
    expect(JSON.stringify(launched.argv) + r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('GIVEN no command THEN a shell; GIVEN several tasks THEN the newest, said with how to pick another', async () => {
    running(task(T1, { startedAt: new Date(Date.now() - 3_600_000) }), task(T2));
    const r = await exec(['--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(ecs.commandCalls(ExecuteCommandCommand)[0].args[0].input).toMatchObject({ task: arn(T2), command: '/bin/sh' });
    expect(r.stderr).toContain(`2 tasks run; using the newest, ${T2} (--task <id> picks another)`);
  });

  it('GIVEN --task THEN that task; one that is not running is exit 1 listing those that are', async () => {
    running(task(T1), task(T2));
    expect((await exec(['--env', 'dev', '--task', arn(T1)])).code).toBe(0);
    expect(ecs.commandCalls(ExecuteCommandCommand)[0].args[0].input.task).toBe(arn(T1));
    const gone = await exec(['--env', 'dev', '--task', 'ffffffffffffffffffffffffffffffff']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`running now: ${T1}, ${T2}`);
  });

  it('GIVEN a task started before ECS Exec was enabled THEN exit 1: roll the service first, and no ExecuteCommand', async () => {
    running(task(T1, { enableExecuteCommand: false }));
    const r = await exec(['--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`task ${T1} started before ECS Exec was enabled, so it has no exec agent: roll the service first`);
    expect(r.stderr).toContain('tapctl deploy --env dev rolls the tasks that predate ECS Exec');
    expect(ecs.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });

  it("GIVEN ECS answers TargetNotConnectedException THEN exit 1 saying what to do, not ECS's words", async () => {
    running(task(T1));
    ecs.on(ExecuteCommandCommand).rejects(Object.assign(new Error('The execute command failed due to an internal error. Try again later.'), { name: 'TargetNotConnectedException', $metadata: {} }));
    const r = await exec(['--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ECS Exec cannot reach task ${T1}: its agent is not connected`);
    expect(r.stderr).toContain('roll the service first');
    expect(r.stderr).not.toContain('TargetNotConnectedException');
  });

  it('GIVEN the exec agent is not running yet THEN exit 1 with its status', async () => {
    running(task(T1, { containers: [{ name: 'app', runtimeId: 'r', managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: 'PENDING' }] }] }));
    const r = await exec(['--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the ECS Exec agent of task ${T1} is pending`);
  });

  it('GIVEN no running task THEN exit 1', async () => {
    running();
    const r = await exec(['--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('shop-service-dev runs no task to exec into');
  });
});

describe('tapctl exec: refusals', () => {
  it('GIVEN container.exec off THEN exit 2 before any AWS call, saying how to turn it on', async () => {
    const r = await exec(['--env', 'dev'], execOff);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ECS Exec is off for 'dev' (container.exec)");
    expect(r.stderr).toContain('set container.exec: true');
    expect(sts.calls()).toHaveLength(0);
  });

  it('GIVEN credentials for another account THEN exit 3, no session', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/x/y' });
    const r = await exec(['--env', 'dev']);
    expect(r.code).toBe(3);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('--json is exit 2 (the session is the output); a bad --task is exit 2', async () => {
    expect((await exec(['--env', 'dev', '--json'])).code).toBe(2);
    const bad = await exec(['--env', 'dev', '--task', 'web-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--task 'web-1' is not an ECS task ID");
    expect(sts.calls()).toHaveLength(0);
  });

  it('the real binary without session-manager-plugin on PATH: exit 2 naming how to install it, before any AWS call', async () => {
    // No credentials at all: had exec asked AWS anything, it would have said so instead.
    const r = await spawnTapctl(['exec', '--env', 'dev'], { cwd: execOn.dir, env: cleanEnv({ PATH: '/usr/bin:/bin' }) });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("tapctl exec needs AWS's session-manager-plugin, which is not on your PATH");
    expect(r.stderr).toMatch(/hint: install it, then run tapctl exec again\. (Debian\/Ubuntu|RHEL)/);
    expect(r.stderr).not.toMatch(/credentials|account/i);
  });

  it('says how to install the plugin for each platform', () => {
    expect(installHint({ os: 'darwin', arch: 'arm64', hasDpkg: false })).toContain('/latest/mac_arm64/session-manager-plugin.pkg');
    expect(installHint({ os: 'darwin', arch: 'x64', hasDpkg: false })).toContain('/latest/mac/session-manager-plugin.pkg');
    expect(installHint({ os: 'linux', arch: 'x64', hasDpkg: true })).toMatch(/ubuntu_64bit\/session-manager-plugin\.deb" && sudo dpkg -i/);
    expect(installHint({ os: 'linux', arch: 'arm64', hasDpkg: true })).toContain('ubuntu_arm64/session-manager-plugin.deb');
    expect(installHint({ os: 'linux', arch: 'x64', hasDpkg: false })).toMatch(/sudo yum install -y ".*linux_64bit\/session-manager-plugin\.rpm"/);
    expect(installHint({ os: 'linux', arch: 'arm64', hasDpkg: false })).toContain('linux_arm64/session-manager-plugin.rpm');
    // Homebrew first on macOS, the pkg for a Mac without it; a Linux with neither dpkg nor rpm; Windows.
    expect(installHint({ os: 'darwin', arch: 'arm64', hasDpkg: false })).toMatch(/^macOS \(Apple silicon\): brew install --cask session-manager-plugin; or without Homebrew: curl/);
    expect(installHint({ os: 'darwin', arch: 'x64', hasDpkg: false })).toMatch(/^macOS \(Intel\): brew install --cask session-manager-plugin/);
    expect(installHint({ os: 'linux', arch: 'x64', hasDpkg: false, hasRpm: true })).toMatch(/^RHEL\/Amazon Linux\/Fedora \(x86_64\): sudo yum install/);
    expect(installHint({ os: 'linux', arch: 'x64', hasDpkg: false, hasRpm: false })).toMatch(/^Linux without dpkg or rpm: install it from https:\/\/docs\.aws\.amazon\.com\/systems-manager\/latest\/userguide\/session-manager-working-with-install-plugin\.html/);
    expect(installHint({ os: 'win32', arch: 'x64', hasDpkg: false })).toContain('/latest/windows/SessionManagerPluginSetup.exe');
  });
});
