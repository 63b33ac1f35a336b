/**
 * A new user's day, every command spawned as they would run it, against the AWS API emulator and a real
 * registry: init -> bootstrap -> first deploy (two-phase, 0 tasks) -> push-image --deploy (a real buildah build
 * and push) -> status --json -> diff -> a no-change deploy -> a harmless change -> a stateful replacement
 * refused -> destroy with its retained list. Each step builds on the last, in order.
 */
import { readFileSync } from 'node:fs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, expect, it } from 'vitest';
import { validate } from '../status/json-schema.js';
import { e2eSuite, EMULATED_ACCOUNT, imageOf, registryDigest, resetEmulator, Scenario } from './harness.js';

const STACK = 'TapStack-shop-dev';
const REPOSITORY = 'shop-app-dev';
const REPOSITORY_URI = `${EMULATED_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}`;
const SERVICE = 'AWS::ECS::Service';
const TASK_DEFINITION = 'AWS::ECS::TaskDefinition';
const SCALABLE_TARGET = 'AWS::ApplicationAutoScaling::ScalableTarget';

e2eSuite(import.meta.url, 'e2e-aws: from init to destroy', () => {
  let s: Scenario;
  let digest: string;

  beforeAll(async () => {
    await resetEmulator();
    // dev keeps its data, so that destroy has retained resources to list (a warning, L1). Set before the first
    // deploy: emulator, an update that changes deletion policies leaves DescribeStacks failing on that stack.
    s = await Scenario.init({ retainData: true });
  });

  it('init scaffolds the project', () => {
    expect(s.initRun.stdout + s.initRun.stderr).toContain('shop (ecommerce) scaffolded');
    expect(readFileSync(`${s.dir}/tapctl.config.yaml`, 'utf8')).toContain(`account: "${EMULATED_ACCOUNT}"`);
  });

  it('bootstrap creates the CDK toolkit stack and its version parameter', async () => {
    const r = await s.tapctl(['bootstrap', '--env', 'dev']);
    expect(r.code, r.output).toBe(0);
    expect((await s.aws.stack('CDKToolkit'))?.StackStatus).toBe('CREATE_COMPLETE');
    const version = await s.aws.ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' }));
    expect(Number(version.Parameter?.Value)).toBeGreaterThanOrEqual(6);
  });

  it('the first deploy creates the stack with the service at 0 tasks, waiting for an image', async () => {
    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ type: 'result', ok: true, stack: STACK });
    expect(r.stdout).toContain('"name":"image","status":"warn"');

    expect((await s.aws.stack(STACK))?.StackStatus).toBe('CREATE_COMPLETE');
    expect(await s.aws.outputs(STACK)).toMatchObject({ ECRRepositoryURI: REPOSITORY_URI, ECSClusterName: 'shop-cluster-dev' });
    // The two-phase first deploy, as CloudFormation holds it: 0 tasks, scaling floor 0, a placeholder image.
    expect((await s.aws.resource(STACK, SERVICE)).Properties?.DesiredCount).toBe(0);
    expect((await s.aws.resource(STACK, SCALABLE_TARGET)).Properties?.MinCapacity).toBe(0);
    expect(imageOf(await s.aws.resource(STACK, TASK_DEFINITION))).toContain(':tapctl-bootstrap-placeholder');
    // The stack made the repository push-image pushes to; nothing is in it yet.
    expect(await s.aws.repositoryNames()).toContain(REPOSITORY);
    expect(await s.aws.images(REPOSITORY)).toEqual([]);
    // The load balancer admits CloudFront only: the region's own prefix list, which preflight looked up (the
    // emulator's ID is its own, unlike any in tapctl's offline table), and nothing from 0.0.0.0/0.
    // Emulator: moto's CloudFormation drops an inline rule with SourcePrefixListId (EC2 then shows the group with
    // no inbound rule at all), so the rule is read from the template CloudFormation holds.
    const cloudFront = await s.aws.cloudFrontPrefixListId();
    expect(cloudFront).toMatch(/^pl-/);
    const groups = Object.values(await s.aws.template(STACK)).filter((r) => r.Type === 'AWS::EC2::SecurityGroup' && r.Properties?.GroupDescription === 'Security group for Application Load Balancer');
    expect(groups.map((g) => g.Properties?.SecurityGroupIngress)).toEqual([[expect.objectContaining({ SourcePrefixListId: cloudFront, FromPort: 80, ToPort: 80 })]]);
  });

  it('push-image --deploy builds with buildah, pushes to the registry, registers in ECR and deploys the digest', async () => {
    // Emulator: no task ever runs, so the rollout cannot be waited for (--no-wait); rollout verdicts are
    // tested with SDK mocks (test/image/ecs-rollout.test.ts, test/image/push-image.test.ts).
    const r = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'v1', '--deploy', '--no-wait', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ type: 'result', ok: true, repositoryUri: REPOSITORY_URI, tag: 'v1', platform: 'linux/amd64', deployed: true });
    digest = r.result?.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    // The same digest in the registry (its v2 API) and in the emulated ECR (PutImage of the same manifest).
    expect(await registryDigest(REPOSITORY, 'v1')).toBe(digest);
    expect((await s.aws.images(REPOSITORY)).map((i) => ({ digest: i.imageDigest, tags: i.imageTags }))).toEqual([{ digest, tags: ['v1'] }]);
    expect(await s.currentRelease()).toMatchObject({ image: { repository: REPOSITORY_URI, tag: 'v1', digest } });

    // What CloudFormation now runs: the pushed digest in the stack's repository; auto-scaling owns the count.
    // Emulator: the change set carries no per-property replacement details, so toolkit-lib's change-set diff
    // leaves the task definition out of deploy's change summary; the deployed template is what is asserted.
    const image = imageOf(await s.aws.resource(STACK, TASK_DEFINITION));
    expect(image).toContain('.dkr.ecr.');
    expect(image).toContain('"Ref":"RegistryECRRepository');
    expect(image).toContain(`@${digest}`);
    expect((await s.aws.resource(STACK, SERVICE)).Properties?.DesiredCount).toBeUndefined();
    expect((await s.aws.resource(STACK, SCALABLE_TARGET)).Properties?.MinCapacity).toBe(1);
    expect((await s.aws.stack(STACK))?.StackStatus).toBe('UPDATE_COMPLETE');
  });

  it('status --json is valid against its schema, with the pushed image and the stack as deployed', async () => {
    const r = await s.tapctl(['status', '--env', 'dev', '--json']);
    expect(r.code, r.output).toBe(0);
    const status = r.result!;
    const schema = JSON.parse(readFileSync(new URL('../../docs/status-schema.json', import.meta.url), 'utf8'));
    expect(validate(schema, status)).toEqual([]);
    expect(status.stack).toMatchObject({ name: STACK, status: 'UPDATE_COMPLETE' });
    expect(status.service.data.image.lastPushed).toMatchObject({ repositoryUri: REPOSITORY_URI, tag: 'v1', digest });
    expect(status.endpoints.map((e: { name: string }) => e.name)).toEqual(['site', 'api', 'alb']);
    // Emulator: CloudWatch answers the v3 SDK's JSON protocol with an HTML 500, so the alarms section reports
    // its read error (a state the schema allows); alarm verdicts are tested with SDK mocks (test/status).
    expect(status.alarms).toMatchObject({ state: 'error', error: { code: 'aws' } });
    expect(status.alarms.error.message).toContain('CloudWatch alarms');
    // Emulator: the database cluster is a placeholder that RDS does not know, so the section says it is absent.
    expect(status.database).toMatchObject({ state: 'absent' });
  });

  it('diff finds nothing to change after the deploy', async () => {
    const r = await s.tapctl(['diff', '--env', 'dev', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, deployed: true, changes: { adds: 0, modifications: 0, replacements: 0, removals: 0 } });
  });

  it('a deploy with no changes creates and executes nothing', async () => {
    const before = { stack: await s.aws.stack(STACK), changeSets: await s.aws.changeSetIds(STACK) };
    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('"phase":"done","message":"no changes"');
    // The image check passes now: deploy runs exactly what push-image recorded, found in ECR.
    expect(r.stdout).toContain(`"name":"image","status":"pass","detail":"${REPOSITORY_URI}:v1@${digest}`);
    const after = await s.aws.stack(STACK);
    expect(after?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
    expect(after?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(await s.aws.changeSetIds(STACK)).toEqual(before.changeSets);
  });

  it('a harmless change deploys, and an infrastructure-only deploy keeps the pushed image', async () => {
    s.editConfig((doc) => doc.setIn(['defaults', 'logRetentionDays'], 14));
    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.output).toBe(0);
    const template = await s.aws.template(STACK);
    const retention = Object.values(template).filter((res) => res.Type === 'AWS::Logs::LogGroup').map((res) => res.Properties?.RetentionInDays);
    expect(retention.length).toBeGreaterThan(0);
    expect(new Set(retention)).toEqual(new Set([14]));
    expect(imageOf(await s.aws.resource(STACK, TASK_DEFINITION))).toContain(`@${digest}`);
    expect((await s.aws.resource(STACK, SCALABLE_TARGET)).Properties?.MinCapacity).toBe(1);
  });

  it('replacing the database is refused without --allow-replace (exit 3), and nothing changes', async () => {
    const before = { stack: await s.aws.stack(STACK), changeSets: await s.aws.changeSetIds(STACK), template: await s.aws.template(STACK) };
    s.editConfig((doc) => doc.setIn(['defaults', 'database', 'name'], 'shopdb'));
    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.output).toBe(3);
    expect(r.stderr).toMatch(/refusing to deploy to 'dev': it would destroy the data of DatabaseAuroraCluster\w+ \(AWS::RDS::DBCluster, replaced\)/);
    expect(r.stderr).toContain('--allow-replace');
    const after = await s.aws.stack(STACK);
    expect(after?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
    expect(after?.StackStatus).toBe('UPDATE_COMPLETE');
    // The change set made for the approval is deleted on refusal: none is left, none was executed. (toolkit-lib
    // also deletes the previous, executed one of the same name, which the emulator still listed.)
    expect(before.changeSets).toEqual(expect.arrayContaining(await s.aws.changeSetIds(STACK)));
    expect(await s.aws.template(STACK)).toEqual(before.template);
    expect((await s.aws.resource(STACK, 'AWS::RDS::DBCluster')).Properties?.DatabaseName).toBe('ecommerce');
    s.editConfig((doc) => doc.setIn(['defaults', 'database', 'name'], 'ecommerce'));
  });

  it('destroy deletes the stack and lists what it kept', async () => {
    const r = await s.tapctl(['destroy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ type: 'result', ok: true, status: 'destroyed', stack: STACK });
    const retained = r.result?.retained as Array<{ type: string; physicalId?: string; exists?: boolean }>;
    expect(retained).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'AWS::ECR::Repository', physicalId: REPOSITORY, exists: true }),
        expect.objectContaining({ type: 'AWS::S3::Bucket', physicalId: `shop-static-assets-dev-${EMULATED_ACCOUNT}`, exists: true }),
        expect.objectContaining({ type: 'AWS::RDS::DBCluster', policy: 'Snapshot' }),
        expect.objectContaining({ type: 'AWS::KMS::Key' }),
      ]),
    );
    expect(await s.aws.stack(STACK)).toBeUndefined();
    // Kept means kept: the repository still holds the pushed image.
    expect((await s.aws.images(REPOSITORY)).map((i) => i.imageDigest)).toEqual([digest]);
  });
});
