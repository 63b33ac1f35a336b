/** The catalog-api preset against the tables of presets.md part a (a.3-a.12) and the gaps of a.16. */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CACHING_DISABLED_POLICY_ID } from '../../src/infra/constructs/alb-distribution.js';
import { only, synthCatalog, tagOf, type Synthesized } from './fixtures.js';
import type { CatalogApiStack } from '../../src/infra/presets/catalog-api-stack.js';

type Catalog = Synthesized<CatalogApiStack>;
const DIGEST = `sha256:${'cd'.repeat(32)}`;

describe('catalog-api preset', () => {
  let dev: Catalog; // GIVEN: the spec's defaults, no image pushed yet
  let prod: Catalog; // GIVEN: production with an image and the production template's Spot base
  let endpoints: Catalog; // GIVEN: egress through VPC endpoints instead of NAT
  beforeAll(() => {
    dev = synthCatalog('dev');
    prod = synthCatalog('prod', { catalog: { onDemandBase: 2, dbInstanceClass: 'db.r6g.large' }, container: { image: { tag: 'v1', digest: DIGEST } } });
    endpoints = synthCatalog('dev', { catalog: { egress: 'endpoints' } });
  });

  describe('a.3 network and a.4 security groups', () => {
    it('names the VPC, internet gateway and subnets as the spec does, from the suffix', () => {
      dev.template.hasResourceProperties('AWS::EC2::VPC', {
        CidrBlock: '10.0.0.0/16',
        EnableDnsHostnames: true,
        EnableDnsSupport: true,
        Tags: Match.arrayWith([{ Key: 'Name', Value: 'catalog-api-vpc-dev' }]),
      });
      dev.template.hasResourceProperties('AWS::EC2::InternetGateway', { Tags: Match.arrayWith([{ Key: 'Name', Value: 'catalog-api-igw-dev' }]) });
      for (const name of ['catalog-api-public-1-dev', 'catalog-api-public-2-dev', 'catalog-api-private-1-dev', 'catalog-api-private-2-dev']) {
        dev.template.hasResourceProperties('AWS::EC2::Subnet', { Tags: Match.arrayWith([{ Key: 'Name', Value: name }]) });
      }
      dev.template.hasResourceProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true, Tags: Match.arrayWith([{ Key: 'Name', Value: 'catalog-api-public-1-dev' }]) });
    });

    it('records its departures from a.3: CDK allocates the tiers in order from the block, one route table per public subnet', () => {
      // docs/presets.md "Departures from the spec": renumbering deployed subnets cannot happen in place.
      const cidr = (name: string) => Object.values(dev.template.findResources('AWS::EC2::Subnet')).find((r) => tagOf(r, 'Name') === name)?.Properties.CidrBlock;
      expect(['catalog-api-public-1-dev', 'catalog-api-public-2-dev', 'catalog-api-private-1-dev', 'catalog-api-private-2-dev'].map(cidr)).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24']);
      const publicTables = Object.values(dev.template.findResources('AWS::EC2::RouteTable')).filter((r) => tagOf(r, 'Name') === 'catalog-api-public-rt-dev');
      expect(publicTables).toHaveLength(2);
    });

    it('gives the private subnets a way out (a.16): NAT gateways by default, VPC endpoints and no NAT on request', () => {
      expect(Object.keys(dev.template.findResources('AWS::EC2::NatGateway'))).toHaveLength(2);
      expect(Object.keys(endpoints.template.findResources('AWS::EC2::NatGateway'))).toHaveLength(0);
      for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager']) {
        endpoints.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
          VpcEndpointType: 'Interface',
          ServiceName: `com.amazonaws.eu-north-1.${service}`,
          PrivateDnsEnabled: true,
        });
      }
      endpoints.template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
    });

    it('chains CloudFront -> ALB :80 -> ECS :3000 -> database :5432, nothing else (a.4 opened the ALB to the internet)', () => {
      const { stack, template } = dev;
      const id = (sg: { node: { defaultChild?: unknown } }) => stack.resolve((sg.node.defaultChild as { logicalId: string }).logicalId);
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [{ SourcePrefixListId: 'pl-fab65393', IpProtocol: 'tcp', FromPort: 80, ToPort: 80, Description: 'HTTP from CloudFront only (origin-facing prefix list)' }],
        Tags: Match.arrayWith([{ Key: 'Name', Value: 'catalog-api-alb-sg-dev' }]),
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [id(stack.ecsSecurityGroup), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [id(stack.albSecurityGroup), 'GroupId'] },
        FromPort: 3000,
        Description: 'API port from ALB',
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [id(stack.databaseSecurityGroup), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [id(stack.ecsSecurityGroup), 'GroupId'] },
        FromPort: 5432,
        Description: 'PostgreSQL from ECS',
      });
    });
  });

  describe('a.5 storage and logs', () => {
    it('keeps a log bucket whose one lifecycle rule is scoped (prefix "") and expires objects after 30 days', () => {
      const { resource } = only(dev.template, 'AWS::S3::Bucket');
      expect(resource.Properties).toMatchObject({
        BucketName: 'catalog-api-logs-dev-111111111111',
        LifecycleConfiguration: { Rules: [{ Id: 'delete-old-logs', Status: 'Enabled', Prefix: '', ExpirationInDays: 30 }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      });
      expect(resource.DeletionPolicy).toBe('Delete');
      dev.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/ecs/catalog-api-dev', RetentionInDays: 7, Tags: Match.arrayWith([{ Key: 'Name', Value: 'catalog-api-ecs-logs-dev' }]) });
    });

    it('logs every component into it (a.16): load balancer, CloudFront and VPC flow logs', () => {
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
      });
      dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ Logging: Match.objectLike({ Prefix: 'cloudfront/' }) }),
      });
      dev.template.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 's3', TrafficType: 'ALL' });
    });
  });

  describe('a.6 secret and a.7 database', () => {
    it('generates the password (a.16: no literal) into the -v2 secret, deleted at once outside production', () => {
      const { resource } = only(dev.template, 'AWS::SecretsManager::Secret', { Properties: { Name: 'catalog-api-db-password-dev-v2' } });
      expect(resource.Properties).toMatchObject({
        Name: 'catalog-api-db-password-dev-v2',
        Description: 'Database password for catalog API',
        GenerateSecretString: { SecretStringTemplate: '{"username":"dbadmin"}', GenerateStringKey: 'password', PasswordLength: 32 },
      });
      expect(JSON.stringify(dev.template.toJSON())).not.toMatch(/MasterUserPassword"\s*:\s*"/);
      // CloudFormation deletes a secret without a recovery window: the equivalent of recovery_window_in_days = 0.
      expect(resource.DeletionPolicy).toBe('Delete');
      expect(only(prod.template, 'AWS::SecretsManager::Secret', { Properties: { Name: 'catalog-api-db-password-prod-v2' } }).resource.DeletionPolicy).toBe('Retain');
    });

    it('runs Aurora PostgreSQL 16.4, the version recorded available in eu-north-1, with the spec backups', () => {
      const { resource } = only(dev.template, 'AWS::RDS::DBCluster');
      expect(resource.Properties).toMatchObject({
        Engine: 'aurora-postgresql',
        EngineVersion: '16.4',
        DBClusterIdentifier: 'catalog-api-db-dev',
        DatabaseName: 'catalogdb',
        BackupRetentionPeriod: 7,
        PreferredBackupWindow: '03:00-04:00',
        StorageEncrypted: true,
      });
      // Final snapshot skipped outside production (failure-lessons.md L3), taken in production.
      expect(resource.DeletionPolicy).toBe('Delete');
      expect(only(prod.template, 'AWS::RDS::DBCluster').resource.DeletionPolicy).toBe('Snapshot');
      dev.template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { DBSubnetGroupName: 'catalog-api-db-subnet-dev' });
    });

    it('provisions the spec instance class, writer plus a reader in production (a.16 standby), not public', () => {
      dev.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'catalog-api-db-instance-1-dev', DBInstanceClass: 'db.t3.medium', PubliclyAccessible: false });
      expect(Object.keys(prod.template.findResources('AWS::RDS::DBInstance'))).toHaveLength(2);
      prod.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'catalog-api-db-instance-2-prod', DBInstanceClass: 'db.r6g.large' });
    });
  });

  describe('a.8 load balancing', () => {
    it('forwards every request from CloudFront to an ip target group on port 3000 with the spec health check', () => {
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: 'catalog-api-alb-dev', Scheme: 'internet-facing', Type: 'application' });
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Name: 'catalog-api-tg-dev',
        Port: 3000,
        Protocol: 'HTTP',
        TargetType: 'ip',
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 30,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        // a.8: unhealthy 2 (tapstack.md's ecommerce target group keeps 3)
        UnhealthyThresholdCount: 2,
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
      // a.8's default forward becomes a rule on the origin header: everything CloudFront sends reaches the service,
      // everything else gets 403.
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) })],
      });
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: [Match.objectLike({ Field: 'http-header' })],
        Actions: [Match.objectLike({ Type: 'forward' })],
      });
    });
  });

  describe('a.9 ECS and a.10 auto-scaling', () => {
    it('runs the service on FARGATE_SPOT weight 100, base 0, with no launch type beside it', () => {
      const { resource } = only(dev.template, 'AWS::ECS::Service');
      expect(resource.Properties).toMatchObject({
        ServiceName: 'catalog-api-service-dev',
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 100, Base: 0 }],
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
      expect(resource.Properties.LaunchType).toBeUndefined();
      dev.template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']) });
    });

    it('keeps an on-demand base where the config asks (production template)', () => {
      prod.template.hasResourceProperties('AWS::ECS::Service', {
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 0, Base: 2 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 100 }],
      });
    });

    it('separates the execution role from the task role (a.16) and passes the database location', () => {
      const { resource } = only(dev.template, 'AWS::ECS::TaskDefinition');
      const { Family, Cpu, Memory, ExecutionRoleArn, TaskRoleArn, ContainerDefinitions } = resource.Properties;
      expect({ Family, Cpu, Memory }).toEqual({ Family: 'catalog-api-dev', Cpu: '1024', Memory: '2048' });
      expect(ExecutionRoleArn).not.toEqual(TaskRoleArn);
      expect(ContainerDefinitions[0].Environment).toEqual(
        expect.arrayContaining([{ Name: 'DB_PORT', Value: '5432' }, { Name: 'DB_NAME', Value: 'catalogdb' }, { Name: 'DB_HOST', Value: expect.anything() }]),
      );
      expect(ContainerDefinitions[0].LogConfiguration.Options['awslogs-stream-prefix']).toBe('ecs');
      expect(ContainerDefinitions[0].Secrets).toEqual([expect.objectContaining({ Name: 'DB_SECRET' })]);
    });

    it('waits at zero tasks until an image is pushed, then runs the configured image', () => {
      expect(dev.stack.awaitingImage).toBe(true);
      expect(only(dev.template, 'AWS::ECS::Service').resource.Properties.DesiredCount).toBe(0);
      expect(prod.stack.awaitingImage).toBe(false);
      // Auto-scaling owns the count once an image runs (min 2), so a deploy never resets a scaled-out service.
      expect(only(prod.template, 'AWS::ECS::Service').resource.Properties.DesiredCount).toBeUndefined();
      expect(JSON.stringify(only(prod.template, 'AWS::ECS::TaskDefinition').resource.Properties.ContainerDefinitions[0].Image)).toContain(DIGEST);
    });

    it('scales 2-10 on CPU 70 % only, in after 300 s and out after 60 s', () => {
      prod.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount' });
      const policies = prod.template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy');
      expect(Object.keys(policies)).toHaveLength(1);
      prod.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyName: 'catalog-api-cpu-scaling-prod',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: 70,
          ScaleInCooldown: 300,
          ScaleOutCooldown: 60,
        },
      });
    });

    it('creates the ECR repository push-image pushes to', () => {
      dev.template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'catalog-api-app-dev', EmptyOnDelete: true });
    });
  });

  describe('a.11 CloudFront', () => {
    it('puts the managed CachingDisabled policy in front of the ALB, without legacy forwarded values', () => {
      const { resource } = only(dev.template, 'AWS::CloudFront::Distribution');
      const config = resource.Properties.DistributionConfig;
      expect(config).toMatchObject({
        Comment: 'CloudFront distribution for catalog API dev',
        Enabled: true,
        IPV6Enabled: true,
        PriceClass: 'PriceClass_100',
        Origins: [{ Id: 'alb-origin-dev', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'http-only', OriginSSLProtocols: ['TLSv1.2'] } }],
        DefaultCacheBehavior: {
          CachePolicyId: CACHING_DISABLED_POLICY_ID,
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
          CachedMethods: ['GET', 'HEAD'],
          ViewerProtocolPolicy: 'redirect-to-https',
          Compress: true,
          TargetOriginId: 'alb-origin-dev',
        },
      });
      for (const legacy of ['ForwardedValues', 'MinTTL', 'DefaultTTL', 'MaxTTL']) expect(config.DefaultCacheBehavior).not.toHaveProperty(legacy);
    });
  });

  describe('a.2 tags and a.12 outputs', () => {
    it('tags every taggable resource with Environment (the kind) and Project=catalog-api', () => {
      const resources = Object.values(dev.template.toJSON().Resources as Record<string, any>).filter((r) => Array.isArray(r.Properties?.Tags));
      expect(resources.length).toBeGreaterThan(30);
      for (const r of resources) {
        expect(tagOf(r, 'Project'), r.Type).toBe('catalog-api');
        expect(tagOf(r, 'Environment'), r.Type).toBe('development');
      }
      expect(tagOf(only(prod.template, 'AWS::ECS::Cluster').resource, 'Environment')).toBe('production');
    });

    it('keeps the output keys deploy, push-image and status read', () => {
      const outputs = Object.keys(dev.template.toJSON().Outputs);
      expect(outputs).toEqual(
        expect.arrayContaining(['ALBDNSName', 'CloudFrontURL', 'CloudFrontDistributionId', 'ECRRepositoryURI', 'ECRRepositoryName', 'ECSClusterName', 'ECSServiceName', 'DatabaseEndpoint', 'DatabasePort', 'DatabaseSecretArn']),
      );
      dev.template.hasOutput('CloudFrontURL', { Value: { 'Fn::Join': ['', ['https://', Match.anyValue()]] } });
      // tapctl logs: the service's log group and stream prefix (a.9's 'ecs'), and the rotation function's.
      dev.template.hasOutput('LogGroups', {
        Value: { 'Fn::Join': ['', ['{"app":["', { Ref: Match.stringLikeRegexp('^ServiceECSLogGroup') }, `"],"appStreamPrefix":"ecs/app","rotation":["/aws/lambda/${dev.stack.names.rotationFunction}"]}`]] },
      });
    });
  });
});
