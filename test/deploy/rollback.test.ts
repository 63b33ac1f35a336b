/**
 * tapctl rollback and tapctl releases against the faked AWS: the release ledger in SSM, a real deploy
 * (toolkit-lib, change set) of the target image, and the ECS service deployment's final state as the verdict.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prompter } from '../../src/cli/prompter.js';
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

const REPO = '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev';
const D7 = `sha256:${'7'.repeat(64)}`;
const D8 = `sha256:${'8'.repeat(64)}`;
const LEDGER = '/tapctl/shop/dev/';
const TD = (rev: number) => `arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:${rev}`;
let t7: Record<string, any>;
let t8: Record<string, any>;

/** ECS after the rollback's deploy: the service's PRIMARY deployment on `rev`, in `state`. */
function ecsRuns(rev: number, state: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS') {
  fake.ecs.on(DescribeServicesCommand).resolves({
    services: [{ status: 'ACTIVE', deployments: [{ id: 'ecs-svc/9', status: 'PRIMARY', taskDefinition: TD(rev), rolloutState: state, rolloutStateReason: state === 'FAILED' ? 'ECS deployment circuit breaker: tasks failed to start.' : undefined, runningCount: state === 'COMPLETED' ? 2 : 0, desiredCount: 2 }] }],
  });
  fake.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: `${REPO}@${D7}` }] } });
  fake.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
}

beforeEach(async () => {
  t7 ??= await templateWithImage(f, { tag: 'v7', digest: D7 });
  t8 ??= await templateWithImage(f, { tag: 'v8', digest: D8 });
  // Two releases ECS ran healthy, the newer running.
  const fp = configFingerprint(f.env);
  const r8 = releaseRecord(8, { configFingerprint: fp, rollout: 'healthy' });
  seedLedger(fake.parameters, [releaseRecord(7, { configFingerprint: fp, rollout: 'healthy' }), r8], r8);
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
  it('goes back to the previous release that ran healthy: only the image changes, ECS decides, the ledger records it', async () => {
    ecsRuns(7, 'COMPLETED');
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rolling back 'dev' from release 000008 \(v8@sha256:888888888888\) to release 000007 \(v7@sha256:777777777777\)/);
    expect(r.stderr).toMatch(/✔ image {2}\S+:v7@sha256:7{64} \(release 000007, the rollback target\)/);
    expect(r.stdout).toMatch(/✔ rolled back 'dev' from release 000008 \(v8@sha256:888888888888\) to release 000007/);
    expect(r.stdout).toMatch(/release {2}000009 deployed, ECS healthy/);
    expect(r.stdout).toMatch(/rollout {2}2\/2 tasks on shop-app-dev:7/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    const synthesized = readFileSync(join(f.project.dir, '.tapctl/dev/cdk.out/TapStack-shop-dev.template.json'), 'utf8');
    expect(synthesized).toContain(`@${D7}`);
    expect(ledgerRecord('000009')).toMatchObject({ source: 'rollback', from: '000007', rollbackOf: '000008', outcome: 'deployed', rollout: 'healthy', image: { tag: 'v7', digest: D7 }, taskDefinitionArn: TD(7) });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'rolled-back' });
    expect(current()).toMatchObject({ id: '000009' });

    // Again: 000008 was rolled back and 000007 is what runs, so there is nothing healthy left to go back to.
    const again = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no release of 'dev' before 000009 ran healthy with another image: nothing to roll back to by default/);
    expect(again.stderr).toMatch(/choose one with --to/);
  });

  it('a rollout that rolls back is exit 1: the rollback release is marked failed, the replaced one runs again as it was', async () => {
    ecsRuns(7, 'FAILED');
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the rollout of shop-service-dev failed: the deployment circuit breaker stopped it/);
    expect(ledgerRecord('000009')).toMatchObject({ source: 'rollback', outcome: 'failed', rollout: 'failed' });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'deployed', rollout: 'healthy' });
  });

  it('Ctrl-C while it waits for ECS: CloudFormation runs the old image, and the ledger already says so', async () => {
    ecsRuns(7, 'IN_PROGRESS');
    const controller = new AbortController();
    // The first look at the service: CloudFormation has finished, the wait for ECS begins. Then Ctrl-C.
    fake.ecs.on(DescribeServicesCommand).callsFake(() => {
      controller.abort();
      return { services: [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD(7), rolloutState: 'IN_PROGRESS', runningCount: 0, desiredCount: 2 }] }] };
    });
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes'], { signal: controller.signal });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/CloudFormation already runs release 000007's image and the release ledger records the rollback as release 000009 \(v7@sha256:777777777777\), deployed, and as current: the next tapctl deploy runs it/);
    expect(ledgerRecord('000009')).toMatchObject({ outcome: 'deployed', rollbackOf: '000008' });
    expect(ledgerRecord('000009')).not.toHaveProperty('rollout');
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'rolled-back' });
    expect(current()).toMatchObject({ id: '000009' });

    // The next deploy, by anyone, keeps the rolled-back image: it does not roll forward to 000008.
    fake.nextTemplate = t7;
    const next = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/✔ image {2}\S+:v7@sha256:7{64} \(release 000009/);
  });

  it('Ctrl-C while CloudFormation works: the rollback was recorded as started when approved', async () => {
    const controller = new AbortController();
    fake.outcome = { kind: 'hang' };
    fake.onPoll = () => controller.abort();
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes'], { signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/CloudFormation carries on with it; the release ledger records the rollback as release 000009 \(v7@sha256:777777777777\), started, and as current: the next tapctl deploy runs it/);
    expect(ledgerRecord('000009')).toMatchObject({ outcome: 'started', from: '000007' });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'deployed' });
    expect(current()).toMatchObject({ id: '000009' });
  });

  it('--to takes a release id, a tag or a digest, bare or exact; --dry-run changes nothing', async () => {
    for (const to of ['7', '000007', 'v7', D7, D7.slice(0, 19), 'id:7', 'tag:v7', `digest:${'7'.repeat(12)}`]) {
      const r = await tapctl(f, ['rollback', '--env', 'dev', '--to', to, '--dry-run', '--json']);
      expect(r.code, `${to}: ${r.stderr}`).toBe(0);
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      expect(result).toMatchObject({ type: 'result', ok: true, command: 'rollback', status: 'planned', from: { id: '000008' }, to: { id: '000007' }, deploy: { status: 'planned', image: { source: 'release', releaseId: '000007' } } });
    }
    const unknown = await tapctl(f, ['rollback', '--env', 'dev', '--to', 'v99', '--dry-run']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--to 'v99': no release in the ledger has that id, tag or digest/);
    expect(unknown.stderr).toMatch(/hint: recent releases: 000008 \(v8@sha256:888888888888\), 000007/);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
    expect(fake.calls('PutParameter')).toBe(0);
  });

  it('--to that names releases of two images is exit 2 before anything changes, listing them and the exact forms', async () => {
    const tagged7 = releaseRecord(5, { image: { repository: REPO, tag: '7', digest: `sha256:${'5'.repeat(64)}` }, rollout: 'healthy' });
    fake.parameters.set(`${LEDGER}releases/000005`, tagged7);
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--to', '7', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--to '7' names releases of 2 different images: 000007 \(by id: v7@sha256:777777777777\), 000005 \(by tag '7': 7@sha256:555555555555\)/);
    expect(r.stderr).toMatch(/hint: say which one exactly: --to id:7, --to tag:7/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('the ledger fingerprint does not gate: the deployed template does, so deploying the config (even --no-wait, once finished) clears the refusal', async () => {
    // The config the running release was recorded with differs (another tapctl, a build-only setting): no matter.
    const r8 = releaseRecord(8, { configFingerprint: 'f'.repeat(64), rollout: 'healthy' });
    fake.parameters.set(`${LEDGER}releases/000008`, r8);
    const plan = await tapctl(f, ['rollback', '--env', 'dev', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);

    // The deployed template differs from the config in more than the image: refused, the hint says what clears it.
    const deployed = structuredClone(t8);
    delete deployed.Resources[logicalIdOf(deployed, 'AWS::SNS::Topic')];
    deployedWith(fake, deployed);
    fake.nextTemplate = t7;
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refusing to roll back 'dev': a rollback changes only the image, but the deployed template differs from the config in more than the image: \w*Topic\w*/);
    expect(r.stderr).toMatch(/once CloudFormation has finished that deploy, since it compares with the deployed template.*--with-config/);
    expect(fake.calls('CreateChangeSet')).toBe(0);

    // A deploy --no-wait of the config; once CloudFormation has finished it, the rollback goes ahead.
    fake.nextTemplate = t8;
    const deploy = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--no-wait']);
    expect(deploy.code, deploy.stderr).toBe(0);
    fake.nextTemplate = t7;
    const after = await tapctl(f, ['rollback', '--env', 'dev', '--dry-run']);
    expect(after.code, after.stderr).toBe(0);
  });

  it('--with-config with a stateful change: the refusal names rollback flags that exist, and they work', async () => {
    const deployed = structuredClone(t8);
    const cluster = logicalIdOf(deployed, 'AWS::RDS::DBCluster');
    deployed.Resources[cluster].Properties.DatabaseName = 'legacy';
    deployedWith(fake, deployed);
    fake.nextTemplate = t7;
    fake.replaceOnChange.add(cluster);
    ecsRuns(7, 'COMPLETED');
    const refused = await tapctl(f, ['rollback', '--env', 'dev', '--yes', '--with-config']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(new RegExp(`refusing to roll back 'dev': it would destroy the data of ${cluster}`));
    expect(refused.stderr).toMatch(new RegExp(`hint: if losing that data is intended, add to the rollback: --allow-replace ${cluster} \\(or --allow-replace all\\); tapctl rollback --env dev --with-config --dry-run shows the change`));

    const plan = await tapctl(f, ['rollback', '--env', 'dev', '--with-config', '--allow-replace', cluster, '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    // The same stateful warning deploy's plan shows, and a Next that keeps the flags it needs.
    expect(plan.stdout).toMatch(new RegExp(`${cluster}  AWS::RDS::DBCluster  REPLACE  <- STATEFUL`));
    expect(plan.stdout).toMatch(new RegExp(`tapctl rollback --env dev --to id:7 --with-config --allow-replace ${cluster}`));

    const allowed = await tapctl(f, ['rollback', '--env', 'dev', '--yes', '--with-config', '--allow-replace', cluster]);
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it('--no-wait records the rollback as started, not yet replacing anything; the next deploy that sees it finished completes the record', async () => {
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes', '--no-wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rollback of 'dev' from release 000008 .* started/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    expect(JSON.stringify(fake.stack?.template)).toContain(`@${D7}`);
    expect(ledgerRecord('000009')).toMatchObject({ source: 'rollback', outcome: 'started', from: '000007' });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'deployed' });
    expect(current()).toMatchObject({ id: '000009' });
    expect(fake.ecs.calls()).toHaveLength(0);

    fake.nextTemplate = t7;
    const deploy = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(ledgerRecord('000009')).toMatchObject({ outcome: 'deployed' });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'rolled-back' });
  });

  it('after an interrupted rollback left the ledger behind, --to the release that runs records it instead of refusing', async () => {
    deployedWith(fake, t7);
    ecsRuns(7, 'COMPLETED');
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--to', '7', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/'dev' already runs release 000007's image, but the ledger's current release is 000008/);
    // Nothing to change in CloudFormation; one look at ECS gives the verdict.
    expect(current()).toMatchObject({ from: '000007', outcome: 'deployed', rollout: 'healthy' });
    expect(ledgerRecord('000008')).toMatchObject({ outcome: 'rolled-back' });
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
  });

  it('without a release that ran healthy, refuses (exit 1) and says how to choose one', async () => {
    const fp = configFingerprint(f.env);
    const r8 = releaseRecord(8, { configFingerprint: fp });
    seedLedger(fake.parameters, [releaseRecord(7, { configFingerprint: fp }), r8], r8);
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hint: CloudFormation deployed 000007, but ECS was never seen running it healthy; .*choose one with --to <id \| tag \| digest> \(e\.g\. --to id:7\)/);
    // Named explicitly, any release still in the ledger is a target.
    const explicit = await tapctl(f, ['rollback', '--env', 'dev', '--to', 'id:7', '--dry-run']);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stderr).toMatch(/release 000007 is deployed \(ECS was never seen running it healthy\): rolling back to it because --to names it/);
  });

  it('declined at a terminal: the rollback is named, nothing changes', async () => {
    const no: Prompter = { input: async () => '', confirm: async () => false, select: async () => { throw new Error('no'); }, checkbox: async () => [] };
    const r = await tapctl(f, ['rollback', '--env', 'dev'], { tty: true, prompter: no });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rollback of 'dev' not approved; nothing was changed/);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
    expect(fake.parameters.get(`${LEDGER}releases/000009`)).toBeUndefined();
  });

  it("is exit 1 when the target's image is no longer in ECR", async () => {
    fake.images = [D8];
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/release 000007's image v7@sha256:777777777777 is no longer in ECR repository shop-app-dev: it cannot run again/);
  });

  it('a release naming another registry is never a target', async () => {
    fake.parameters.set(`${LEDGER}releases/000007`, releaseRecord(7, { image: { repository: 'evil.example.com/shop-app-dev', tag: 'v7', digest: D7 }, rollout: 'healthy' }));
    const r = await tapctl(f, ['rollback', '--env', 'dev', '--to', 'id:7', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/release 000007 names 'evil.example.com\/shop-app-dev', not this stack's ECR repository: ignored/);
  });

  it('without a terminal and without --yes: refused before anything changes (exit 3), after --to is checked against the ledger (exit 2 as with --dry-run, qa5 P3)', async () => {
    const r = await tapctl(f, ['rollback', '--env', 'dev']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rolling back 'dev' needs approval, and there is no terminal to ask/);
    const unknown = await tapctl(f, ['rollback', '--env', 'dev', '--to', 'v99']);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/--to 'v99': no release in the ledger has that id, tag or digest/);
    // Only reads happened: the ledger and what runs.
    for (const write of ['PutParameter', 'CreateChangeSet', 'ExecuteChangeSet', 'DeleteParameters']) expect(fake.calls(write)).toBe(0);
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
  it('lists the ledger newest first, marking what runs (by digest) and what is current, and which images ECR still has; --limit and --json', async () => {
    fake.ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD(8) }] }] });
    fake.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: `${REPO}@${D8}` }] } });
    const pushed = releaseRecord(9, { outcome: 'pushed', image: { repository: REPO, tag: 'v9', digest: `sha256:${'9'.repeat(64)}` }, by: { arn: 'arn:aws:sts::1:assumed-role/ci/x', ciActor: 'octo' } });
    seedLedger(fake.parameters, [pushed], pushed);
    fake.parameters.set(`${LEDGER}releases/000010`, 'not json');
    fake.images = [D8, `sha256:${'9'.repeat(64)}`];
    const r = await tapctl(f, ['releases', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Releases of 'dev' {2}\/tapctl\/shop\/dev\/ · 3 of 3/);
    const rows = r.stdout.split('\n').filter((l) => /^ {2}0000\d\d/.test(l));
    expect(rows.map((l) => l.trim().slice(0, 6))).toEqual(['000009', '000008', '000007']);
    expect(rows[0]).toMatch(/000009 {2}pushed\s+-\s+v9 sha256:999999999999\s+yes\s.*octo\s+current$/);
    expect(rows[1]).toMatch(/000008 {2}deployed\s+healthy\s+v8 sha256:888888888888\s+yes\s.*alice\s+running$/);
    expect(rows[2]).toMatch(/000007 {2}deployed\s+healthy\s+v7 sha256:777777777777\s+gone\s/);
    expect(r.stdout).toMatch(/! \/tapctl\/shop\/dev\/releases\/000010 is not a valid release record \(not JSON\): ignored/);

    const json = await tapctl(f, ['releases', '--env', 'dev', '--limit', '2', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = resultOf(json.stdout);
    expect(doc).toMatchObject({ environment: 'dev', ledger: LEDGER, total: 3, current: '000009', runningMatchedBy: 'digest', running: { taskDefinitionArn: TD(8), image: { digest: D8 } } });
    expect(doc.releases.map((x: { id: string; marks: string[]; imageInEcr: string }) => [x.id, x.marks, x.imageInEcr])).toEqual([['000009', ['current'], 'exists'], ['000008', ['running'], 'exists']]);

    for (const bad of ['0', '11', '1e3', '0x10', ' 3', '2.5']) {
      const r2 = await tapctl(f, ['releases', '--env', 'dev', '--limit', bad]);
      expect(r2.code, bad).toBe(2);
      expect(r2.stderr).toMatch(/--limit takes a whole number of releases from 1 to 10/);
    }
  });

  it('says "not checked" when ECR cannot be asked, never guessing', async () => {
    fake.ecr.on(DescribeImagesCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecr:DescribeImages'), { name: 'AccessDeniedException' }));
    const r = await tapctl(f, ['releases', '--env', 'dev', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = resultOf(r.stdout);
    expect(doc.releases.map((x: { imageInEcr: unknown }) => x.imageInEcr)).toEqual([null, null]);
    expect(doc.notes.join('\n')).toMatch(/whether each release's image still exists was not checked: AWS denied access/);
  });

  it('a current pointer to a release the ledger does not hold, or to another registry, is ignored and said so; a garbage ended marker too', async () => {
    const ghost = releaseRecord(42, { image: { repository: REPO, tag: 'v42', digest: `sha256:${'4'.repeat(64)}` } });
    fake.parameters.set(`${LEDGER}current`, { v: 1, release: ghost, at: new Date().toISOString(), by: 'x' });
    fake.parameters.set(`${LEDGER}ended`, 'garbage');
    const r = await tapctl(f, ['releases', '--env', 'dev', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = resultOf(r.stdout);
    expect(doc.current).toBeNull();
    expect(doc.notes).toEqual(expect.arrayContaining([
      '/tapctl/shop/dev/ended is not a valid end-of-environment marker (not JSON): ignored',
      "the current pointer is ignored: the ledger's current pointer is not valid (it names release 000042, which is not in the ledger (releases/000042))",
    ]));
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
