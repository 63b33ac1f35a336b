/**
 * Kind 3 of [6/12]: leftovers from an earlier destroy. Before a stack is created, the names it creates are
 * looked up; one that is taken refuses the create (exit 3) with how to delete it or rename the environment.
 * destroy checks that a retained KMS key and secret still exist instead of saying "not checked".
 */
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws.js';
import { logicalIdOf, tapctl, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;
useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

const ACCOUNT = '111111111111';

describe('deploy: a create that would collide with leftovers', () => {
  it('is refused (exit 3) listing each leftover with the command that deletes it, and the suffix that avoids them all', async () => {
    fake.existing.add('shop-app-dev'); // the ECR repository, retained by the destroyed stack
    fake.existing.add(`shop-static-assets-dev-${ACCOUNT}`);
    fake.existing.add('/ecs/shop-app-dev');
    fake.existing.add('shop-db-dev');
    fake.pendingDeletion.add('shop/dev/db-credentials'); // lesson 26: a secret name blocked after delete
    fake.existing.add('alias/shop-master-key-dev');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('refusing to create TapStack-shop-dev: 6 resources with the names it creates already exist, left from an earlier stack (kept when it was destroyed) or made by hand');
    for (const line of [
      '- ECR repository shop-app-dev: delete with aws ecr delete-repository --repository-name shop-app-dev --force --region us-east-1',
      `- S3 bucket shop-static-assets-dev-${ACCOUNT}: delete with aws s3 rb s3://shop-static-assets-dev-${ACCOUNT} --force --region us-east-1`,
      '- log group /ecs/shop-app-dev: delete with aws logs delete-log-group --log-group-name /ecs/shop-app-dev --region us-east-1',
      '- secret shop/dev/db-credentials, scheduled for deletion (the name stays taken until then): delete with aws secretsmanager delete-secret --secret-id shop/dev/db-credentials --force-delete-without-recovery --region us-east-1',
      '- Aurora cluster shop-db-dev: delete with aws rds delete-db-cluster --db-cluster-identifier shop-db-dev',
      '- KMS alias alias/shop-master-key-dev: delete with aws kms delete-alias --alias-name alias/shop-master-key-dev --region us-east-1',
    ]) {
      expect(r.stderr).toContain(line);
    }
    expect(r.stderr).toMatch(/hint: delete the ones you no longer need \(a repository, bucket, secret or database holds data: keep a copy first\), or give 'dev' another suffix \(environments.dev.suffix\)/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('a bucket name another account owns can only be avoided by a new name: no delete command', async () => {
    fake.foreignBuckets.add(`shop-logs-dev-${ACCOUNT}`);
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`- S3 bucket shop-logs-dev-${ACCOUNT}, owned by another account \\(bucket names are global\\)\\n`));
    // A dry run still shows the plan.
    expect(r.stdout).toMatch(/Plan for 'dev'/);
  });

  it('nothing left: passes, having looked up each name once', async () => {
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stderr.match(/✔ leftovers {2}none of the (\d+) names this create takes is in use/);
    expect(line).not.toBeNull();
    const looked = Number(line![1]);
    expect(looked).toBeGreaterThanOrEqual(8);
    expect(fake.calls('DescribeRepositories') + fake.calls('HeadBucket') + fake.calls('DescribeLogGroups') + fake.calls('DescribeSecret') + fake.calls('DescribeDBClusters') + fake.calls('DescribeDBInstances') + fake.calls('DescribeKey')).toBe(looked);
  });

  it('a stack whose first create failed is created again: its leftovers are looked for too', async () => {
    fake.stack = { status: 'ROLLBACK_COMPLETE' };
    fake.existing.add('shop-app-dev');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/- ECR repository shop-app-dev: delete with/);
    expect(fake.calls('DeleteStack')).toBe(0);
  });

  it('what the failed stack still holds goes with it (deploy deletes it first): not a leftover; what it does not hold is', async () => {
    const t = f.template();
    const repo = logicalIdOf(t, 'AWS::ECR::Repository');
    fake.stack = { status: 'ROLLBACK_COMPLETE', template: { Resources: { [repo]: t.Resources[repo] } }, physicalIds: { [repo]: 'shop-app-dev' } };
    fake.existing.add('shop-app-dev');
    fake.existing.add('/ecs/shop-app-dev');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('- log group /ecs/shop-app-dev: delete with');
    expect(r.stderr).not.toContain('- ECR repository shop-app-dev');
  });

  it('an existing stack owns its names: nothing is looked up', async () => {
    fake.deployedAsIs();
    fake.existing.add('shop-app-dev');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/– leftovers {2}the stack exists: the names it creates are its own/);
    expect(fake.logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(0);
  });

  it('a lookup that is denied is a warning naming what was not checked, never a silent pass', async () => {
    fake.secrets.on(DescribeSecretCommand).rejects(Object.assign(new Error('not authorized to perform: secretsmanager:DescribeSecret'), { name: 'AccessDeniedException' }));
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    // Every secret the stack names (the database credentials, and the origin header's of [11/12]) is named.
    expect(r.stderr).toMatch(/! leftovers {2}(shop\/dev\/[a-z0-9-]+, )*shop\/dev\/db-credentials could not be looked up \(AWS denied access while checking secret shop\/dev\/[a-z0-9-]+: not authorized/);
  });
});

describe('destroy: what the deletion kept, looked up', () => {
  it('a retained KMS key and secret are checked: still there, or scheduled for deletion; a gone one is dropped', async () => {
    fake.deployedAsIs();
    const t = fake.stack!.template as Record<string, any>;
    const key = logicalIdOf(t, 'AWS::KMS::Key');
    const secret = logicalIdOf(t, 'AWS::SecretsManager::Secret');
    const group = logicalIdOf(t, 'AWS::Logs::LogGroup');
    for (const id of [key, secret, group]) t.Resources[id].DeletionPolicy = 'Retain';
    const secretArn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:shop/dev/db-credentials-AbCdEf`;
    fake.stack!.physicalIds = { [key]: '1234abcd-12ab-34cd-56ef-1234567890ab', [secret]: secretArn, [group]: '/ecs/shop-app-dev' };
    fake.existing.add('1234abcd-12ab-34cd-56ef-1234567890ab');
    fake.pendingDeletion.add(secretArn);
    const r = await tapctl(f, ['destroy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const retained = JSON.parse(r.stdout.trim().split('\n').at(-1)!).retained;
    expect(retained).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'AWS::KMS::Key', physicalId: '1234abcd-12ab-34cd-56ef-1234567890ab', exists: true }),
        expect.objectContaining({ type: 'AWS::SecretsManager::Secret', physicalId: secretArn, exists: true, state: 'pending-deletion' }),
      ]),
    );
    // The log group is gone: not listed.
    expect(retained.map((x: { type: string }) => x.type)).not.toContain('AWS::Logs::LogGroup');
    expect(retained.filter((x: { exists?: boolean; policy: string }) => x.exists === undefined && x.policy !== 'Snapshot')).toEqual([]);
  });

  it('a look-up that fails after the stack is gone is "not checked" with the reason: the destroy itself succeeded (exit 0)', async () => {
    fake.deployedAsIs();
    const t = fake.stack!.template as Record<string, any>;
    const key = logicalIdOf(t, 'AWS::KMS::Key');
    t.Resources[key].DeletionPolicy = 'Retain';
    fake.stack!.physicalIds = { [key]: 'key-1' };
    fake.kms.on(DescribeKeyCommand).rejects(Object.assign(new Error('User is not authorized to perform: kms:DescribeKey'), { name: 'AccessDeniedException' }));
    const r = await tapctl(f, ['destroy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const retained = JSON.parse(r.stdout.trim().split('\n').at(-1)!).retained;
    expect(retained).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'AWS::KMS::Key', uncheckedBecause: expect.stringContaining('AWS denied access while checking KMS key key-1') })]));
    expect(fake.calls('DeleteStack')).toBe(1);
  });
});
