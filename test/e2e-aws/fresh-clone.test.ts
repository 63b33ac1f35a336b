/**
 * [2/12]'s promise against a real CloudFormation API: an environment's truth lives in AWS, so a deploy from a
 * fresh clone (no `.tapctl/`, as a teammate or a CI job has it) keeps what runs, the ledger lists the releases,
 * and a rollback puts the previous release's image back in the deployed template. Each step builds on the last.
 */
import { rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { e2eSuite, EMULATED_ACCOUNT, imageOf, resetEmulator, Scenario } from './harness.js';

const STACK = 'TapStack-shop-dev';
const REPOSITORY_URI = `${EMULATED_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev`;
const SERVICE = 'AWS::ECS::Service';
const TASK_DEFINITION = 'AWS::ECS::TaskDefinition';
const SCALABLE_TARGET = 'AWS::ApplicationAutoScaling::ScalableTarget';

e2eSuite(import.meta.url, 'e2e-aws: a fresh clone deploys what runs; releases and rollback', () => {
  let s: Scenario;
  let first: { digest: string; release: string };
  let second: { digest: string; release: string };

  beforeAll(async () => {
    await resetEmulator();
    s = await Scenario.init();
    for (const args of [['bootstrap', '--env', 'dev'], ['deploy', '--env', 'dev', '--yes']]) {
      const r = await s.tapctl(args);
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed:\n${r.output}`);
    }
  });

  /** push-image --deploy with a real buildah build; returns the pushed digest and the release it recorded. */
  async function pushAndDeploy(tag: string): Promise<{ digest: string; release: string }> {
    // Emulator: no task ever runs, so the ECS rollout cannot be waited for (--no-wait); the release stays
    // `pushed` until a deploy sees it through (rollout verdicts are tested with SDK mocks).
    const r = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', tag, '--deploy', '--no-wait', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, tag, deployed: true, release: { outcome: 'pushed' } });
    return { digest: r.result?.digest as string, release: r.result?.release.id as string };
  }

  it('push-image --deploy runs the first image', async () => {
    first = await pushAndDeploy('team-v1');
    expect(imageOf(await s.aws.resource(STACK, TASK_DEFINITION))).toContain(`@${first.digest}`);
  });

  it('an infrastructure change deployed from a fresh clone (no .tapctl/) keeps the image, the service count and its scaling floor', async () => {
    rmSync(join(s.dir, '.tapctl'), { recursive: true, force: true });
    expect(existsSync(join(s.dir, '.tapctl'))).toBe(false);
    // A real change, so that CloudFormation updates the stack (a no-change deploy would prove nothing).
    s.editConfig((doc) => doc.setIn(['defaults', 'logRetentionDays'], 14));

    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    // The image comes from the ledger in SSM, confirmed in ECR; nothing local was read.
    expect(r.stdout).toContain(`"name":"image","status":"pass","detail":"${REPOSITORY_URI}:team-v1@${first.digest} (release ${first.release}`);
    expect(r.result).toMatchObject({ ok: true, image: { source: 'release', releaseId: first.release } });

    expect(imageOf(await s.aws.resource(STACK, TASK_DEFINITION))).toContain(`@${first.digest}`);
    expect((await s.aws.resource(STACK, SERVICE)).Properties?.DesiredCount).toBeUndefined();
    expect((await s.aws.resource(STACK, SCALABLE_TARGET)).Properties?.MinCapacity).toBe(1);
    const retention = Object.values(await s.aws.template(STACK)).filter((x) => x.Type === 'AWS::Logs::LogGroup').map((x) => x.Properties?.RetentionInDays);
    expect(new Set(retention)).toEqual(new Set([14]));
    expect((await s.aws.stack(STACK))?.StackStatus).toBe('UPDATE_COMPLETE');
    // The deploy saw the pushed release through: it is deployed now (rollback's default target needs that).
    expect(await s.currentRelease()).toMatchObject({ id: first.release, outcome: 'deployed' });
  });

  it('releases --json lists the release and marks it current', async () => {
    // Emulator: a replaced task definition is not passed on to the ECS service, so what the service runs (the
    // `running` mark) is not asserted here; it is tested with SDK mocks (test/release).
    const r = await s.tapctl(['releases', '--env', 'dev', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, environment: 'dev', ledger: '/tapctl/shop/dev/', total: 1, current: first.release, ended: null });
    expect(r.result?.releases).toEqual([
      expect.objectContaining({ id: first.release, outcome: 'deployed', image: { repository: REPOSITORY_URI, tag: 'team-v1', digest: first.digest }, marks: expect.arrayContaining(['current']) }),
    ]);
  });

  it('after a second image, rollback --no-wait puts the first image back in the deployed template and the ledger records it', async () => {
    second = await pushAndDeploy('team-v2');
    expect(second.digest).not.toBe(first.digest);
    expect(imageOf(await s.aws.resource(STACK, TASK_DEFINITION))).toContain(`@${second.digest}`);

    // The default target is a release ECS ran healthy; the emulator never runs a task, so none did (the refusal
    // is tested in ledger-truth.test.ts): the earlier release is named.
    const r = await s.tapctl(['rollback', '--env', 'dev', '--to', `id:${first.release}`, '--no-wait', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, command: 'rollback', status: 'started', from: { id: second.release }, to: { id: first.release } });
    const recorded = r.result?.release.id as string;

    const image = imageOf(await s.aws.resource(STACK, TASK_DEFINITION));
    expect(image).toContain(`@${first.digest}`);
    expect(image).not.toContain(second.digest);
    expect((await s.aws.resource(STACK, SERVICE)).Properties?.DesiredCount).toBeUndefined();
    expect((await s.aws.resource(STACK, SCALABLE_TARGET)).Properties?.MinCapacity).toBe(1);

    // The ledger: a new release for the first image (from it, replacing the second), current, and the second
    // marked rolled-back so that no default rollback goes back to it.
    expect(await s.currentRelease()).toMatchObject({ id: recorded, source: 'rollback', from: first.release, rollbackOf: second.release, image: { digest: first.digest } });
    const listed = await s.tapctl(['releases', '--env', 'dev', '--json']);
    expect(listed.code, listed.output).toBe(0);
    const byId = Object.fromEntries((listed.result?.releases as Array<{ id: string }>).map((x) => [x.id, x]));
    expect(listed.result).toMatchObject({ total: 3, current: recorded });
    // --no-wait: the rollback is started, not seen through, so the second release is not yet marked rolled back
    // (an honest record: it is updated when a later deploy or status learns the outcome).
    expect(byId[second.release]).toMatchObject({ outcome: 'started' });
    expect(byId[recorded]).toMatchObject({ from: first.release, rollbackOf: second.release, marks: expect.arrayContaining(['current']) });
  });
});
