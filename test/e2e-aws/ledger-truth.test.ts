/**
 * The release ledger tells what is known, against the AWS API emulator and a real registry: immutable tags,
 * "deployed" that claims nothing about ECS, a rollback interrupted while it waits for ECS (recorded all the
 * same, so the next deploy does not roll forward), a forged current pointer, images ECR no longer has, and a pin
 * by tag deployed by its digest. Each step builds on the last, in order.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchDeleteImageCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { e2eSuite, EMULATED_ACCOUNT, imageOf, resetEmulator, Scenario } from './harness.js';

const STACK = 'TapStack-shop-dev';
const REPOSITORY = 'shop-app-dev';
const REPOSITORY_URI = `${EMULATED_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}`;
const TASK_DEFINITION = 'AWS::ECS::TaskDefinition';
const LEDGER = '/tapctl/shop/dev/';

/**
 * tapctl spawned as in CI, with Ctrl-C (SIGINT) sent once stderr shows `when`: what a person or a CI time-out does
 * to a command that waits.
 */
function interruptWhen(s: Scenario, args: string[], when: RegExp): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: s.dir, env: s.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

e2eSuite(import.meta.url, 'e2e-aws: the release ledger tells what is known', () => {
  let s: Scenario;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    await resetEmulator();
    s = await Scenario.init();
    for (const args of [['bootstrap', '--env', 'dev'], ['deploy', '--env', 'dev', '--yes']]) {
      const r = await s.tapctl(args);
      if (r.code !== 0) throw new Error(r.output);
    }
    // Two releases of different content. Emulator: no task ever runs, so there is no rollout to wait for here.
    for (const tag of ['v1', 'v2']) {
      writeFileSync(join(s.dir, 'app', 'server.js'), `console.log('${tag}');\n`);
      const r = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', tag, '--deploy', '--no-wait', '--yes', '--json']);
      if (r.code !== 0) throw new Error(r.output);
      digests[tag] = r.result?.digest;
    }
  });

  it("the stack's repository keeps tags immutable, except latest", async () => {
    const repo = (await s.aws.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [REPOSITORY] }))).repositories?.[0];
    expect(repo?.imageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    // Emulator: DescribeRepositories does not return the exclusion filters; the deployed template holds them.
    expect((await s.aws.resource(STACK, 'AWS::ECR::Repository')).Properties?.ImageTagMutabilityExclusionFilters).toEqual([
      { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
    ]);
  });

  it('push-image --tag v1 again is refused before anything is built (exit 3), naming the release that has it', async () => {
    const before = await s.aws.images(REPOSITORY);
    const r = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'v1']);
    expect(r.code, r.output).toBe(3);
    expect(r.stderr).toContain(`refusing to push: tag 'v1' is already in ECR repository ${REPOSITORY}, on release 000001 (${digests.v1.slice(0, 19)})`);
    expect(r.stderr).not.toMatch(/STEP 1\/2/);
    expect(await s.aws.images(REPOSITORY)).toEqual(before);
  });

  it('"deployed" says what CloudFormation did, never that ECS runs it; so a default rollback has no healthy target', async () => {
    // push-image --deploy --no-wait: CloudFormation was handed the change, nobody saw it end.
    expect(await s.currentRelease()).toMatchObject({ id: '000002', outcome: 'started' });
    // A change-free deploy sees CloudFormation holding it: deployed. Emulator: the service still runs the
    // placeholder's task definition (a replaced task definition is not passed on to ECS), so no ECS verdict.
    const deploy = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(deploy.code, deploy.output).toBe(0);
    const current = await s.currentRelease();
    expect(current).toMatchObject({ id: '000002', outcome: 'deployed' });
    expect(current).not.toHaveProperty('rollout');

    const rollback = await s.tapctl(['rollback', '--env', 'dev', '--yes']);
    expect(rollback.code, rollback.output).toBe(1);
    expect(rollback.stderr).toMatch(/no release of 'dev' before 000002 ran healthy with another image/);
    expect(rollback.stderr).toMatch(/choose one with --to/);
  });

  it('a rollback interrupted while it waits for ECS is recorded: current moved, the replaced release rolled back, and it said so', async () => {
    const r = await interruptWhen(s, ['rollback', '--env', 'dev', '--to', 'tag:v1', '--yes'], /waiting for the service to start the task definition/);
    expect(r.code, r.stderr).toBe(130);
    // A CI log shows the wait: a progress line, not silence.
    expect(r.stderr).toMatch(/… waiting for the service to start the task definition {2}\(\d+s\)/);
    expect(r.stderr).toMatch(/CloudFormation already runs release 000001's image and the release ledger records the rollback as release 000003 \(v1@sha256:\w{12}\), deployed, and as current: the next tapctl deploy runs it/);
    expect(await s.currentRelease()).toMatchObject({ id: '000003', source: 'rollback', from: '000001', rollbackOf: '000002', outcome: 'deployed' });
    const releases = await s.tapctl(['releases', '--env', 'dev', '--json']);
    expect(releases.code, releases.output).toBe(0);
    const rows = releases.result?.releases as Array<{ id: string; outcome: string; imageInEcr: string }>;
    expect(rows.map((x) => [x.id, x.outcome, x.imageInEcr])).toEqual([
      ['000003', 'deployed', 'exists'],
      ['000002', 'rolled-back', 'exists'],
      ['000001', 'started', 'exists'],
    ]);
    expect(imageOf(await s.aws.resource(STACK, TASK_DEFINITION))).toContain(`@${digests.v1}`);
  });

  it('the next deploy, from a fresh clone, keeps the rolled-back image: no silent roll forward', async () => {
    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`image {2}${REPOSITORY_URI}:v1@${digests.v1} \\(release 000003`));
    expect(imageOf(await s.aws.resource(STACK, TASK_DEFINITION))).toContain(`@${digests.v1}`);
  });

  it('a current release naming another registry is not deployed: the deploy says so and keeps what runs', async () => {
    // Someone with write access to the parameters, not push-image: a record and a pointer to it.
    const forged = { ...(await s.currentRelease()), id: '000009', image: { repository: 'evil.example.com/shop-app-dev', tag: 'pwned', digest: digests.v2 } };
    await s.aws.ssm.send(new PutParameterCommand({ Name: `${LEDGER}releases/000009`, Type: 'String', Value: JSON.stringify(forged) }));
    await s.aws.ssm.send(new PutParameterCommand({ Name: `${LEDGER}current`, Type: 'String', Overwrite: true, Value: JSON.stringify({ v: 1, release: forged, at: new Date().toISOString(), by: 'someone' }) }));
    const r = await s.tapctl(['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`! image {2}${REPOSITORY_URI}@${digests.v1} \\(kept: what the deployed stack runs; the ledger's current release 000009 names 'evil\\.example\\.com/shop-app-dev', which is not this stack's ECR repository`));
    expect(r.stdout + r.stderr).not.toMatch(/image {2,}evil\.example\.com/);
  });

  it('releases says which images ECR no longer has', async () => {
    await s.aws.ecr.send(new BatchDeleteImageCommand({ repositoryName: REPOSITORY, imageIds: [{ imageDigest: digests.v2 }] }));
    const r = await s.tapctl(['releases', '--env', 'dev', '--json']);
    expect(r.code, r.output).toBe(0);
    const rows = r.result?.releases as Array<{ id: string; imageInEcr: string }>;
    expect(rows.find((x) => x.id === '000002')?.imageInEcr).toBe('gone');
    expect(rows.find((x) => x.id === '000001')?.imageInEcr).toBe('exists');
  });

  it('a pin by tag is deployed by the digest ECR holds for it; latest is never a pin', async () => {
    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'container'], doc.createNode({ image: { tag: 'v1' } })));
    const r = await s.tapctl(['deploy', '--env', 'dev', '--dry-run', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result?.image).toMatchObject({ source: 'config', tag: 'v1', digest: digests.v1 });

    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'container'], doc.createNode({ image: { tag: 'latest' } })));
    const latest = await s.tapctl(['validate']);
    expect(latest.code, latest.output).toBe(2);
    expect(latest.stdout + latest.stderr).toMatch(/'latest' moves to every new image/);
    s.editConfig((doc) => doc.deleteIn(['environments', 'dev', 'container']));
  });
});
