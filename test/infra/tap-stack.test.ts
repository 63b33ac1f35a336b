import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PhysicalNames } from '../../src/config/naming.js';
import { statefulResourceTypes } from '../../src/infra/stateful.js';
import { STACK_DESCRIPTION } from '../../src/infra/tap-stack.js';
import { lid, synthStack, type SynthesizedStack } from './fixtures.js';

/** tapstack.md §11: output key -> export suffix (undefined: not exported). */
const SPEC_OUTPUTS: Record<string, string | undefined> = {
  VpcId: 'vpc-id',
  ALBDNSName: 'alb-dns',
  ALBSecurityGroupId: 'alb-sg-id',
  CloudFrontURL: 'cloudfront-url',
  CloudFrontDistributionId: 'cloudfront-id',
  APIGatewayURL: 'api-url',
  APIGatewayId: 'api-id',
  APIKeyId: 'api-key-id',
  S3BucketName: 's3-bucket',
  S3BucketArn: 's3-bucket-arn',
  LogsBucketName: 'logs-bucket',
  DatabaseEndpoint: 'db-endpoint',
  DatabasePort: 'db-port',
  DatabaseSecretArn: 'db-secret-arn',
  ECRRepositoryURI: 'ecr-uri',
  ECRRepositoryName: 'ecr-name',
  ECSClusterName: 'ecs-cluster',
  ECSServiceName: 'ecs-service',
  LambdaFunctionName: 'lambda-function',
  LambdaFunctionArn: 'lambda-arn',
  SNSTopicArn: 'sns-topic-arn',
  KMSKeyId: 'kms-key-id',
  KMSKeyArn: 'kms-key-arn',
  DashboardURL: undefined,
};

const RETAINING = ['Retain', 'Snapshot', 'RetainExceptOnCreate'];

/** [logicalId, type, DeletionPolicy] of every resource that outlives the stack. */
const retained = (s: SynthesizedStack): Array<[string, string, string]> =>
  Object.entries(s.template.toJSON().Resources as Record<string, any>)
    .filter(([, r]) => RETAINING.includes(r.DeletionPolicy) || RETAINING.includes(r.UpdateReplacePolicy))
    .map(([id, r]) => [id, r.Type, r.DeletionPolicy]);

describe('TapStack', () => {
  let dev: SynthesizedStack;
  let prod: SynthesizedStack;
  beforeAll(() => {
    // GIVEN a development and a production environment of the same project
    dev = synthStack('dev', { tags: { Team: 'payments', CostCenter: 'Retail', ManagedBy: 'someone-else' } });
    prod = synthStack('prod');
  });

  describe('stack identity', () => {
    it('is named, described and placed by the config', () => {
      expect(dev.stack.stackName).toBe(dev.env.names.stack);
      expect(dev.stack.templateOptions.description).toBe(STACK_DESCRIPTION);
      expect(STACK_DESCRIPTION).toBe('Production-ready e-commerce infrastructure stack');
      expect([dev.stack.account, dev.stack.region]).toEqual([dev.env.account, dev.env.region]);
    });

    it.each([
      ['dev', false],
      ['prod', true],
    ])('%s: termination protection %s', (name, expected) => {
      expect((name === 'dev' ? dev : prod).stack.terminationProtection).toBe(expected);
    });

    it('uses every physical name of the config', () => {
      // GIVEN the names resolve.ts computed, minus those that are not resource names (the origin secrets' is a
      // prefix: each secret appends its generation), and dev with the web ACL and the canary deployment (its
      // second target group) production has by default
      const s = synthStack('dev', { waf: { enabled: true }, deployment: { strategy: 'canary' } });
      const { stack: _s, exportPrefix: _e, originSecret, alarms, ...names } = s.env.names as PhysicalNames;
      const text = JSON.stringify(s.template.toJSON());
      // THEN each appears in the template
      for (const name of [...Object.values(names), ...Object.values(alarms), `${originSecret}-1`]) expect(text).toContain(JSON.stringify(name));
    });
  });

  describe('tags (§10)', () => {
    it('tags every taggable resource with the standard tags, the project and the config tags', () => {
      dev.template.hasResourceProperties('AWS::EC2::VPC', {
        Tags: Match.arrayWith([
          { Key: 'Application', Value: 'E-Commerce' },
          { Key: 'CostCenter', Value: 'Retail' },
          { Key: 'Environment', Value: 'development' },
          { Key: 'ManagedBy', Value: 'tapctl' },
          { Key: 'Project', Value: dev.env.project },
          { Key: 'Team', Value: 'payments' },
        ]),
      });
      prod.template.hasResourceProperties('AWS::RDS::DBCluster', {
        Tags: Match.arrayWith([
          { Key: 'CostCenter', Value: 'Engineering' },
          { Key: 'Environment', Value: 'production' },
          { Key: 'ManagedBy', Value: 'tapctl' },
        ]),
      });
    });

    it('tags the stack itself, so CloudFormation propagates the tags to what CDK cannot tag', () => {
      expect(dev.stack.tags.tagValues()).toMatchObject({ Environment: 'development', ManagedBy: 'tapctl', Team: 'payments' });
    });

    it("Project is the project name (a recorded departure from §10's ECommerce); tags: { Project: ECommerce } gives the spec's value", () => {
      expect(dev.stack.tags.tagValues().Project).toBe(dev.env.project);
      expect(synthStack('dev', { tags: { Project: 'ECommerce' } }).stack.tags.tagValues().Project).toBe('ECommerce');
    });
  });

  describe('what survives a delete (failure rule L1)', () => {
    it('development: no resource is retained or snapshotted', () => {
      expect(retained(dev)).toEqual([]);
      expect(JSON.stringify(dev.template.toJSON())).not.toMatch(/"(DeletionPolicy|UpdateReplacePolicy)":"(Retain|Snapshot)/);
    });

    it('development with API logging on: the account-level CloudWatch role is not retained either', () => {
      expect(retained(synthStack('dev', { api: { loggingLevel: 'ERROR' } }))).toEqual([]);
    });

    it('production: exactly the data is kept: key, secret, buckets and repository retained, cluster snapshotted', () => {
      const kept = retained(prod).map(([, type, policy]) => `${type}=${policy}`).sort();
      expect(kept).toEqual(
        [
          'AWS::ECR::Repository=Retain',
          'AWS::KMS::Key=Retain',
          'AWS::RDS::DBCluster=Snapshot',
          'AWS::S3::Bucket=Retain',
          'AWS::S3::Bucket=Retain',
          'AWS::SecretsManager::Secret=Retain',
        ].sort(),
      );
    });

    it('production protects the database and the load balancer from deletion; development does not', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true });
      dev.template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
      prod.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
      });
    });

    it('follows explicit protection settings over the kind defaults', () => {
      const s = synthStack('dev', { protection: { retainData: true, deletionProtection: true, terminationProtection: true } });
      expect(s.stack.terminationProtection).toBe(true);
      expect(retained(s).length).toBe(6);
      s.template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true });
    });

    it('lists every stateful type the template holds, for deploy and diff to guard', () => {
      const types = statefulResourceTypes();
      expect(types).toEqual(
        expect.arrayContaining([
          'AWS::RDS::DBCluster',
          'AWS::RDS::DBInstance',
          'AWS::S3::Bucket',
          'AWS::KMS::Key',
          'AWS::ECR::Repository',
          'AWS::SecretsManager::Secret',
        ]),
      );
      for (const type of types) expect(Object.keys(prod.template.findResources(type)).length).toBeGreaterThan(0);
      // every retained resource is one of them
      for (const [, type] of retained(prod)) expect(types).toContain(type);
      // callers get their own copy
      types.pop();
      expect(statefulResourceTypes()).toHaveLength(6);
    });
  });

  describe('outputs (§11)', () => {
    it("has exactly the 24 outputs of the spec, keyed by their names, and tapctl's LogGroups", () => {
      expect(Object.keys(dev.template.findOutputs('*')).sort()).toEqual([...Object.keys(SPEC_OUTPUTS), 'LogGroups'].sort());
      expect(dev.template.findOutputs('LogGroups').LogGroups.Export).toBeUndefined();
    });

    it('LogGroups names the log group of each tapctl logs source, as JSON', () => {
      // Every token of the Fn::Join becomes its logical ID, so the JSON parses and the references show.
      const json = (key: string, t = dev) => {
        const parts = t.template.findOutputs(key)[key].Value['Fn::Join'][1] as unknown[];
        return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join(''));
      };
      const { stack } = dev;
      expect(json('LogGroups')).toEqual({
        app: [`<${lid(stack, stack.service.logGroup)}>`],
        appStreamPrefix: 'ecommerce/app',
        lambda: [`<${lid(stack, stack.api.logGroup)}>`],
        api: [],
        rotation: [`/aws/lambda/${dev.env.names.rotationFunction}`],
      });
      const logging = synthStack('dev', { api: { loggingLevel: 'ERROR' } });
      expect(json('LogGroups', logging).api).toEqual([`<${lid(logging.stack, logging.stack.api.accessLogGroup!)}>`, `API-Gateway-Execution-Logs_<${lid(logging.stack, logging.stack.api.api)}>/development`]);
    });

    it.each(Object.entries(SPEC_OUTPUTS))('%s is exported as <prefix>-%s', (key, suffix) => {
      const output = dev.template.findOutputs(key)[key];
      if (suffix === undefined) expect(output.Export).toBeUndefined();
      else expect(output.Export).toEqual({ Name: `${dev.env.names.exportPrefix}-${suffix}` });
      expect(output.Description).toEqual(expect.any(String));
    });

    it('holds the right values', () => {
      const value = (key: string) => dev.template.findOutputs(key)[key].Value;
      const { stack } = dev;
      expect(value('VpcId')).toEqual({ Ref: lid(stack, stack.network.vpc) });
      expect(value('KMSKeyArn')).toEqual({ 'Fn::GetAtt': [lid(stack, stack.encryption.key), 'Arn'] });
      expect(value('DatabasePort')).toEqual({ 'Fn::GetAtt': [lid(stack, stack.database.cluster), 'Endpoint.Port'] });
      expect(value('DatabaseEndpoint')).toEqual({ 'Fn::GetAtt': [lid(stack, stack.database.cluster), 'Endpoint.Address'] });
      expect(value('APIKeyId')).toEqual({ Ref: lid(stack, stack.api.apiKey) });
      expect(value('CloudFrontURL')).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [lid(stack, stack.edge.distribution), 'DomainName'] }]] });
      expect(value('DashboardURL')).toBe(
        `https://console.aws.amazon.com/cloudwatch/home?region=${dev.env.region}#dashboards:name=${dev.env.names.dashboard}`,
      );
    });
  });

  it('is larger than the 51,200-byte inline limit, so the bootstrap bucket is needed whatever the synthesizer', () => {
    expect(JSON.stringify(prod.template.toJSON()).length).toBeGreaterThan(51_200);
  });
});
