/**
 * The catalog spec's pre-deployment checks (presets.md a.13) on the synthesized stack: clean as built, and each
 * check firing on the template mistake it exists for.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogTemplateChecks, type CfnTemplateJson, type TemplateFinding } from '../../src/infra/presets/catalog-checks.js';
import { synthCatalog } from './fixtures.js';

type Json = Record<string, any>;
const ctx = { project: 'catalog-api', suffix: 'dev', kind: 'development' as const };
const checks = (findings: TemplateFinding[], check: string) => findings.filter((f) => f.check === check);

/** The first resource of a type in a template (a deep copy, so each test edits its own). */
function firstOf(template: Json, type: string): [string, Json] {
  const entry = Object.entries(template.Resources as Json).find(([, r]) => r.Type === type);
  if (!entry) throw new Error(`no ${type}`);
  return entry as [string, Json];
}

describe('catalogTemplateChecks (presets.md a.13)', () => {
  let dev: Json;
  let prod: Json;
  beforeAll(() => {
    // GIVEN the development template as the dev template writes it (one NAT gateway, no reader) and production
    dev = synthCatalog('dev', { network: { natGateways: 1 }, database: { readers: 0 } }).template.toJSON();
    prod = synthCatalog('prod', { catalog: { onDemandBase: 2 } }).template.toJSON();
  });
  const copy = (): Json => structuredClone(dev);

  it('passes the stacks tapctl builds: no critical finding, no warning (the spec exit code 0)', () => {
    expect(catalogTemplateChecks(dev as CfnTemplateJson, ctx)).toEqual([]);
    expect(catalogTemplateChecks(prod as CfnTemplateJson, { ...ctx, suffix: 'prod', kind: 'production' })).toEqual([]);
  });

  it('CT1: a hard-coded environment name in a tag or a physical name is critical', () => {
    const t = copy();
    const [, cluster] = firstOf(t, 'AWS::ECS::Cluster');
    cluster.Properties.Tags = [{ Key: 'Environment', Value: 'production' }];
    cluster.Properties.ClusterName = 'catalog-api-cluster-prod-dev';
    const found = checks(catalogTemplateChecks(t, ctx), 'CT1');
    expect(found.map((f) => f.message)).toEqual([
      'tag Environment=production on a development stack (hard-coded environment name)',
      "ClusterName 'catalog-api-cluster-prod-dev' names a production environment in a development stack",
    ]);
    expect(found.every((f) => f.severity === 'critical')).toBe(true);
  });

  it('CT2: a physical name without the environment suffix is critical', () => {
    const t = copy();
    firstOf(t, 'AWS::ElasticLoadBalancingV2::TargetGroup')[1].Properties.Name = 'catalog-api-tg';
    expect(checks(catalogTemplateChecks(t, ctx), 'CT2')).toEqual([
      expect.objectContaining({ severity: 'critical', message: "Name 'catalog-api-tg' does not carry the environment suffix 'dev'" }),
    ]);
  });

  it('CT3: retain, snapshot, deletion protection or a bucket that cannot be emptied block teardown outside production', () => {
    const t = copy();
    firstOf(t, 'AWS::SecretsManager::Secret')[1].DeletionPolicy = 'Retain';
    firstOf(t, 'AWS::RDS::DBCluster')[1].UpdateReplacePolicy = 'Snapshot';
    firstOf(t, 'AWS::RDS::DBCluster')[1].Properties.DeletionProtection = true;
    delete firstOf(t, 'AWS::ECR::Repository')[1].Properties.EmptyOnDelete;
    const auto = firstOf(t, 'Custom::S3AutoDeleteObjects')[0];
    delete t.Resources[auto];
    const messages = checks(catalogTemplateChecks(t, ctx), 'CT3').map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'AWS::SecretsManager::Secret has DeletionPolicy Retain in a development stack',
        'AWS::RDS::DBCluster has UpdateReplacePolicy Snapshot in a development stack',
        'AWS::RDS::DBCluster has deletion protection on in a development stack',
        'repository is deleted with the stack but not emptied first: the delete fails once it holds images',
        'bucket is deleted with the stack but not emptied first: the delete fails once it holds objects',
      ]),
    );
    // Production retains on purpose (rule S2): the same policies are no finding there.
    expect(checks(catalogTemplateChecks(prod as CfnTemplateJson, { ...ctx, suffix: 'prod', kind: 'production' }), 'CT3')).toEqual([]);
  });

  it('CT4: expensive resources in development are warnings, never critical', () => {
    const expensive = synthCatalog('dev', { catalog: { egress: 'endpoints', dbInstanceClass: 'db.r6g.large' }, cdn: { priceClass: 'PriceClass_All' } }).template.toJSON();
    const found = checks(catalogTemplateChecks(expensive as CfnTemplateJson, ctx), 'CT4');
    expect(found.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        '4 interface VPC endpoints (~$7/month per zone each)',
        '2 database instances',
        'database instance class db.r6g.large is not burstable',
        'CloudFront PriceClass_All',
      ]),
    );
    expect(found.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('CT5: a reference to a resource the template does not define is critical', () => {
    const t = copy();
    const [id, service] = firstOf(t, 'AWS::ECS::Service');
    service.Properties.LoadBalancers[0].TargetGroupArn = { Ref: 'GoneTargetGroup' };
    service.DependsOn = ['GoneListener'];
    t.Outputs.Broken = { Value: { 'Fn::GetAtt': ['GoneBucket', 'Arn'] } };
    expect(checks(catalogTemplateChecks(t, ctx), 'CT5').map((f) => [f.resource, f.message])).toEqual([
      [id, 'Ref GoneTargetGroup, which the template does not define'],
      [id, 'DependsOn GoneListener, which the template does not define'],
      ['Outputs.Broken', 'Fn::GetAtt GoneBucket, which the template does not define'],
    ]);
  });

  it('CT6: a launch type beside a capacity provider strategy, legacy forwarding beside a cache policy, an unscoped lifecycle rule', () => {
    const t = copy();
    const [, service] = firstOf(t, 'AWS::ECS::Service');
    service.Properties.LaunchType = 'FARGATE';
    service.Properties.CapacityProviderStrategy.push({ CapacityProvider: 'EC2_SPOT', Weight: 1 });
    firstOf(t, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig.DefaultCacheBehavior.ForwardedValues = { QueryString: true };
    delete firstOf(t, 'AWS::S3::Bucket')[1].Properties.LifecycleConfiguration.Rules[0].Prefix;
    const messages = checks(catalogTemplateChecks(t, ctx), 'CT6').map((f) => f.message);
    expect(messages.sort()).toEqual([
      'a cache behaviour has a cache policy and legacy ForwardedValues (P3)',
      "capacity provider EC2_SPOT is not registered on the service's cluster (P4)",
      'lifecycle rule delete-old-logs has neither a prefix nor a filter (P5)',
      'the service has a launch type (FARGATE) and a capacity provider strategy (P4)',
    ]);
  });
});
