/**
 * tapstack.md §5.2-§5.7 and §6: the ECS cluster and Fargate service, their roles and log group, and the
 * Application Load Balancer in front of them.
 */
import cdk = require('aws-cdk-lib');
import CfnResource = cdk.CfnResource;
import Duration = cdk.Duration;
import RemovalPolicy = cdk.RemovalPolicy;
import Stack = cdk.Stack;
import ec2 = require('aws-cdk-lib/aws-ec2');
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import ecs = require('aws-cdk-lib/aws-ecs');
import elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
import iam = require('aws-cdk-lib/aws-iam');
import type * as kms from 'aws-cdk-lib/aws-kms';
import logs = require('aws-cdk-lib/aws-logs');
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CONTAINER_NAME, defaultHealthCheckCommand, PLACEHOLDER_IMAGE_TAG } from '../image-placeholder.js';
import { suppressNag } from '../nag-suppressions.js';

export { CONTAINER_NAME, PLACEHOLDER_IMAGE_TAG };

/**
 * Container and target-group health-check timings of tapstack.md §5.5 and §6.2. The config has no keys for
 * them; they are the spec's values.
 */
export const HEALTH_CHECK = {
  container: { interval: Duration.seconds(30), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(60) },
  targetGroup: { interval: Duration.seconds(30), timeout: Duration.seconds(5), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
  deregistrationDelay: Duration.seconds(30),
} as const;

/** The image the service runs: the stack's own repository unless `repository` names another one. */
export interface ContainerImageSource {
  /** Full image repository (`registry/name`), instead of the stack's ECR repository. */
  readonly repository?: string;
  readonly tag?: string;
  /** `sha256:...`; wins over `tag`. */
  readonly digest?: string;
}

/** Physical names of the service's resources. */
export interface ContainerServiceNames {
  readonly cluster: string;
  readonly service: string;
  readonly logGroup: string;
  readonly taskFamily: string;
  readonly loadBalancer: string;
  readonly targetGroup: string;
}

export interface ContainerServiceProps {
  readonly vpc: ec2.IVpc;
  readonly names: ContainerServiceNames;
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  readonly serviceSecurityGroup: ec2.ISecurityGroup;
  /** Key of the log group; the execution role may decrypt with it. */
  readonly encryptionKey: kms.IKey;
  /** The stack's repository: the execution role may pull from it, and it holds the placeholder reference. */
  readonly repository: ecr.IRepository;
  /** Database credentials: injected into the container as `DB_SECRET`, its ARN as `DB_SECRET_ARN`. */
  readonly databaseSecret: secretsmanager.ISecret;
  /** The task role may read it. @default - no bucket access */
  readonly staticBucket?: s3.IBucket;
  /** SSE-S3 bucket for the load balancer's access logs (prefix `alb`). */
  readonly accessLogsBucket: s3.IBucket;
  /** `CLOUDFRONT_URL` of the container. @default - not set */
  readonly cloudFrontUrl?: string;
  /** More plain environment variables of the container (configuration only, never secrets). @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** awslogs stream prefix. @default 'ecommerce' */
  readonly logStreamPrefix?: string;
  /**
   * Where the service runs. Given, the service has a capacity provider strategy and no launch type (the two
   * are exclusive, failure-lessons.md #10); every provider named must be one of the cluster's (FARGATE,
   * FARGATE_SPOT).
   *
   * @default - the FARGATE launch type
   */
  readonly capacityProviderStrategies?: readonly ecs.CapacityProviderStrategy[];
  /**
   * Send every request to the service (the listener's default action). Otherwise only `/api/*` and the health
   * path reach it and anything else gets a 404 from the load balancer (tapstack.md §6.3).
   *
   * @default false
   */
  readonly forwardAllTraffic?: boolean;
  /** Scale on memory as well as CPU. @default true */
  readonly scaleOnMemory?: boolean;
  /** Subnets of the tasks. @default - the private subnets with egress */
  readonly serviceSubnets?: ec2.SubnetSelection;
  /** Name of the CPU target-tracking policy. @default - generated */
  readonly cpuScalingPolicyName?: string;
  /** `NODE_ENV` of the container: the environment kind. */
  readonly nodeEnv: string;
  /**
   * Image to run. Without a tag or digest the service waits for one: desired count and minimum capacity 0.
   *
   * @default - no image yet
   */
  readonly image?: ContainerImageSource;
  /** @default ecs.CpuArchitecture.X86_64 */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /** Task (and container) CPU units. @default 1024 */
  readonly cpu?: number;
  /** Task (and container) memory, MiB. @default 2048 */
  readonly memoryMiB?: number;
  /** @default 3000 */
  readonly port?: number;
  /** @default 2 */
  readonly minTasks?: number;
  /** @default 10 */
  readonly maxTasks?: number;
  /** @default 50 */
  readonly cpuTargetPercent?: number;
  /** @default 70 */
  readonly memoryTargetPercent?: number;
  /** @default Duration.seconds(60) */
  readonly scaleInCooldown?: Duration;
  /** @default Duration.seconds(60) */
  readonly scaleOutCooldown?: Duration;
  /** Path the load balancer and the container health check probe; also routed to the service. @default '/health' */
  readonly healthCheckPath?: string;
  /** @default Duration.seconds(60) */
  readonly healthCheckGracePeriod?: Duration;
  /**
   * Failed target-group checks before a target is unhealthy (presets.md a.8 has 2; tapstack.md §6.2 has 3).
   *
   * @default 3
   */
  readonly unhealthyThresholdCount?: number;
  /** CMD-SHELL health check. @default 'curl -f http://localhost:<port><healthCheckPath> || exit 1' */
  readonly healthCheckCommand?: string;
  /** @default logs.RetentionDays.ONE_WEEK */
  readonly logRetention?: logs.RetentionDays;
  /** Load balancer deletion protection. @default true */
  readonly deletionProtection?: boolean;
}

/** A Fargate service behind an internet-facing ALB, with target-tracking auto-scaling. */
export class ContainerService extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly logGroup: logs.LogGroup;
  public readonly executionRole: iam.Role;
  public readonly taskRole: iam.Role;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly service: ecs.FargateService;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly listener: elbv2.ApplicationListener;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** True while no image tag or digest is configured: the service runs zero tasks. */
  public readonly awaitingImage: boolean;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    const port = props.port ?? 3000;
    const cpu = props.cpu ?? 1024;
    const memoryMiB = props.memoryMiB ?? 2048;
    const healthPath = props.healthCheckPath ?? '/health';
    const minTasks = props.minTasks ?? 2;
    const maxTasks = props.maxTasks ?? 10;
    if (minTasks > maxTasks) throw new Error(`ContainerService: minTasks (${minTasks}) exceeds maxTasks (${maxTasks})`);

    this.cluster = new ecs.Cluster(this, 'ECSCluster', {
      clusterName: props.names.cluster,
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
    });

    this.logGroup = new logs.LogGroup(this, 'ECSLogGroup', {
      logGroupName: props.names.logGroup,
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.executionRole = new iam.Role(this, 'TaskExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSTaskExecutionRolePolicy')],
    });
    props.repository.grantPull(this.executionRole);
    props.databaseSecret.grantRead(this.executionRole);
    props.encryptionKey.grantDecrypt(this.executionRole);

    this.taskRole = new iam.Role(this, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    props.databaseSecret.grantRead(this.taskRole);
    if (props.staticBucket) {
      // Read access to the static assets, narrower than bucket.grantRead() (s3:GetObject*, GetBucket*, List*):
      // the application reads objects and lists keys, nothing else.
      this.taskRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.staticBucket.arnForObjects('*')] }),
      );
      this.taskRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.staticBucket.bucketArn] }),
      );
    }

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      family: props.names.taskFamily,
      cpu,
      memoryLimitMiB: memoryMiB,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    const { image, awaitingImage } = resolveImage(props.repository, props.image);
    this.awaitingImage = awaitingImage;
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      image,
      cpu,
      memoryLimitMiB: memoryMiB,
      portMappings: [{ containerPort: port, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: props.logStreamPrefix ?? 'ecommerce' }),
      environment: {
        ...props.environment,
        NODE_ENV: props.nodeEnv,
        PORT: String(port),
        AWS_REGION: Stack.of(this).region,
        ...(props.cloudFrontUrl ? { CLOUDFRONT_URL: props.cloudFrontUrl } : {}),
        // §13 flag: the spec injected the secret's value under DB_SECRET_ARN. The ARN goes here, plainly (an ARN
        // is not a secret, and the Lambda's DB_SECRET_ARN is an ARN too), and the value below as DB_SECRET.
        DB_SECRET_ARN: props.databaseSecret.secretArn,
      },
      secrets: { DB_SECRET: ecs.Secret.fromSecretsManager(props.databaseSecret) },
      healthCheck: {
        command: ['CMD-SHELL', props.healthCheckCommand ?? defaultHealthCheckCommand(port, healthPath)],
        ...HEALTH_CHECK.container,
      },
    });

    this.service = new ecs.FargateService(this, 'ECSService', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      serviceName: props.names.service,
      // No image yet: 0 tasks, so ECS never waits for an image that does not exist. Otherwise no DesiredCount
      // at all (feature flag removeDefaultDesiredCount): auto-scaling owns the count between minTasks and
      // maxTasks, and a deploy during a peak never resets a scaled-out service. Registering the scalable target
      // moves the count into that range, which is also what starts the tasks after the first image push.
      desiredCount: awaitingImage ? 0 : undefined,
      vpcSubnets: props.serviceSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.serviceSecurityGroup],
      assignPublicIp: false,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Duration.seconds(60),
      circuitBreaker: { enable: true, rollback: true },
      ...(props.capacityProviderStrategies ? { capacityProviderStrategies: [...props.capacityProviderStrategies] } : {}),
      // Not in the spec: start new tasks before stopping old ones, so a deploy never drops below desired count.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'ALB', {
      loadBalancerName: props.names.loadBalancer,
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: props.loadBalancerSecurityGroup,
      deletionProtection: props.deletionProtection ?? true,
      // Not in the spec: drop headers that are not valid HTTP (request smuggling), the AWS-recommended setting.
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogsBucket, 'alb');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'ECSTargetGroup', {
      targetGroupName: props.names.targetGroup,
      vpc: props.vpc,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: port })],
      healthCheck: {
        path: healthPath,
        healthyHttpCodes: '200',
        ...HEALTH_CHECK.targetGroup,
        unhealthyThresholdCount: props.unhealthyThresholdCount ?? HEALTH_CHECK.targetGroup.unhealthyThresholdCount,
      },
      deregistrationDelay: HEALTH_CHECK.deregistrationDelay,
    });

    this.listener = this.loadBalancer.addListener('HTTPListener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      // The ALB security group's rules are the network construct's (tapstack.md §2.2).
      open: false,
      defaultAction: props.forwardAllTraffic
        ? elbv2.ListenerAction.forward([this.targetGroup])
        : elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' }),
    });
    if (!props.forwardAllTraffic) {
      this.listener.addTargetGroups('ECSTargets', {
        priority: 10,
        conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*', healthPath])],
        targetGroups: [this.targetGroup],
      });
    }

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: awaitingImage ? 0 : minTasks,
      maxCapacity: maxTasks,
    });
    const cooldowns = {
      scaleInCooldown: props.scaleInCooldown ?? Duration.seconds(60),
      scaleOutCooldown: props.scaleOutCooldown ?? Duration.seconds(60),
    };
    scaling.scaleOnCpuUtilization('CpuScaling', {
      targetUtilizationPercent: props.cpuTargetPercent ?? 50,
      ...(props.cpuScalingPolicyName ? { policyName: props.cpuScalingPolicyName } : {}),
      ...cooldowns,
    });
    if (props.scaleOnMemory ?? true) {
      scaling.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: props.memoryTargetPercent ?? 70, ...cooldowns });
    }

    suppressNag(this.taskDefinition, [
      {
        id: 'AwsSolutions-ECS2',
        reason:
          'The plain environment holds configuration only (NODE_ENV, PORT, AWS_REGION, CLOUDFRONT_URL, the secret ARN); the credentials arrive as DB_SECRET from Secrets Manager.',
      },
    ]);
    suppressNag(
      this.executionRole,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'AmazonECSTaskExecutionRolePolicy is the AWS-maintained policy for pulling images and writing container logs (tapstack.md 5.4).',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'ecr:GetAuthorizationToken supports no resource-level permissions (Resource "*" is the only form); image pulls themselves are scoped to the repository.',
          appliesTo: ['Resource::*'],
        },
      ],
      { applyToChildren: true },
    );
    const bucketId = props.staticBucket && logicalIdOf(props.staticBucket);
    if (bucketId) {
      suppressNag(
        this.taskRole,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'The application reads any object of the static assets bucket (s3:GetObject on <bucket>/*, tapstack.md 5.4); it cannot write or delete.',
            appliesTo: [`Resource::<${bucketId}.Arn>/*`],
          },
        ],
        { applyToChildren: true },
      );
    }
  }
}

/** Logical ID of a construct's CloudFormation resource, as cdk-nag writes it in findings (none if imported). */
function logicalIdOf(construct: Construct): string | undefined {
  const resource = construct.node.defaultChild;
  return resource instanceof CfnResource ? (Stack.of(resource).resolve(resource.logicalId) as string) : undefined;
}

function resolveImage(
  repository: ecr.IRepository,
  source: ContainerImageSource | undefined,
): { image: ecs.ContainerImage; awaitingImage: boolean } {
  const reference = source?.digest ?? source?.tag;
  if (reference === undefined) {
    return { image: ecs.ContainerImage.fromEcrRepository(repository, PLACEHOLDER_IMAGE_TAG), awaitingImage: true };
  }
  if (source?.repository) {
    const separator = source.digest ? '@' : ':';
    return { image: ecs.ContainerImage.fromRegistry(`${source.repository}${separator}${reference}`), awaitingImage: false };
  }
  return { image: ecs.ContainerImage.fromEcrRepository(repository, reference), awaitingImage: false };
}
