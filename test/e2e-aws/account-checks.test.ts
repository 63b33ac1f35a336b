/**
 * [6/12] against the AWS API emulator, where it models the calls: the API Gateway CloudWatch role as an account
 * singleton (deploy requires it, bootstrap finds it, destroy leaves it), leftovers of a destroyed stack
 * refusing the next create, a pinned image read from the emulated ECR and checked for the task's platform, and
 * push-image's health-check warning from a real buildah image's file list. ListImports is not modelled (the
 * emulator answers 500): cross-stack exports are tested with SDK mocks (test/deploy/exports.test.ts).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DeleteBucketCommand, ListObjectsV2Command, DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, expect, it } from 'vitest';
import { e2eSuite, EMULATED_ACCOUNT, emulator, REGION, resetEmulator, Scenario } from './harness.js';

const STACK = 'TapStack-shop-dev';

e2eSuite(import.meta.url, 'e2e-aws: checks that see the whole account', () => {
  beforeEach(() => resetEmulator());
  const config = () => ({ endpoint: emulator().awsEndpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

  it("API Gateway logging: deploy requires the account's role, bootstrap finds the one set up outside tapctl, destroy leaves it", async () => {
    const s = await Scenario.init();
    s.editConfig((doc) => doc.setIn(['defaults', 'api'], doc.createNode({ loggingLevel: 'ERROR' })));
    // CDK bootstrap first, with logging off for the moment: an environment that does not log needs no role.
    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'api'], doc.createNode({ loggingLevel: 'OFF' })));
    const first = await s.tapctl(['bootstrap', '--env', 'dev', '--json']);
    expect(first.code, first.output).toBe(0);
    expect(first.result?.singletons).toEqual([]);
    s.editConfig((doc) => doc.deleteIn(['environments', 'dev', 'api']));

    const refused = await s.tapctl(['deploy', '--env', 'dev', '--dry-run']);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.stderr).toContain("✖ API Gateway logging  API Gateway execution logging is on (ERROR) in 'dev', but account has no API Gateway CloudWatch role in us-east-1");
    expect(refused.stdout).toMatch(/Next:\n {2}tapctl bootstrap --env dev\n/);

    // Emulator: moto has no AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy, so bootstrap cannot attach it
    // to a role of tapctl's own here (AttachRolePolicy: NoSuchEntity); creating it is tested with SDK mocks
    // (test/aws/account-singletons.test.ts, test/deploy/account-singletons.test.ts). Here the account's role is
    // one set up outside tapctl, as another team's would be: bootstrap finds it and leaves it as it is.
    const iam = new IAMClient(config());
    const theirs = (await iam.send(new CreateRoleCommand({ RoleName: 'platform-apigw-logs', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }))).Role!.Arn!;
    const apigw = new APIGatewayClient(config());
    await apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: theirs }] }));

    const boot = await s.tapctl(['bootstrap', '--env', 'dev', '--json']);
    expect(boot.code, boot.output).toBe(0);
    expect(boot.result?.singletons).toEqual([expect.objectContaining({ id: 'apigateway-cloudwatch-role', status: 'present', detail: `${theirs} (set up outside tapctl)` })]);

    const deploy = await s.tapctl(['deploy', '--env', 'dev', '--yes', '--json']);
    expect(deploy.code, deploy.output).toBe(0);
    expect(deploy.stdout).toContain(`"name":"API Gateway logging","status":"pass","detail":"account CloudWatch role ${theirs} (set up outside tapctl)"`);
    // The stack declares no account setting and no role of its own for it.
    expect(Object.values(await s.aws.template(STACK)).map((r) => r.Type)).not.toContain('AWS::ApiGateway::Account');

    const destroy = await s.tapctl(['destroy', '--env', 'dev', '--yes']);
    expect(destroy.code, destroy.output).toBe(0);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'platform-apigw-logs' }))).Role?.Arn).toBe(theirs);
    expect((await apigw.send(new GetAccountCommand({}))).cloudwatchRoleArn).toBe(theirs);
  });

  it('leftovers: after a destroy that kept data, the next create is refused (exit 3) naming them; deleted, it goes', async () => {
    const s = await Scenario.init({ retainData: true });
    for (const args of [['bootstrap', '--env', 'dev'], ['deploy', '--env', 'dev', '--yes'], ['destroy', '--env', 'dev', '--yes']]) {
      const step = await s.tapctl(args);
      expect(step.code, step.output).toBe(0);
    }
    const buckets = [`shop-static-assets-dev-${EMULATED_ACCOUNT}`, `shop-logs-dev-${EMULATED_ACCOUNT}`];

    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.output).toBe(3);
    expect(r.stderr).toMatch(/refusing to create TapStack-shop-dev: \d+ resources with the names it creates already exist/);
    expect(r.stderr).toContain('- ECR repository shop-app-dev: delete with aws ecr delete-repository --repository-name shop-app-dev --force --region us-east-1');
    for (const b of buckets) expect(r.stderr).toContain(`- S3 bucket ${b}: delete with aws s3 rb s3://${b} --force --region us-east-1`);
    expect(r.stderr).toContain("give 'dev' another suffix (environments.dev.suffix)");
    expect(await s.aws.stack(STACK)).toBeUndefined();

    // The person deletes what is left (here through the SDK), and the create goes through.
    await s.aws.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'shop-app-dev', force: true }));
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    for (const Bucket of buckets) {
      const objects = (await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? [];
      if (objects.length) await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects.map((o) => ({ Key: o.Key })) } }));
      await s3.send(new DeleteBucketCommand({ Bucket }));
    }
    // Emulator: moto's ELBv2 keeps the destroyed stack's target group, which AWS deletes with the stack, so the
    // create itself would fail here on that name; the check is what is asserted, with a dry run.
    const left = await s.tapctl(['deploy', '--env', 'dev', '--dry-run']);
    expect(left.code, left.output).toBe(0);
    expect(left.stderr).toMatch(/✔ leftovers {2}none of the \d+ names this create takes is in use/);
  });

  it('a pinned image is read from the emulated ECR: its platform passes, another architecture is refused (exit 3)', async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    expect((await s.tapctl(['deploy', '--env', 'dev', '--yes'])).code).toBe(0);
    const push = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'pinned-v1', '--json']);
    expect(push.code, push.output).toBe(0);

    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'container'], doc.createNode({ image: { tag: 'pinned-v1' } })));
    const ok = await s.tapctl(['deploy', '--env', 'dev', '--dry-run', '--json']);
    expect(ok.code, ok.output).toBe(0);
    // The tag pin is deployed (and read) by the digest ECR holds for it.
    expect(ok.stdout).toMatch(new RegExp(`"name":"image platform","status":"pass","detail":"${EMULATED_ACCOUNT}\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/shop-app-dev:pinned-v1@sha256:[0-9a-f]{64} runs on linux/amd64 \\(its image config\\)"`));

    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'container'], doc.createNode({ image: { tag: 'pinned-v1' }, architecture: 'arm64' })));
    const refused = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(refused.code, refused.output).toBe(3);
    expect(refused.stderr).toMatch(new RegExp(`image ${EMULATED_ACCOUNT}\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/shop-app-dev:pinned-v1@sha256:[0-9a-f]{64} is built for linux/amd64, but the task of 'dev' runs linux/arm64`));
  });

  it("push-image reads the built image's file list: no shell, then wget without curl, then curl (buildah, never run)", async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    expect((await s.tapctl(['deploy', '--env', 'dev', '--yes'])).code).toBe(0);

    // FROM scratch (this machine cannot pull a base image): the harness's Dockerfile has no /bin/sh.
    const scratch = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'hc-scratch', '--json']);
    expect(scratch.code, scratch.output).toBe(0);
    expect(scratch.result?.healthCheck).toMatchObject({ command: 'curl -f http://localhost:3000/health || exit 1', status: 'warn', findings: [expect.stringContaining('the image has no /bin/sh')] });

    // Files named like alpine's: a shell and wget, no curl. Only the names matter: nothing is run.
    mkdirSync(join(s.dir, 'fake'), { recursive: true });
    writeFileSync(join(s.dir, 'fake', 'tool'), '#!/bin/sh\n');
    writeFileSync(join(s.dir, 'Dockerfile'), 'FROM scratch\nCOPY fake/tool /bin/sh\nCOPY fake/tool /usr/bin/wget\nCOPY app/server.js /app/server.js\n');
    const alpine = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'hc-wget']);
    expect(alpine.code, alpine.output).toBe(0);
    expect(alpine.stderr).toContain('the container health check runs curl (curl -f http://localhost:3000/health || exit 1), which the image does not have');
    expect(alpine.stderr).toContain('it has wget: container.healthCheckCommand: "wget -q -O /dev/null http://localhost:3000/health || exit 1"');

    writeFileSync(join(s.dir, 'Dockerfile'), 'FROM scratch\nCOPY fake/tool /bin/sh\nCOPY fake/tool /usr/bin/curl\nCOPY app/server.js /app/server.js\n');
    const curl = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'hc-curl', '--json']);
    expect(curl.code, curl.output).toBe(0);
    expect(curl.result?.healthCheck).toEqual({ command: 'curl -f http://localhost:3000/health || exit 1', status: 'ok' });
  });
});
