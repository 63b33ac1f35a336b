/**
 * Which image a deploy runs, asked of AWS: the release ledger (SSM), ECR and the deployed template, never a
 * local file. Real synthesis and toolkit-lib against the faked AWS.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws.js';
import { deployedWith, logicalIdOf, tapctl, templateWithImage, type Fixture, useFakeAws } from './setup.js';
import { releaseRecord, seedLedger } from '../helpers/fake-ssm.js';

let f: Fixture;
let fake: FakeAws;
useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

const D7 = `sha256:${'7'.repeat(64)}`;
const D8 = `sha256:${'8'.repeat(64)}`;
const LEDGER = '/tapctl/shop/dev/';
let t7: Record<string, any>;
let t8: Record<string, any>;
// The fixture is bound before each test; the two templates are synthesized once, on first use.
beforeEach(async () => {
  t7 ??= await templateWithImage(f, { tag: 'v7', digest: D7 });
  t8 ??= await templateWithImage(f, { tag: 'v8', digest: D8 });
});

const synthesized = () => JSON.parse(readFileSync(join(f.project.dir, '.tapctl/dev/cdk.out/TapStack-shop-dev.template.json'), 'utf8'));
const resourceOf = (t: Record<string, any>, type: string) => t.Resources[logicalIdOf(t, type)];

describe('deploy takes the image from AWS', () => {
  it('a fresh clone (no .tapctl) keeps the image, DesiredCount and MinCapacity the deployed stack runs: nothing changes', async () => {
    deployedWith(fake, t7);
    fake.images = [D7];
    rmSync(join(f.project.dir, '.tapctl'), { recursive: true, force: true });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ image {2}\S+shop-app-dev@sha256:7{64} \(kept: what the deployed stack runs; the ledger names no current release\)/);
    expect(r.stderr).toMatch(/✔ running service {2}no change takes the service to zero tasks/);
    expect(r.stdout).toMatch(/TapStack-shop-dev is up to date/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
    const t = synthesized();
    expect(JSON.stringify(resourceOf(t, 'AWS::ECS::TaskDefinition'))).toContain(`@${D7}`);
    expect(resourceOf(t, 'AWS::ECS::Service').Properties.DesiredCount).toBeUndefined();
    expect(resourceOf(t, 'AWS::ApplicationAutoScaling::ScalableTarget').Properties.MinCapacity).toBe(2);
    // Nothing in the ledger changed: an infrastructure-only deploy records no release.
    expect(fake.calls('PutParameter')).toBe(0);
  });

  it("runs the ledger's current release once one DescribeImages confirms it is still in ECR", async () => {
    const r7 = releaseRecord(7);
    seedLedger(fake.parameters, [releaseRecord(6), r7], r7);
    deployedWith(fake, t7);
    fake.images = [D7];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ status: 'no-changes', image: { source: 'release', releaseId: '000007', digest: D7, from: 'release 000007 in the ledger' }, release: { id: '000007', outcome: 'deployed' } });
    const describe = fake.ecr.commandCalls(DescribeImagesCommand);
    expect(describe).toHaveLength(1);
    expect(describe[0].args[0].input).toEqual({ repositoryName: 'shop-app-dev', imageIds: [{ imageDigest: D7 }] });
  });

  it('rolls out a pushed release, then marks it deployed with its task definition and points current at it', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed' });
    seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
    deployedWith(fake, t7);
    fake.nextTemplate = t8;
    fake.images = [D7, D8];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ image {2}\S+:v8@sha256:8{64} \(release 000008, pushed/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    expect(JSON.stringify(synthesized())).toContain(`@${D8}`);
    const recorded = fake.parameters.get(`${LEDGER}releases/000008`) as Record<string, unknown>;
    expect(recorded).toMatchObject({ outcome: 'deployed', taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:7', updatedAt: expect.any(String) });
    expect(fake.parameters.get(`${LEDGER}current`)).toMatchObject({ release: { id: '000008', outcome: 'deployed' }, by: 'arn:aws:iam::111111111111:user/ci' });
    expect(r.stdout).toMatch(/release {2}000008 deployed/);
    // ECS was looked at once and had no verdict yet (the fake has no service): "deployed" claims nothing more.
    expect(recorded).not.toHaveProperty('rollout');
    expect(fake.calls('DescribeServices')).toBe(1);
  });

  it('records ECS healthy when the service already runs the new task definition to completion', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed' });
    seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
    deployedWith(fake, t7);
    fake.nextTemplate = t8;
    fake.images = [D7, D8];
    const td = 'arn:aws:ecs:us-east-1:111111111111:task-definition/shop-app-dev:7';
    fake.ecsServices = [{ status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: td, rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 }] }];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'deployed', rollout: 'healthy' });
    expect(r.stderr).toMatch(/release 000008 is deployed, rollout healthy/);
  });

  it('Ctrl-C while CloudFormation deploys a pushed release: the ledger already has it started and current, and the message says so', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed' });
    seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
    deployedWith(fake, t7);
    fake.nextTemplate = t8;
    fake.images = [D7, D8];
    const controller = new AbortController();
    fake.outcome = { kind: 'hang' };
    fake.onPoll = () => controller.abort();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes'], { signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopped watching the deploy of TapStack-shop-dev; CloudFormation carries on with it; the release ledger records release 000008 \(v8@sha256:888888888888\) as current, started: the next tapctl deploy runs it/);
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'started' });
  });

  it('a deploy whose ledger write is denied stops before CloudFormation changes anything (exit 1): the ledger is told first', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed' });
    seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
    deployedWith(fake, t7);
    fake.nextTemplate = t8;
    fake.images = [D7, D8];
    fake.parameters.deny.add('PutParameter');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✖ AWS denied ssm:PutParameter on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/000008: tapctl cannot write the release ledger; nothing was deployed');
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
    expect(fake.calls('DeleteChangeSet')).toBeGreaterThan(0);
    expect(JSON.stringify(fake.stack?.template)).toContain(`@${D7}`);
  });

  it('a deploy that succeeded but cannot write its outcome says both (exit 1), with the outputs written', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed' });
    seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
    deployedWith(fake, t7);
    fake.nextTemplate = t8;
    fake.images = [D7, D8];
    // "started" is written (the release and the current pointer), then the role loses the permission.
    let puts = 0;
    fake.parameters.beforePut = () => {
      if (++puts === 2) fake.parameters.deny.add('PutParameter');
    };
    rmSync(join(f.project.dir, '.tapctl/dev/outputs.json'), { force: true });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✖ TapStack-shop-dev is deployed, but the release ledger could not record it: AWS denied ssm:PutParameter on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/000008');
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    expect(existsSync(join(f.project.dir, '.tapctl/dev/outputs.json'))).toBe(true);
    // What the ledger does say is true: the release was started, and is current.
    expect(fake.parameters.get(`${LEDGER}current`)).toMatchObject({ release: { id: '000008', outcome: 'started' } });
  });

  it('a pinned tag is deployed by the digest ECR holds for it, and recorded with it; a pin whose tag is on another image is refused (exit 3)', async () => {
    const { sampleConfig, tempProject } = await import('../helpers/project.js');
    const { runTapctl } = await import('../helpers/cli.js');
    const { testEnv } = await import('./setup.js');
    const base = sampleConfig();
    const pinnedTag = tempProject({ ...base, defaults: { ...(base.defaults as object), container: { image: { tag: 'v8' } } } });
    const both = tempProject({ ...base, defaults: { ...(base.defaults as object), container: { image: { tag: 'v7', digest: D8 } } } });
    try {
      deployedWith(fake, t7);
      fake.nextTemplate = t8;
      fake.images = ['v7', 'v8', D7, D8];
      fake.tagDigests = { v7: D7, v8: D8 };
      const r = await runTapctl(['deploy', '--env', 'dev', '--yes', '--json'], { cwd: pinnedTag.dir, env: testEnv() });
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      expect(result.image).toMatchObject({ source: 'config', tag: 'v8', digest: D8 });
      expect(r.stdout).toContain('deployed by the digest ECR holds for it');
      expect(JSON.stringify(fake.stack?.template)).toContain(`@${D8}`);
      expect(fake.parameters.get(`${LEDGER}current`)).toMatchObject({ release: { source: 'deploy', image: { tag: 'v8', digest: D8 } } });

      const refused = await runTapctl(['deploy', '--env', 'dev', '--yes'], { cwd: both.dir, env: testEnv() });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/container.image pins tag 'v7' and digest sha256:8{64}, but in ECR repository shop-app-dev that digest carries the tags 'v8': the pin names two images/);
    } finally {
      pinnedTag.cleanup();
      both.cleanup();
    }
  });

  it("a current pointer naming another registry is not deployed: warned, and the deployed stack's image is kept", async () => {
    const forged = releaseRecord(9, { image: { repository: 'evil.example.com/x', tag: 'pwned', digest: `sha256:${'9'.repeat(64)}` } });
    seedLedger(fake.parameters, [forged], forged);
    deployedWith(fake, t7);
    fake.images = [D7];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! image {2}\S+@sha256:7{64} \(kept: what the deployed stack runs; the ledger's current release 000009 names 'evil.example.com\/x', which is not this stack's ECR repository/);
    expect(JSON.stringify(synthesized())).not.toContain('evil.example.com');
  });

  it('a pushed release whose deploy CloudFormation rolls back is marked failed; the next deploy keeps what the stack runs', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed' });
    seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
    deployedWith(fake, t7);
    fake.nextTemplate = t8;
    fake.images = [D7, D8];
    fake.outcome = { kind: 'fail', failed: logicalIdOf(t8, 'AWS::ECS::TaskDefinition'), reason: 'CannotPullContainerError' };
    const failed = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(failed.code).toBe(1);
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'failed' });
    expect(fake.parameters.get(`${LEDGER}current`)).toMatchObject({ release: { id: '000008', outcome: 'failed' } });

    // The stack rolled back to v7; an infrastructure-only deploy now must not retry the failed image.
    fake.outcome = { kind: 'success' };
    fake.nextTemplate = t7;
    const again = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/! image {2}\S+@sha256:7{64} \(kept: what the deployed stack runs; release 000008 failed to deploy\)/);
    expect(again.stdout).toMatch(/up to date/);
  });

  it('a ledger image deleted from ECR is not used: the deploy keeps what the stack runs and says why', async () => {
    const pushed = releaseRecord(8, { outcome: 'pushed' });
    seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
    deployedWith(fake, t7);
    fake.images = [D7];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! image {2}\S+@sha256:7{64} \(kept: what the deployed stack runs; release 000008's image v8@sha256:888888888888 is no longer in ECR repository shop-app-dev\)/);
    expect(r.stdout).toMatch(/up to date/);
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'pushed' });
  });

  it('a current release from before a destroy is ignored: the re-created environment starts fresh', async () => {
    const old = releaseRecord(7);
    seedLedger(fake.parameters, [old], old);
    fake.parameters.set(`${LEDGER}ended`, { v: 1, at: new Date().toISOString(), by: 'arn:aws:iam::111111111111:user/ci', stack: 'TapStack-shop-dev' });
    fake.images = [D7];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! image {2}none yet: .*; release 000007 belongs to the environment destroyed at/);
    expect(fake.calls('DescribeImages')).toBe(0);
  });

  it('a denied ledger read stops the deploy (exit 1) naming the action and the parameter ARN', async () => {
    deployedWith(fake, t7);
    fake.parameters.deny.add('GetParameters');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✖ AWS denied ssm:GetParameters on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/current: tapctl cannot read the release ledger');
    expect(r.stderr).toMatch(/hint: the release ledger needs ssm:GetParameters, ssm:GetParametersByPath, ssm:PutParameter, ssm:DeleteParameters on arn:aws:ssm:us-east-1:111111111111:parameter\/tapctl\/shop\/dev\/\*/);
    expect(fake.calls('CreateChangeSet')).toBe(0);

    const dry = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/✖ image {2}AWS denied ssm:GetParameters/);
  });

  it('a deployed image tapctl cannot read is never swapped for the placeholder: refused (exit 3) unless --allow-scale-to-zero', async () => {
    const foreign = structuredClone(t7);
    resourceOf(foreign, 'AWS::ECS::TaskDefinition').Properties.ContainerDefinitions[0].Image = { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/shop-app-dev:prod-build' };
    deployedWith(fake, foreign);
    fake.nextTemplate = f.template();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refusing to deploy to 'dev': it would take the running service to zero tasks \(.*DesiredCount unset \(auto-scaling\) -> 0; .*MinCapacity 2 -> 0; ServiceTaskDef\w+: image in use -> the bootstrap placeholder\)/);
    expect(r.stderr).toMatch(/hint: .*pass --allow-scale-to-zero/);
    expect(fake.calls('CreateChangeSet')).toBe(0);

    const allowed = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--allow-scale-to-zero']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/! running service {2}allowed by --allow-scale-to-zero/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
  });

  it('a dry run without credentials says the image is not resolved, and never shows the placeholder', async () => {
    fake.missingCredentials = true;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/image {6}not resolved \(no credentials\)/);
    expect(r.stderr).toMatch(/– image {2}no credentials/);
    expect(r.stdout + r.stderr).not.toMatch(/placeholder|none yet/);
  });

  it('diff and deploy --dry-run show where the image came from', async () => {
    const r7 = releaseRecord(7);
    seedLedger(fake.parameters, [r7], r7);
    deployedWith(fake, t7);
    fake.images = [D7];
    const diff = await tapctl(f, ['diff', '--env', 'dev', '--template-only']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/image {2}\S+shop-app-dev:v7@sha256:7{64} {2}\(release 000007 in the ledger\)/);
    const dry = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/image {6}\S+:v7@sha256:7{64} {2}\(release 000007 in the ledger\)/);
    expect(existsSync(join(f.project.dir, '.tapctl/dev/image.json'))).toBe(false);
  });
});
