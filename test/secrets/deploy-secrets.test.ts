/**
 * Deploy and the app secrets: each secret's full ARN resolved into the template, a secret that is not set
 * stopping a deploy that runs tasks, and no "no changes" while tasks run a value older than the secret's last
 * change. Real synthesis and toolkit-lib against the faked AWS (test/deploy/fake-aws.ts), with Secrets Manager
 * and ECS mocked here.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withImage } from '../../src/release/running-image.js';
import { withDeployInputs } from '../../src/secrets/deploy-inputs.js';
import { synthesize } from '../../src/synth/synthesize.js';
import { FakeAws } from '../deploy/fake-aws.js';
import { aimFake, deployedWith, logicalIdOf, synthesizedProject, tapctl, type Fixture } from '../deploy/setup.js';
import { DEV_ACCOUNT, sampleConfig } from '../helpers/project.js';
import { FakeSecrets } from './fake-secrets.js';

const NAME = 'tapctl/shop/dev/STRIPE_KEY';
let f: Fixture;
let fake: FakeAws;
let secrets: FakeSecrets;
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

/** The template a deploy with these secret ARNs (and this nonce) deployed. */
async function deployedTemplate(arn: string, rolloutNonce?: string): Promise<Record<string, any>> {
  const env = withDeployInputs(withImage(f.env, { tag: 'v7', digest: `sha256:${'0'.repeat(64)}` }), { secretArns: { STRIPE_KEY: arn }, ...(rolloutNonce ? { rolloutNonce } : {}) });
  const synth = await synthesize(env, { outDir: join(mkdtempSync(join(tmpdir(), 'tapctl-secrets-')), 'cdk.out') });
  return JSON.parse(readFileSync(synth.templatePath, 'utf8'));
}
const synthesized = () => JSON.parse(readFileSync(join(f.project.dir, '.tapctl/dev/cdk.out/TapStack-shop-dev.template.json'), 'utf8'));
function tasksStartedAt(...started: Date[]): void {
  fake.ecs.on(ListTasksCommand).resolves({ taskArns: started.map((_, i) => `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task/c/${String(i).repeat(32)}`) });
  fake.ecs.on(DescribeTasksCommand).resolves({ tasks: started.map((startedAt, i) => ({ taskArn: `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task/c/${String(i).repeat(32)}`, startedAt })) });
}

beforeAll(async () => {
  const config = sampleConfig();
  (config.environments as Record<string, Record<string, unknown>>).dev.container = { secrets: ['STRIPE_KEY'], image: { tag: 'v7' } };
  f = await synthesizedProject(config);
});
afterAll(() => f.project.cleanup());
beforeEach(() => {
  fake = new FakeAws();
  aimFake(fake, f);
  fake.images = ['v7'];
  secrets = new FakeSecrets();
  tasksStartedAt(hoursAgo(1), hoursAgo(1));
});
afterEach(() => {
  fake.restore();
  secrets.restore();
});

describe('deploy with container.secrets', () => {
  it("GIVEN the secret set before the tasks started THEN its full ARN is in the template, and nothing to deploy is 'up to date'", async () => {
    const secret = secrets.add(NAME, 'value', { changed: hoursAgo(3) });
    deployedWith(fake, await deployedTemplate(secret.arn));
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ app secrets {2}1 of 1 set; no running task holds an older value/);
    expect(r.stdout).toMatch(/TapStack-shop-dev is up to date/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
    const t = synthesized();
    const secretsOf = t.Resources[logicalIdOf(t, 'AWS::ECS::TaskDefinition')].Properties.ContainerDefinitions[0].Secrets;
    expect(secretsOf).toContainEqual({ Name: 'STRIPE_KEY', ValueFrom: secret.arn });
  });

  it("GIVEN a secret another KMS key encrypts THEN exit 3 before any change set, naming both keys; the environment's key passes", async () => {
    const KEY = `arn:aws:kms:us-east-1:${DEV_ACCOUNT}:key/1111-2222`;
    const OTHER = `arn:aws:kms:us-east-1:${DEV_ACCOUNT}:key/9999-old`;
    const secret = secrets.add(NAME, 'value', { changed: hoursAgo(3), kmsKeyId: OTHER });
    deployedWith(fake, await deployedTemplate(secret.arn));
    fake.stack!.outputs = { ...fake.stack!.outputs, KMSKeyArn: KEY };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`refusing to give STRIPE_KEY to the tasks of 'dev': ${NAME} is encrypted with ${OTHER}, not with the environment's key ${KEY}`);
    expect(r.stderr).toContain(`aws secretsmanager update-secret --secret-id ${NAME} --kms-key-id ${KEY}, then deploy again`);
    expect(fake.calls('CreateChangeSet')).toBe(0);

    secret.kmsKeyId = KEY;
    const ok = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/✔ app secrets {2}1 of 1 set/);
  });

  it('GIVEN the secret changed after the tasks started THEN not "no changes": a new rollout nonce, so CloudFormation rolls the service', async () => {
    const secret = secrets.add(NAME, 'value', { changed: hoursAgo(3) });
    deployedWith(fake, await deployedTemplate(secret.arn));
    secret.changed = new Date(Date.now() - 60_000);
    // What the change set will carry (the fake does not read the uploaded template).
    fake.nextTemplate = await deployedTemplate(secret.arn, 'rollout-2026-11-29T00:00:00.000Z');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.type === 'check' && l.name === 'app secrets')).toMatchObject({ status: 'warn', detail: expect.stringContaining('2 running tasks started before STRIPE_KEY changed') });
    expect(lines.at(-1).status).not.toBe('no-changes');
    expect(fake.calls('CreateChangeSet')).toBe(1);
    const service = synthesized().Resources[logicalIdOf(synthesized(), 'AWS::ECS::Service')].Properties;
    expect(service.ForceNewDeployment).toEqual({ EnableForceNewDeployment: true, ForceNewDeploymentNonce: expect.stringMatching(/^rollout-\d{4}-/) });
  });

  it('GIVEN the rolled tasks started after the change THEN the deployed nonce is kept: up to date again', async () => {
    const changed = hoursAgo(2);
    const secret = secrets.add(NAME, 'value', { changed });
    deployedWith(fake, await deployedTemplate(secret.arn, 'rollout-2026-11-28T00:00:00.000Z'));
    tasksStartedAt(hoursAgo(1));
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/is up to date/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('GIVEN the secret is not set and the deploy runs tasks THEN exit 2 naming how to set it, before any change set', async () => {
    deployedWith(fake, await deployedTemplate('arn:aws:secretsmanager:us-east-1:111111111111:secret:tapctl/shop/dev/STRIPE_KEY-AbCdEf'));
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("container.secrets of 'dev' names STRIPE_KEY, which is not set: its tasks could not start");
    expect(r.stderr).toContain('printf %s "$VALUE" | tapctl secrets set --env dev STRIPE_KEY');
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('GIVEN a dry run without credentials THEN the check is skipped and the template names the partial ARN', async () => {
    fake.missingCredentials = true;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/– app secrets {2}not checked without AWS/);
    expect(secrets.sm.calls()).toHaveLength(0);
    const t = synthesized();
    expect(t.Resources[logicalIdOf(t, 'AWS::ECS::TaskDefinition')].Properties.ContainerDefinitions[0].Secrets).toContainEqual({ Name: 'STRIPE_KEY', ValueFrom: `arn:aws:secretsmanager:us-east-1:${DEV_ACCOUNT}:secret:${NAME}` });
  });
});

describe('deploy with container.exec', () => {
  let g: Fixture;
  beforeAll(async () => {
    const config = sampleConfig();
    (config.environments as Record<string, Record<string, unknown>>).dev.container = { exec: true, image: { tag: 'v7' } };
    g = await synthesizedProject(config);
  });
  afterAll(() => g.project.cleanup());
  const deployedExec = async (rolloutNonce?: string) => {
    const env = withDeployInputs(withImage(g.env, { tag: 'v7', digest: `sha256:${'0'.repeat(64)}` }), { secretArns: {}, ...(rolloutNonce ? { rolloutNonce } : {}) });
    const synth = await synthesize(env, { outDir: join(mkdtempSync(join(tmpdir(), 'tapctl-exec-')), 'cdk.out') });
    return JSON.parse(readFileSync(synth.templatePath, 'utf8'));
  };
  const withExec = (...flags: boolean[]) => {
    const arns = flags.map((_, i) => `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task/c/${String(i).repeat(32)}`);
    fake.ecs.on(ListTasksCommand).resolves({ taskArns: arns });
    fake.ecs.on(DescribeTasksCommand).resolves({ tasks: arns.map((taskArn, i) => ({ taskArn, startedAt: hoursAgo(1), enableExecuteCommand: flags[i] })) });
  };

  it('GIVEN tasks started before ECS Exec was enabled THEN the deploy rolls the service (a new nonce), never "no changes"', async () => {
    aimFake(fake, g);
    deployedWith(fake, await deployedExec());
    fake.nextTemplate = await deployedExec('rollout-2026-11-29T00:00:00.000Z');
    withExec(false, true);
    const r = await tapctl(g, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! ECS Exec {2}1 running task started before ECS Exec was enabled \(container.exec\): this deploy rolls the service/);
    expect(fake.calls('CreateChangeSet')).toBe(1);
  });

  it('GIVEN every task has ECS Exec THEN nothing to deploy is up to date', async () => {
    aimFake(fake, g);
    deployedWith(fake, await deployedExec('rollout-2026-11-28T00:00:00.000Z'));
    withExec(true, true);
    const r = await tapctl(g, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ ECS Exec {2}every running task has it/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });
});
