import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER_IMAGE_TAG } from '../../src/infra/constructs/service.js';
import { ACCOUNTS, REGION, getAtt, lid, only, ref, synthStack, type SynthesizedStack } from './fixtures.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** The `app` container definition of the stack's task definition. */
const container = (s: SynthesizedStack): Record<string, any> =>
  only(s.template, 'AWS::ECS::TaskDefinition').resource.Properties.ContainerDefinitions[0];

/** The image reference of the container with CloudFormation intrinsics flattened to `<token>`. */
const imageText = (s: SynthesizedStack): string => {
  const image = container(s).Image;
  if (typeof image === 'string') return image;
  return (image['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : '<token>')).join('');
};

const scalableTarget = (s: SynthesizedStack) => only(s.template, 'AWS::ApplicationAutoScaling::ScalableTarget').resource.Properties;

describe('ContainerService', () => {
  let dev: SynthesizedStack; // no image configured yet
  let tagged: SynthesizedStack;
  let pinned: SynthesizedStack;
  let external: SynthesizedStack;
  let prod: SynthesizedStack;
  beforeAll(() => {
    // GIVEN environments without an image, with a tag (on arm64), with a digest, with another registry, and prod
    dev = synthStack('dev');
    tagged = synthStack('dev', {
      container: { image: { tag: 'v1.2.3' }, architecture: 'arm64', healthCheckCommand: 'wget -qO- localhost:3000/health' },
    });
    pinned = synthStack('dev', { container: { image: { tag: 'v1.2.3', digest: DIGEST } } });
    external = synthStack('dev', { container: { image: { repository: 'ghcr.io/acme/shop', tag: 'v7' } } });
    prod = synthStack('prod', { container: { image: { tag: 'v1.2.3' } } });
  });

  describe('cluster, log group and roles (§5.2-§5.4)', () => {
    it('creates the cluster with Container Insights (v2 setting) and Fargate capacity providers', () => {
      dev.template.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterName: dev.env.names.ecsCluster,
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      });
      dev.template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
        CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      });
    });

    it('writes container logs to a KMS-encrypted, 7-day log group that is deleted with the stack', () => {
      const { resource } = only(dev.template, 'AWS::Logs::LogGroup', { Properties: { LogGroupName: dev.env.names.ecsLogGroup } });
      expect(resource.Properties).toMatchObject({
        RetentionInDays: 7,
        KmsKeyId: getAtt(lid(dev.stack, dev.stack.encryption.key), 'Arn'),
      });
      expect(resource.DeletionPolicy).toBe('Delete');
    });

    it('gives the execution role the managed ECS policy, ECR pull, secret read and KMS decrypt', () => {
      const role = lid(dev.stack, dev.stack.service.executionRole);
      dev.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })],
        }),
        ManagedPolicyArns: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy']] },
        ],
      });
      dev.template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [ref(role)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
              Resource: getAtt(lid(dev.stack, dev.stack.registry.repository), 'Arn'),
            }),
            Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] }),
            Match.objectLike({ Action: 'kms:Decrypt', Resource: getAtt(lid(dev.stack, dev.stack.encryption.key), 'Arn') }),
          ]),
        },
      });
    });

    it('lets the task role read the secret and the static assets, nothing more', () => {
      const bucket = lid(dev.stack, dev.stack.edge.staticBucket);
      const { resource } = only(dev.template, 'AWS::IAM::Policy', {
        Properties: { Roles: [ref(lid(dev.stack, dev.stack.service.taskRole))] },
      });
      expect(resource.Properties.PolicyDocument.Statement.map((s: any) => s.Action)).toEqual([
        ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        's3:GetObject',
        's3:ListBucket',
      ]);
      expect(resource.Properties.PolicyDocument.Statement[2].Resource).toEqual(getAtt(bucket, 'Arn'));
      const taskRole = dev.template.toJSON().Resources[lid(dev.stack, dev.stack.service.taskRole)];
      expect(taskRole.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('task definition and container (§5.5)', () => {
    it('is a 1 vCPU / 2 GiB Fargate task on x86_64 Linux in the configured family', () => {
      dev.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        Family: dev.env.names.taskFamily,
        Cpu: '1024',
        Memory: '2048',
        NetworkMode: 'awsvpc',
        RequiresCompatibilities: ['FARGATE'],
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      });
    });

    it('runs on ARM64 when the config says arm64', () => {
      tagged.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      });
    });

    it('has the app container with port 3000, awslogs and the spec health check', () => {
      expect(container(dev)).toMatchObject({
        Name: 'app',
        Cpu: 1024,
        Memory: 2048,
        PortMappings: [{ ContainerPort: 3000, Protocol: 'tcp' }],
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: { 'awslogs-stream-prefix': 'ecommerce', 'awslogs-region': REGION, 'awslogs-group': ref(lid(dev.stack, dev.stack.service.logGroup)) },
        },
        HealthCheck: {
          Command: ['CMD-SHELL', 'curl -f http://localhost:3000/health || exit 1'],
          Interval: 30,
          Timeout: 5,
          Retries: 3,
          StartPeriod: 60,
        },
      });
      expect(container(tagged).HealthCheck.Command).toEqual(['CMD-SHELL', 'wget -qO- localhost:3000/health']);
    });

    it('passes configuration as plain variables and the credentials as the DB_SECRET secret (§13)', () => {
      const attachment = ref(only(dev.template, 'AWS::SecretsManager::SecretTargetAttachment').logicalId);
      const distribution = lid(dev.stack, dev.stack.edge.distribution);
      expect(container(dev).Environment).toEqual([
        { Name: 'NODE_ENV', Value: 'development' },
        { Name: 'PORT', Value: '3000' },
        { Name: 'AWS_REGION', Value: REGION },
        { Name: 'CLOUDFRONT_URL', Value: { 'Fn::Join': ['', ['https://', getAtt(distribution, 'DomainName')]] } },
        { Name: 'DB_SECRET_ARN', Value: attachment },
      ]);
      expect(container(dev).Secrets).toEqual([{ Name: 'DB_SECRET', ValueFrom: attachment }]);
      expect(container(prod).Environment[0]).toEqual({ Name: 'NODE_ENV', Value: 'production' });
    });
  });

  describe('image selection', () => {
    it('without an image, points at the placeholder tag of its own repository and runs zero tasks', () => {
      expect(dev.stack.awaitingImage).toBe(true);
      expect(imageText(dev)).toMatch(new RegExp(`/<token>:${PLACEHOLDER_IMAGE_TAG}$`));
      dev.template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0 });
      expect(scalableTarget(dev)).toMatchObject({ MinCapacity: 0, MaxCapacity: 10 });
    });

    it('with a tag, runs that tag of its own repository; auto-scaling owns the count, so a deploy never resets it', () => {
      expect(tagged.stack.awaitingImage).toBe(false);
      expect(imageText(tagged)).toMatch(/\.dkr\.ecr\.<token>\.<token>\/<token>:v1\.2\.3$/);
      // GIVEN an image WHEN synthesized THEN no DesiredCount: CloudFormation would reset a scaled-out service to it.
      expect(only(tagged.template, 'AWS::ECS::Service').resource.Properties.DesiredCount).toBeUndefined();
      expect(scalableTarget(tagged)).toMatchObject({ MinCapacity: 2, MaxCapacity: 10 });
    });

    it('with a digest, pins the digest (it wins over the tag)', () => {
      expect(imageText(pinned)).toMatch(new RegExp(`/<token>@${DIGEST}$`));
    });

    it("with another ECR repository (env create --image from the source's), no CDK warning leaks: the execution role's managed policy pulls from it (qa3 P3 #1)", () => {
      const other = synthStack('dev', { container: { image: { repository: `${ACCOUNTS.dev}.dkr.ecr.${REGION}.amazonaws.com/shop-app-dev`, digest: DIGEST } } });
      expect(container(other).Image).toBe(`${ACCOUNTS.dev}.dkr.ecr.${REGION}.amazonaws.com/shop-app-dev@${DIGEST}`);
      expect(Annotations.fromStack(other.stack).findWarning('*', Match.stringLikeRegexp('Proper policies'))).toEqual([]);
      const role = only(other.template, 'AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })]) }), ManagedPolicyArns: Match.anyValue() } });
      expect(JSON.stringify(role.resource.Properties.ManagedPolicyArns)).toContain('service-role/AmazonECSTaskExecutionRolePolicy');
    });

    it('with another repository, pulls from that registry', () => {
      expect(container(external).Image).toBe('ghcr.io/acme/shop:v7');
      expect(only(external.template, 'AWS::ECS::Service').resource.Properties.DesiredCount).toBeUndefined();
    });
  });

  describe('Fargate service and scaling (§5.6, §5.7)', () => {
    it('runs privately in the ECS security group with a rolling-back circuit breaker', () => {
      const privateSubnets = dev.stack.network.vpc.privateSubnets.map((s) => ref(lid(dev.stack, s)));
      dev.template.hasResourceProperties('AWS::ECS::Service', {
        ServiceName: dev.env.names.ecsService,
        LaunchType: 'FARGATE',
        HealthCheckGracePeriodSeconds: 60,
        DeploymentConfiguration: {
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
        },
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            AssignPublicIp: 'DISABLED',
            Subnets: privateSubnets,
            SecurityGroups: [getAtt(lid(dev.stack, dev.stack.network.ecsSecurityGroup), 'GroupId')],
          },
        },
        LoadBalancers: [{ ContainerName: 'app', ContainerPort: 3000, TargetGroupArn: ref(lid(dev.stack, dev.stack.service.targetGroup)) }],
      });
    });

    it.each([
      ['ECSServiceAverageCPUUtilization', 50],
      ['ECSServiceAverageMemoryUtilization', 70],
    ])('tracks %s at target %s with 60 s cooldowns', (metric, target) => {
      tagged.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: metric },
          TargetValue: target,
          ScaleInCooldown: 60,
          ScaleOutCooldown: 60,
        },
      });
    });

    it('scales within the configured bounds', () => {
      const s = synthStack('dev', { container: { image: { tag: 'v1' }, minTasks: 3, maxTasks: 4, cpuTargetPercent: 60 } });
      expect(scalableTarget(s)).toMatchObject({ MinCapacity: 3, MaxCapacity: 4 });
      s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60 }),
      });
    });
  });

  describe('load balancer and routing (§6)', () => {
    it('is internet-facing in the public subnets, logs to the logs bucket under alb', () => {
      const publicSubnets = dev.stack.network.vpc.publicSubnets.map((s) => ref(lid(dev.stack, s)));
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Name: dev.env.names.loadBalancer,
        Scheme: 'internet-facing',
        Type: 'application',
        Subnets: publicSubnets,
        SecurityGroups: [getAtt(lid(dev.stack, dev.stack.network.albSecurityGroup), 'GroupId')],
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.bucket', Value: ref(lid(dev.stack, dev.stack.edge.logsBucket)) },
          { Key: 'access_logs.s3.prefix', Value: 'alb' },
        ]),
      });
    });

    it.each([
      ['dev', 'false'],
      ['prod', 'true'],
    ])('%s: deletion protection %s', (name, value) => {
      const s = name === 'dev' ? dev : prod;
      s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: value }]),
      });
    });

    it('checks target health on /health every 30 s (§6.2)', () => {
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Name: dev.env.names.targetGroup,
        Port: 3000,
        Protocol: 'HTTP',
        TargetType: 'ip',
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 30,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        Matcher: { HttpCode: '200' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
    });

    it('listens on HTTP 80 only without a domain, answering 403 to requests without the origin header (§6.3 had 404)', () => {
      dev.template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } },
        ],
      });
    });

    it('forwards /api/* and the health path to the service at priority 10, when the origin header is there', () => {
      dev.template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Priority: 10,
        Conditions: [
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*', '/health'] } },
          Match.objectLike({ Field: 'http-header', HttpHeaderConfig: Match.objectLike({ HttpHeaderName: 'X-Origin-Verify' }) }),
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: ref(lid(dev.stack, dev.stack.service.targetGroup)) }],
      });
    });

    it('follows a configured health-check path everywhere', () => {
      const s = synthStack('dev', { container: { healthCheckPath: '/healthz' } });
      s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/healthz' });
      s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: Match.arrayWith([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*', '/healthz'] } }]),
      });
      expect(container(s).HealthCheck.Command[1]).toBe('curl -f http://localhost:3000/healthz || exit 1');
    });
  });

  it('builds for the configured account and region', () => {
    expect(dev.stack.account).toBe(ACCOUNTS.dev);
    expect(prod.stack.account).toBe(ACCOUNTS.prod);
    expect(dev.stack.region).toBe(REGION);
  });
});
