/** tapctl diff, bootstrap and destroy on the real synthesized stack, against the faked AWS. */
import { CreateChangeSetCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws.js';
import { logicalIdOf, tapctl, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;

useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

describe('tapctl diff', () => {
  it('says "not deployed yet" and exits 0 when the stack does not exist', async () => {
    const r = await tapctl(f, ['diff', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TapStack-shop-dev is not deployed yet: the first deploy creates everything/);
    expect(r.stdout).toMatch(/template\s+\d+ resources, \d+\.\d KiB/);
  });

  it('explains an AWS access denial from toolkit-lib with what it was doing, not as a bug in tapctl (exit 1)', async () => {
    fake.deployedAsIs();
    fake.cfn.on(GetTemplateCommand).callsFake(() => {
      throw Object.assign(new Error('User: arn:aws:iam::111111111111:user/ci is not authorized to perform: cloudformation:GetTemplate'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    });
    for (const args of [['diff', '--env', 'dev'], ['diff', '--env', 'dev', '--template-only'], ['deploy', '--env', 'dev', '--dry-run']]) {
      const r = await tapctl(f, args);
      expect(r.code, r.stderr).toBe(1);
      // The template is first read to find the image the stack runs (the ledger is empty), then for the diff.
      expect(r.stderr).toMatch(/✖ (image {2})?AWS denied access while (comparing TapStack-shop-dev with the deployed stack|reading the template of stack TapStack-shop-dev): User: .* cloudformation:GetTemplate/);
      expect(r.stderr).toMatch(/hint: your role needs this permission/);
      expect(r.stderr).not.toMatch(/internal error|bug in tapctl/);
    }
  });

  it('summarizes the change and calls out a stateful replacement loudly', async () => {
    const deployed = f.template();
    const cluster = logicalIdOf(deployed, 'AWS::RDS::DBCluster');
    const bucket = logicalIdOf(deployed, 'AWS::S3::Bucket');
    deployed.Resources[cluster].Properties.DatabaseName = 'legacy';
    deployed.Resources.OldBucket = { Type: 'AWS::S3::Bucket', Properties: {} };
    fake.deployedAsIs();
    fake.stack!.template = deployed;
    fake.replaceOnChange.add(cluster);
    const r = await tapctl(f, ['diff', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TapStack-shop-dev: 0 to add, 0 to change, 1 to replace, 1 to remove/);
    expect(r.stdout).toMatch(new RegExp(`± ${cluster}  AWS::RDS::DBCluster  REPLACE  <- STATEFUL`));
    expect(r.stdout).toMatch(/- OldBucket {2}AWS::S3::Bucket {2}REMOVE {2}<- STATEFUL/);
    expect(r.stderr).toMatch(new RegExp(`${cluster} \\(AWS::RDS::DBCluster\\) would be replaced: its data is lost`));
    expect(bucket).not.toBe('OldBucket');
    // The change set was only for the diff: created, never executed, deleted again.
    expect(fake.calls('CreateChangeSet')).toBe(1);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
  });

  it('a change set with no per-resource details is never "no changes": the templates say what differs', async () => {
    fake.deployedAsIs();
    const t = fake.stack!.template as Record<string, any>;
    const service = logicalIdOf(t, 'AWS::ECS::Service');
    t.Resources[service].Properties.Cluster = { Ref: 'AnOldCluster' };
    fake.changeSetWithoutDetails = true;
    const r = await tapctl(f, ['diff', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/matches the deployed stack: no changes/);
    expect(r.stdout).toContain(`TapStack-shop-dev: no resource change itemized by CloudFormation, but the template differs in 1 resource (${service})`);
  });

  it('when the change set cannot be created, compares the templates and says so, with the reason (human and --json)', async () => {
    const deployed = f.template();
    deployed.Resources.OldBucket = { Type: 'AWS::S3::Bucket', Properties: {} };
    fake.deployedAsIs();
    fake.stack!.template = deployed;
    fake.cfn.on(CreateChangeSetCommand).callsFake(() => {
      throw Object.assign(new Error('User: arn:aws:iam::111111111111:user/ci is not authorized to perform: cloudformation:CreateChangeSet'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    });
    const r = await tapctl(f, ['diff', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/could not create a change set \(AWS denied access while creating a change set for TapStack-shop-dev: User: .* cloudformation:CreateChangeSet\): comparing the templates instead, which is less precise about replacements/);
    expect(r.stdout).toMatch(/TapStack-shop-dev: 0 to add, 0 to change, 0 to replace, 1 to remove/);
    expect(r.stdout).toMatch(/compared the templates: a change set could not be created \(AWS denied access/);

    const json = await tapctl(f, ['diff', '--env', 'dev', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, method: 'template-only', fallbackReason: expect.stringContaining('cloudformation:CreateChangeSet'), changes: { removals: 1 } });
  });

  it('a diff made with a change set says so in --json', async () => {
    fake.deployedAsIs();
    const r = await tapctl(f, ['diff', '--env', 'dev', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ ok: true, method: 'change-set' });
    expect(result.fallbackReason).toBeUndefined();
  });

  it('--json prints one document', async () => {
    fake.deployedAsIs();
    const r = await tapctl(f, ['diff', '--env', 'dev', '--json', '--template-only']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, deployed: true, changes: { adds: 0, replacements: 0, removals: 0 } });
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });
});

describe('tapctl bootstrap', () => {
  it('bootstraps the account and region with live progress', async () => {
    fake.bootstrapVersion = undefined;
    const r = await tapctl(f, ['bootstrap', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    // toolkit-lib's advice for the CDK CLI (flags tapctl does not have) stays out of tapctl's output.
    expect(r.stderr).not.toMatch(/--cloudformation-execution-policies|Using default execution policy/);
    expect(r.stderr).toMatch(/CREATE_COMPLETE\s+StagingBucket/);
    expect(r.stdout).toMatch(/bootstrapped 111111111111\/us-east-1/);
    expect(fake.bootstrapVersion).toBe(30);
  });

  it('refuses credentials for another account (exit 3)', async () => {
    fake.account = '999999999999';
    const r = await tapctl(f, ['bootstrap', '--env', 'dev']);
    expect(r.code).toBe(3);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });
});

describe('tapctl destroy', () => {
  it('needs --yes without a terminal (exit 3), and says so before any AWS call', async () => {
    fake.deployedAsIs();
    const r = await tapctl(f, ['destroy', '--env', 'dev']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/needs confirmation, and there is no terminal to ask/);
    expect(r.stderr).toMatch(/hint: pass --yes to confirm \(in CI\), or run tapctl destroy --env dev on a terminal/);
    expect(fake.calls('DeleteStack')).toBe(0);
    expect(fake.callCounts()).toEqual({});
  });

  it('refuses a production environment without --allow-production (exit 3)', async () => {
    const r = await tapctl(f, ['destroy', '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/'prod' is a production environment: destroy refuses it without --allow-production/);
    expect(r.stderr).toMatch(/hint: if you mean it: tapctl destroy --env prod --allow-production/);
  });

  it.each([['prod'], ['dev']])("the old spelling --force (env %s) is refused up front, naming --allow-production (exit 2)", async (env) => {
    const r = await tapctl(f, ['destroy', '--env', env, '--yes', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/destroy's --force is now --allow-production/);
    expect(fake.callCounts()).toEqual({});
  });

  it('asks for the environment name at a terminal, deletes, then lists what was kept and still exists', async () => {
    fake.deployedAsIs();
    const t = fake.stack!.template as Record<string, any>;
    const bucket = logicalIdOf(t, 'AWS::S3::Bucket');
    const repo = logicalIdOf(t, 'AWS::ECR::Repository');
    t.Resources[bucket].DeletionPolicy = 'Retain';
    t.Resources[repo].DeletionPolicy = 'Retain';
    fake.stack!.physicalIds = { [bucket]: 'shop-static-assets-dev-111111111111', [repo]: 'shop-app-dev' };
    fake.existing.add('shop-static-assets-dev-111111111111'); // the repository is gone, the bucket is not
    const prompter = { input: async () => 'dev', confirm: async () => false, select: async () => 'x' as never, checkbox: async () => [] };
    const r = await tapctl(f, ['destroy', '--env', 'dev'], { tty: true, prompter });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.calls('DeleteStack')).toBe(1);
    expect(r.stdout).toMatch(/destroyed TapStack-shop-dev/);
    expect(r.stdout).toMatch(/shop-static-assets-dev-111111111111 {2}AWS::S3::Bucket, Retain {2}still exists/);
    expect(r.stdout).not.toMatch(/shop-app-dev /);
  });

  it('marks the release ledger ended, keeping its history; a denied write is exit 1 after the stack is gone', async () => {
    fake.deployedAsIs();
    fake.parameters.set('/tapctl/shop/dev/releases/000001', { kept: true });
    const r = await tapctl(f, ['destroy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.parameters.get('/tapctl/shop/dev/ended')).toMatchObject({ v: 1, by: 'arn:aws:iam::111111111111:user/ci', stack: 'TapStack-shop-dev', at: expect.any(String) });
    expect(fake.parameters.get('/tapctl/shop/dev/releases/000001')).toEqual({ kept: true });
    expect(r.stdout).toMatch(/release ledger \/tapctl\/shop\/dev\/ marked ended/);

    fake.deployedAsIs();
    fake.parameters.deny.add('PutParameter');
    const denied = await tapctl(f, ['destroy', '--env', 'dev', '--yes']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('✖ destroyed TapStack-shop-dev, but its release ledger could not be marked ended: AWS denied ssm:PutParameter on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/ended');
  });

  it("lists the app secrets it leaves in Secrets Manager, with the command that deletes each; also when the stack is already gone", async () => {
    fake.deployedAsIs();
    fake.existing.add('tapctl/shop/dev/STRIPE_KEY');
    fake.pendingDeletion.add('tapctl/shop/dev/OLD_TOKEN');
    const r = await tapctl(f, ['destroy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Left in Secrets Manager (app secrets are not part of the stack; each costs money until deleted):');
    expect(r.stdout).toMatch(/tapctl\/shop\/dev\/STRIPE_KEY {2}still exists {2}delete: tapctl secrets unset --env dev STRIPE_KEY/);
    expect(r.stdout).toMatch(/tapctl\/shop\/dev\/OLD_TOKEN {2}scheduled for deletion/);

    const again = await tapctl(f, ['destroy', '--env', 'dev', '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      status: 'not-deployed',
      appSecrets: [
        { name: 'OLD_TOKEN', secretName: 'tapctl/shop/dev/OLD_TOKEN', state: 'pending-deletion' },
        { name: 'STRIPE_KEY', secretName: 'tapctl/shop/dev/STRIPE_KEY', state: 'exists', deleteWith: 'tapctl secrets unset --env dev STRIPE_KEY' },
      ],
    });
  });

  it('a wrong answer leaves the stack alone (exit 3)', async () => {
    fake.deployedAsIs();
    const prompter = { input: async () => 'prod', confirm: async () => false, select: async () => 'x' as never, checkbox: async () => [] };
    const r = await tapctl(f, ['destroy', '--env', 'dev'], { tty: true, prompter });
    expect(r.code).toBe(3);
    expect(fake.calls('DeleteStack')).toBe(0);
  });
});
