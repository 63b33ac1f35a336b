/**
 * Kind 2 of [6/12]: cross-stack links. A deploy that changes or removes an export another stack imports, and a
 * destroy that removes it, are refused (exit 3) naming the importers, asked with ListImports. The emulator does
 * not implement ListImports (it answers 500), so this is tested with SDK mocks only.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { ListImportsCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { exportChanges } from '../../src/deploy/exports.js';
import { FakeAws } from './fake-aws.js';
import { logicalIdOf, tapctl, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;
useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

const where = { account: '111111111111', region: 'us-east-1', stackName: 'TapStack-shop-dev' };
const stackWith = (outputs: Array<[key: string, value: string, exportName?: string]>): Stack =>
  ({ StackName: where.stackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs.map(([OutputKey, OutputValue, ExportName]) => ({ OutputKey, OutputValue, ...(ExportName ? { ExportName } : {}) })) }) as Stack;
const tpl = (outputs: Record<string, [value: unknown, exportName?: unknown]>) => ({
  Outputs: Object.fromEntries(Object.entries(outputs).map(([k, [Value, Name]]) => [k, { Value, ...(Name ? { Export: { Name } } : {}) }])),
});

describe('exportChanges: which exports a deploy changes or removes', () => {
  const stageUrl = (stage: string) => ({ 'Fn::Join': ['', ['https://', { Ref: 'Api' }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: stage }, '/']] });

  it("changing the environment's kind renames the API stage: its URL export changes", () => {
    const stack = stackWith([['APIGatewayURL', 'https://a.execute-api.us-east-1.amazonaws.com/development/', 'shop-dev-api-url']]);
    const deployed = tpl({ APIGatewayURL: [stageUrl('ApiDeploymentStagedevelopment1'), 'shop-dev-api-url'] });
    const next = tpl({ APIGatewayURL: [stageUrl('ApiDeploymentStagestaging2'), 'shop-dev-api-url'] });
    expect(exportChanges(stack, deployed, next, where)).toEqual([{ name: 'shop-dev-api-url', outputKey: 'APIGatewayURL', change: 'changed' }]);
  });

  it('an output that is no longer exported, or exported under another name, removes the export', () => {
    const stack = stackWith([['VpcId', 'vpc-1', 'shop-dev-vpc-id'], ['KeyArn', 'arn:k', 'shop-dev-kms-key-arn']]);
    const deployed = tpl({ VpcId: [{ Ref: 'Vpc' }, 'shop-dev-vpc-id'], KeyArn: [{ 'Fn::GetAtt': ['Key', 'Arn'] }, 'shop-dev-kms-key-arn'] });
    const next = tpl({ VpcId: [{ Ref: 'Vpc' }], KeyArn: [{ 'Fn::GetAtt': ['Key', 'Arn'] }, 'shop-dev-key-arn'] });
    expect(exportChanges(stack, deployed, next, where).map((c) => [c.name, c.change])).toEqual([
      ['shop-dev-vpc-id', 'removed'],
      ['shop-dev-kms-key-arn', 'removed'],
    ]);
  });

  it('a literal value is compared with what is exported now, whatever its expression', () => {
    const stack = stackWith([['Port', '5432', 'shop-dev-db-port'], ['Region', 'us-east-1', 'shop-dev-region']]);
    const deployed = tpl({ Port: ['5432', 'shop-dev-db-port'], Region: ['us-east-1', 'shop-dev-region'] });
    // The port changes (an engine change); the region is the same value written another way.
    const next = tpl({ Port: ['3306', 'shop-dev-db-port'], Region: [{ Ref: 'AWS::Region' }, 'shop-dev-region'] });
    expect(exportChanges(stack, deployed, next, where)).toEqual([{ name: 'shop-dev-db-port', outputKey: 'Port', change: 'changed' }]);
  });

  it('nothing exported changes: none; outputs that are not exported do not count', () => {
    const stack = stackWith([['VpcId', 'vpc-1', 'shop-dev-vpc-id'], ['Plain', 'x']]);
    const same = tpl({ VpcId: [{ Ref: 'Vpc' }, 'shop-dev-vpc-id'], Plain: ['y'] });
    expect(exportChanges(stack, same, same, where)).toEqual([]);
    expect(exportChanges(stack, same, tpl({ VpcId: [{ Ref: 'Vpc' }, { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'x']] }] }), where)).toEqual([expect.objectContaining({ change: 'removed' })]);
  });
});

/** The deployed stack exports its API URL and site URL; the deployed template's API URL names another stage. */
function deployedWithOldStage(): void {
  fake.deployedAsIs();
  const deployed = f.template();
  deployed.Outputs.APIGatewayURL.Value = { 'Fn::Join': ['', ['https://', 'old', '/', { Ref: 'ApiEcommerceAPIDeploymentStageproduction00000000' }, '/']] };
  fake.stack!.template = deployed;
  fake.stack!.exports = { APIGatewayURL: 'shop-dev-api-url', CloudFrontURL: 'shop-dev-cloudfront-url' };
}

describe('deploy: a changed export that another stack imports', () => {
  it('is refused (exit 3) naming the importers, before any change set; only the changed export is asked about', async () => {
    deployedWithOldStage();
    fake.imports.set('shop-dev-api-url', ['TapStack-reports-dev', 'Billing-dev']);
    fake.imports.set('shop-dev-cloudfront-url', ['Unaffected']);
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain("refusing to deploy 'dev': it changes or removes exports of TapStack-shop-dev that other stacks import: shop-dev-api-url (changed; imported by TapStack-reports-dev, Billing-dev)");
    expect(r.stderr).toMatch(/hint: CloudFormation would fail with "Export ... cannot be updated as it is in use": make TapStack-reports-dev, Billing-dev stop importing it/);
    expect(fake.cfn.commandCalls(ListImportsCommand).map((c) => c.args[0].input.ExportName)).toEqual(['shop-dev-api-url']);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('goes on when no stack imports it ("is not imported by any stack" means none), saying which exports change', async () => {
    deployedWithOldStage();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ exports {2}shop-dev-api-url \(changed\): no stack imports it/);
  });

  it('an unchanged stack asks nothing; a ListImports that fails is a warning, never a silent pass', async () => {
    fake.deployedAsIs();
    fake.stack!.exports = { APIGatewayURL: 'shop-dev-api-url' };
    const same = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(same.stderr).toMatch(/✔ exports {2}1 exports, none changed or removed/);
    expect(fake.calls('ListImports')).toBe(0);

    deployedWithOldStage();
    fake.cfn.on(ListImportsCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudformation:ListImports'), { name: 'AccessDenied' }));
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! exports {2}shop-dev-api-url \(changed\): who imports shop-dev-api-url could not be read \(AWS denied access while listing the stacks that import shop-dev-api-url/);
  });

  it('a stack that is not deployed yet exports nothing: skipped', async () => {
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.stderr).toMatch(/– exports {2}the stack is not deployed: it exports nothing yet/);
  });

  it("CloudFormation's own refusal, when it comes anyway, is explained as an export in use", async () => {
    fake.deployedAsIs();
    const deployed = f.template();
    const topic = logicalIdOf(deployed, 'AWS::SNS::Topic');
    delete deployed.Resources[topic];
    fake.stack!.template = deployed;
    fake.outcome = { kind: 'fail', failed: topic, reason: 'Export shop-dev-api-url cannot be updated as it is in use by TapStack-reports-dev' };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/known cause \(export in use\): another stack imports this export/);
  });
});

describe('deploy: an export whose resource the change set replaces', () => {
  it('changes with it: refused (exit 3) when imported, even with --allow-replace; the change set is not executed', async () => {
    const deployed = f.template();
    const cluster = logicalIdOf(deployed, 'AWS::RDS::DBCluster');
    deployed.Resources[cluster].Properties.DatabaseName = 'legacy';
    fake.deployedAsIs();
    fake.stack!.template = deployed;
    fake.replaceOnChange.add(cluster);
    fake.imports.set('shop-dev-db-endpoint', ['Analytics-dev']);
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--allow-replace', cluster]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/refusing to deploy 'dev': it changes or removes exports of TapStack-shop-dev that other stacks import: shop-dev-db-endpoint \(changed; imported by Analytics-dev\)/);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
    // Only the exports that name the replaced cluster were asked about.
    expect(fake.cfn.commandCalls(ListImportsCommand).map((c) => c.args[0].input.ExportName).sort()).toEqual(['shop-dev-db-endpoint', 'shop-dev-db-port']);

    fake.imports.clear();
    const ok = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--allow-replace', cluster]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
  });
});

describe('destroy: exports other stacks import', () => {
  it('is refused (exit 3) before anything is deleted; with no importer every export is asked about once and the stack goes', async () => {
    fake.deployedAsIs();
    fake.stack!.exports = { APIGatewayURL: 'shop-dev-api-url', CloudFrontURL: 'shop-dev-cloudfront-url', ALBDNSName: 'shop-dev-alb-dns' };
    fake.imports.set('shop-dev-alb-dns', ['Monitoring-dev']);
    const r = await tapctl(f, ['destroy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain("refusing to destroy 'dev': it removes exports of TapStack-shop-dev that other stacks import: shop-dev-alb-dns (removed; imported by Monitoring-dev)");
    expect(fake.calls('DeleteStack')).toBe(0);

    fake.imports.clear();
    const ok = await tapctl(f, ['destroy', '--env', 'dev', '--yes']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fake.calls('ListImports')).toBe(6);
    expect(fake.calls('DeleteStack')).toBe(1);
  });
});
