/**
 * tapctl rollback and tapctl releases against the faked AWS: the release ledger in SSM, a real deploy
 * (toolkit-lib, change set) of the target image, and the ECS service deployment's final state as the verdict.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFingerprint } from '../../src/release/release.js';
import { runTapctl } from '../helpers/cli.js';
import { releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { sampleConfig, tempProject } from '../helpers/project.js';
import { FakeAws } from './fake-aws.js';
import { deployedWith, logicalIdOf, tapctl, templateWithImage, testEnv, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;
useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

const REPO = '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev';
const D7 = `sha256:${'7'.repeat(64)}`;
const D8 = `sha256:${'8'.repeat(64)}`;
const LEDGER = '/tapctl/shop/dev/';
const TD = (rev: number) => `arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:${rev}`;
let t7: Record<string, any>;
let t8: Record<string, any>;

/** ECS after the rollback's deploy: the service's PRIMARY deployment on `rev`, in `state`. */
function ecsRuns(rev: number, state: 'COMPLETED' | 'FAILED') {
  ecs.on(DescribeServicesCommand).resolves({
    services: [{ status: 'ACTIVE', deployments: [{ id: 'ecs-svc/9', status: 'PRIMARY', taskDefinition: TD(rev), rolloutState: state, rolloutStateReason: state === 'FAILED' ? 'ECS deployment circuit breaker: tasks failed to start.' : undefined, runningCount: state === 'FAILED' ? 0 : 2, desiredCount: 2 }] }],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: `${REPO}@${D7}` }] } });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
}

beforeEach(async () => {
  t7 ??= await templateWithImage(f, { tag: 'v7', digest: D7 });
  t8 ??= await templateWithImage(f, { tag: 'v8', digest: D8 });
  // Two healthy releases, the newer running; both deployed with the config as it is.
  const fp = configFingerprint(f.env);
  const r8 = releaseRecord(8, { configFingerprint: fp });
  seedLedger(fake.parameters, [releaseRecord(7, { configFingerprint: fp }), r8], r8);
  deployedWith(fake, t8);
  fake.nextTemplate = t7;
  fake.images = [D7, D8];
});

/** The command's JSON result: the whole of stdout, or (NDJSON) its last line. */
function resultOf(stdout: string): any {
  try {
    return JSON.parse(stdout);
  } catch {
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }
}

const ledgerRecord = (id: string) => fake.parameters.get(`${LEDGER}releases/${id}`) as Record<string, any>;
const current = () => (fake.parameters.get(`${LEDGER}current`) as { release: Record<string, any> }).release;

describe('tapctl rollback', () => {
  it('goes back to the previous healthy release: only the image changes, ECS decides, the ledger records it', async () => {
    ecsRuns(7, 'COMPLETED');
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rolling back 'dev' from release 000008 \(v8@sha256:888888888888\) to release 000007 \(v7@sha256:777777777777\)/);
    expect(r.stderr).toMatch(/✔ image {2}\S+:v7@sha256:7{64} \(release 000007, the rollback target\)/);
    expect(r.stdout).toMatch(/✔ rolled back 'dev' from release 000008 \(v8@sha256:888888888888\) to release 000007/);
    expect(r.stdout).toMatch(/release {2}000009 deployed/);
    expect(r.stdout).toMatch(/rollout {2}2\/2 tasks on shop-app-dev:7/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    const synthesized = readFileSync(join(f.project.dir, '.tapctl/dev/cdk.out/TapStack-shop-dev.template.json'), 'utf8');
    expect(synthesized).toContain(`@${D7}`);
    expect(ledgerRecord('000009')).toMatchObject({ source: 'rollback', from: '000007', rollbackOf: '000008', outcome: 'deployed', image: { tag: 'v7', digest: D7 }, taskDefinitionArn: TD(7) });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'rolled-back' });
    expect(current()).toMatchObject({ id: '000009' });

    // Again: 000008 was rolled back and 000007 is what runs, so there is nothing healthy left to go back to.
    const again = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no release of 'dev' before 000009 was deployed healthy with another image: nothing to roll back to/);
  });

  it('a rollout that rolls back is exit 1: the rollback release is marked failed, the replaced one stays deployed', async () => {
    ecsRuns(7, 'FAILED');
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the rollout of shop-service-dev failed: the deployment circuit breaker stopped it/);
    expect(ledgerRecord('000009')).toMatchObject({ source: 'rollback', outcome: 'failed' });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'deployed' });
  });

  it('--to takes a release id, a tag or a digest; --dry-run changes nothing', async () => {
    for (const to of ['7', '000007', 'v7', D7, D7.slice(0, 19)]) {
      const r = await tapctl(f, ['rollback', '--env', 'dev', '--to', to, '--dry-run', '--json']);
      expect(r.code, `${to}: ${r.stderr}`).toBe(0);
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      expect(result).toMatchObject({ type: 'result', ok: true, command: 'rollback', status: 'planned', from: { id: '000008' }, to: { id: '000007' }, deploy: { status: 'planned', image: { source: 'release', releaseId: '000007' } } });
    }
    const unknown = await tapctl(f, ['rollback', '--env', 'dev', '--to', 'v99', '--dry-run']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--to v99: no release in the ledger has that id, tag or digest/);
    expect(unknown.stderr).toMatch(/hint: recent releases: 000008 \(v8@sha256:888888888888\), 000007/);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
    expect(fake.calls('PutParameter')).toBe(0);
  });

  it('is refused (exit 3) when the config changed since the running release was deployed, naming --with-config, which deploys both', async () => {
    const r8 = releaseRecord(8, { configFingerprint: 'f'.repeat(64) });
    seedLedger(fake.parameters, [r8], r8);
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refusing to roll back 'dev': its config differs from the one release 000008 was deployed with, and a rollback changes only the image/);
    expect(r.stderr).toMatch(/hint: .*tapctl rollback --env dev --with-config/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
    const both = await tapctl(f, ['rollback', '--env', 'dev', '--with-config', '--dry-run']);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toMatch(/Plan: roll back 'dev' from release 000008/);
  });

  it('is refused (exit 3) when the template would change more than the image', async () => {
    const deployed = structuredClone(t8);
    delete deployed.Resources[logicalIdOf(deployed, 'AWS::SNS::Topic')];
    deployedWith(fake, deployed);
    fake.nextTemplate = t7;
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refusing to roll back 'dev': a rollback changes only the image, but the template would also change \w*Topic\w*/);
    expect(r.stderr).toMatch(/--with-config/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('--no-wait starts it and records the rollback as what runs next; the deployed template runs the older image', async () => {
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes', '--no-wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rollback of 'dev' from release 000008 .* started/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    expect(JSON.stringify(fake.stack?.template)).toContain(`@${D7}`);
    expect(ledgerRecord('000009')).toMatchObject({ source: 'rollback', outcome: 'pushed', from: '000007' });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'rolled-back' });
    expect(current()).toMatchObject({ id: '000009' });
    expect(ecs.calls()).toHaveLength(0);
  });

  it("is exit 1 when the target's image is no longer in ECR", async () => {
    fake.images = [D8];
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/release 000007's image v7@sha256:777777777777 is no longer in ECR repository shop-app-dev: it cannot run again/);
  });

  it('without a terminal and without --yes: refused before any AWS call (exit 3)', async () => {
    const r = await tapctl(f, ['rollback', '--env', 'dev']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rolling back 'dev' needs approval, and there is no terminal to ask/);
    expect(fake.callCounts()).toEqual({});
  });

  it('is refused (exit 3) when the config pins container.image, naming the key, before any AWS call', async () => {
    const base = sampleConfig();
    const pinned = tempProject({ ...base, defaults: { ...(base.defaults as object), container: { image: { tag: 'v5' } } } });
    try {
      const r = await runTapctl(['rollback', '--env', 'dev', '--yes'], { cwd: pinned.dir, env: testEnv() });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/refusing to roll back 'dev': container.image in tapctl.config.yaml pins v5/);
      expect(fake.callCounts()).toEqual({});
    } finally {
      pinned.cleanup();
    }
  });
});

describe('tapctl releases', () => {
  it('lists the ledger newest first, marking what runs and what is current; --limit and --json', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD(8) }] }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: `${REPO}@${D8}` }] } });
    const pushed = releaseRecord(9, { outcome: 'pushed', image: { repository: REPO, tag: 'v9', digest: `sha256:${'9'.repeat(64)}` }, by: { arn: 'arn:aws:sts::1:assumed-role/ci/x', ciActor: 'octo' } });
    seedLedger(fake.parameters, [pushed], pushed);
    fake.parameters.set(`${LEDGER}releases/000010`, 'not json');
    const r = await tapctl(f, ['releases', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Releases of 'dev' {2}\/tapctl\/shop\/dev\/ · 3 of 3/);
    const rows = r.stdout.split('\n').filter((l) => /^ {2}0000\d\d/.test(l));
    expect(rows.map((l) => l.trim().slice(0, 6))).toEqual(['000009', '000008', '000007']);
    expect(rows[0]).toMatch(/000009 {2}pushed {3}.*v9 sha256:999999999999.*octo\s+current$/);
    expect(rows[1]).toMatch(/000008 {2}deployed .*alice\s+running$/);
    expect(r.stdout).toMatch(/! \/tapctl\/shop\/dev\/releases\/000010 is not a valid release record \(not JSON\): ignored/);

    const json = await tapctl(f, ['releases', '--env', 'dev', '--limit', '2', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = resultOf(json.stdout);
    expect(doc).toMatchObject({ environment: 'dev', ledger: LEDGER, total: 3, current: '000009', running: { taskDefinitionArn: TD(8), image: { digest: D8 } } });
    expect(doc.releases.map((x: { id: string; marks: string[] }) => [x.id, x.marks])).toEqual([['000009', ['current']], ['000008', ['running']]]);

    const bad = await tapctl(f, ['releases', '--env', 'dev', '--limit', '0']);
    expect(bad.code).toBe(2);
  });

  it('shows where the environment was destroyed; a denied ledger read is exit 1 naming the action and ARN', async () => {
    fake.parameters.set(`${LEDGER}ended`, { v: 1, at: new Date().toISOString(), by: 'arn:aws:iam::111111111111:user/ci', stack: 'TapStack-shop-dev' });
    const r = await tapctl(f, ['releases', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/── ended .* by arn:aws:iam::111111111111:user\/ci \(destroy\): the releases below belong to the destroyed environment\n {2}000008/);

    fake.parameters.deny.add('GetParametersByPath');
    const denied = await tapctl(f, ['releases', '--env', 'dev']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('✖ AWS denied ssm:GetParametersByPath on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/*');
  });
});
