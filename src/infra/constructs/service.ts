/**
 * tapstack.md §5.2-§5.7 and §6: the ECS cluster and Fargate service, the Application Load Balancer in front of
 * them (./load-balancer.ts), and the service's auto-scaling. The task definition it runs, with its roles and log
 * group, is ./task-definition.ts.
 */
import cdk = require('aws-cdk-lib');
import Annotations = cdk.Annotations;
import Duration = cdk.Duration;
import ec2 = require('aws-cdk-lib/aws-ec2');
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import ecs = require('aws-cdk-lib/aws-ecs');
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CONTAINER_NAME, PLACEHOLDER_IMAGE_TAG } from '../image-placeholder.js';
import { suppressNag } from '../nag-suppressions.js';
import { DEREGISTRATION_DELAY, ServiceLoadBalancer, TARGET_GROUP_HEALTH_CHECK, type LoadBalancerOptions } from './load-balancer.js';
import { AppTaskDefinition, CONTAINER_HEALTH_CHECK, type AppSecretRef, type ContainerImageSource } from './task-definition.js';

export { CONTAINER_NAME, PLACEHOLDER_IMAGE_TAG, type AppSecretRef, type ContainerImageSource };

/** Container and target-group health-check timings of tapstack.md §5.5 and §6.2 (the spec's values). */
export const HEALTH_CHECK = {
  container: CONTAINER_HEALTH_CHECK,
  targetGroup: TARGET_GROUP_HEALTH_CHECK,
  deregistrationDelay: DEREGISTRATION_DELAY,
} as const;

/** Physical names of the service's resources. */
export interface ContainerServiceNames {
  readonly cluster: string;
  readonly service: string;
  readonly logGroup: string;
  readonly taskFamily: string;
}

export interface ContainerServiceProps {
  readonly vpc: ec2.IVpc;
  readonly names: ContainerServiceNames;
  /** The load balancer in front of the service (./load-balancer.ts). */
  readonly loadBalancer: LoadBalancerOptions;
  readonly serviceSecurityGroup: ec2.ISecurityGroup;
  /** Key of the log group; the execution role may decrypt with it. */
  readonly encryptionKey: kms.IKey;
  /** The stack's repository: the execution role may pull from it, and it holds the placeholder reference. */
  readonly repository: ecr.IRepository;
  /** Database credentials: injected into the container as `DB_SECRET`, its ARN as `DB_SECRET_ARN`. */
  readonly databaseSecret: secretsmanager.ISecret;
  /** The task role may read it. @default - no bucket access */
  readonly staticBucket?: s3.IBucket;
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
  /** CMD-SHELL health check. @default 'curl -f http://localhost:<port><healthCheckPath> || exit 1' */
  readonly healthCheckCommand?: string;
  /** @default logs.RetentionDays.ONE_WEEK */
  readonly logRetention?: logs.RetentionDays;
  /** App secrets of the container (task-definition.ts). @default - none */
  readonly appSecrets?: readonly AppSecretRef[];
  /**
   * ECS Exec (`tapctl exec`): enableExecuteCommand on the service, and the task role may open Session Manager's
   * channels (ssmmessages). New tasks get it; tasks started before keep running without it.
   *
   * @default false
   */
  readonly exec?: boolean;
  /**
   * ForceNewDeployment's nonce: a new value rolls the service although nothing else changed (deploy sets it when
   * tasks run a secret value older than the secret's last change).
   *
   * @default - none
   */
  readonly rolloutNonce?: string;
  /**
   * How ECS replaces the tasks of a new release (config `deployment:`, config/deployment.ts). Blue-green, canary
   * and linear need `loadBalancer.alternate` (the second target group ECS shifts traffic to).
   *
   * @default - rolling, with the deployment circuit breaker and no alarms
   */
  readonly deployment?: ServiceDeploymentOptions;
}

/** ECS's deployment strategy and what rolls it back. */
export interface ServiceDeploymentOptions {
  readonly strategy: 'rolling' | 'blue-green' | 'canary' | 'linear';
  /** How long the old tasks stay after all traffic moved (not for rolling). @default Duration.minutes(10) */
  readonly bake?: Duration;
  /** canary: the share of traffic first, and how long before the rest. @default - ECS's: 5 % for 10 minutes */
  readonly canary?: { readonly percent: number; readonly wait: Duration };
  /** linear: the share moved at each step, and the time between steps. @default - ECS's: 10 % every 6 minutes */
  readonly linear?: { readonly percent: number; readonly interval: Duration };
  /**
   * CloudWatch alarms (by name) that roll a deployment back when one fires during it. Names, not Alarm objects:
   * the alarms watch the service's load balancer and API, and a reference from the service to them would make a
   * dependency cycle with alarms on the service's own metrics.
   *
   * @default - none
   */
  readonly alarmNames?: readonly string[];
}

const STRATEGIES: Readonly<Record<Exclude<ServiceDeploymentOptions['strategy'], 'rolling'>, ecs.DeploymentStrategy>> = {
  'blue-green': ecs.DeploymentStrategy.BLUE_GREEN,
  canary: ecs.DeploymentStrategy.CANARY,
  linear: ecs.DeploymentStrategy.LINEAR,
};

/** A Fargate service behind an internet-facing ALB, with target-tracking auto-scaling. */
export class ContainerService extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly logGroup: logs.LogGroup;
  public readonly executionRole: iam.Role;
  public readonly taskRole: iam.Role;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly service: ecs.FargateService;
  /** The load balancer's parts: listeners, target group, the rule that forwards (./load-balancer.ts). */
  public readonly loadBalancing: ServiceLoadBalancer;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that serves (HTTPS with a certificate). */
  public readonly listener: elbv2.ApplicationListener;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The awslogs stream prefix of the application container: a task's log stream is `<prefix>/<task id>`. */
  public readonly logStreamPrefix: string;
  /** True while no image tag or digest is configured: the service runs zero tasks. */
  public readonly awaitingImage: boolean;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    const port = props.port ?? 3000;
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

    const task = new AppTaskDefinition(this, {
      names: { logGroup: props.names.logGroup, taskFamily: props.names.taskFamily },
      encryptionKey: props.encryptionKey,
      repository: props.repository,
      databaseSecret: props.databaseSecret,
      staticBucket: props.staticBucket,
      cloudFrontUrl: props.cloudFrontUrl,
      environment: props.environment,
      logStreamPrefix: props.logStreamPrefix,
      nodeEnv: props.nodeEnv,
      image: props.image,
      cpuArchitecture: props.cpuArchitecture,
      cpu: props.cpu,
      memoryMiB: props.memoryMiB,
      port,
      healthCheckPath: healthPath,
      healthCheckCommand: props.healthCheckCommand,
      logRetention: props.logRetention,
      appSecrets: props.appSecrets,
    });
    this.logGroup = task.logGroup;
    this.executionRole = task.executionRole;
    this.taskRole = task.taskRole;
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logStreamPrefix = task.logStreamPrefix;
    const awaitingImage = (this.awaitingImage = task.awaitingImage);

    const deployment = props.deployment ?? { strategy: 'rolling' as const };
    const rolling = deployment.strategy === 'rolling';
    if (!rolling && !props.loadBalancer.alternate) {
      throw new Error(`ContainerService: a ${deployment.strategy} deployment needs loadBalancer.alternate (the second target group ECS shifts traffic to)`);
    }
    const alarmNames = [...(deployment.alarmNames ?? [])];
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
      // The circuit breaker is the rolling update's failure detection; ECS accepts it for no other strategy
      // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html). The others
      // are judged by their alarms and the service deployment's state.
      // ROLLING is written out (qa5 P3): a service that goes back from canary to rolling must not depend on ECS
      // resetting a strategy whose property disappeared from the template.
      ...(rolling ? { circuitBreaker: { enable: true, rollback: true }, deploymentStrategy: ecs.DeploymentStrategy.ROLLING } : { deploymentStrategy: STRATEGIES[deployment.strategy], bakeTime: deployment.bake ?? Duration.minutes(10) }),
      ...(deployment.strategy === 'canary' && deployment.canary ? { canaryConfiguration: { stepPercent: deployment.canary.percent, stepBakeTime: deployment.canary.wait } } : {}),
      ...(deployment.strategy === 'linear' && deployment.linear ? { linearConfiguration: { stepPercent: deployment.linear.percent, stepBakeTime: deployment.linear.interval } } : {}),
      // Left out when there are none, so that the templates of rolling environments stay as they were.
      ...(alarmNames.length ? { deploymentAlarms: { alarmNames, behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM } } : {}),
      ...(props.capacityProviderStrategies ? { capacityProviderStrategies: [...props.capacityProviderStrategies] } : {}),
      // Not in the spec: start new tasks before stopping old ones, so a deploy never drops below desired count.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // Left out rather than false when off, so that templates of environments without it stay as they were.
      ...(props.exec ? { enableExecuteCommand: true } : {}),
    });
    if (props.rolloutNonce) this.service.forceNewDeployment(props.rolloutNonce);
    if (!rolling) {
      Annotations.of(this.service).acknowledgeWarning(
        '@aws-cdk/aws-ecs:shouldUseCircuitBreaker',
        `a ${deployment.strategy} deployment is judged by its alarms and its service deployment's state; ECS takes the circuit breaker for rolling updates only`,
      );
    }
    if (props.exec) {
      suppressNag(
        this.taskRole,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'ECS Exec (container.exec): the ssmmessages channel actions support no resource-level permissions, so Resource "*" is their only form (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).',
            appliesTo: ['Resource::*'],
          },
        ],
        { applyToChildren: true },
      );
    }

    const lb = (this.loadBalancing = new ServiceLoadBalancer(this, { ...props.loadBalancer, vpc: props.vpc, service: this.service, port, healthCheckPath: healthPath }));
    // AlternateTarget creates the role in the service's scope (aws-ecs alternate-target-configuration).
    const infrastructureRole = this.service.node.tryFindChild('AlternateTargetRole');
    if (infrastructureRole) {
      suppressNag(
        infrastructureRole,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason:
              'The role ECS assumes to move traffic between the target groups during blue-green, canary and linear deployments: AWS documents the managed AmazonECSInfrastructureRolePolicyForLoadBalancers for it, and keeps it current with what ECS calls (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html).',
            appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers'],
          },
        ],
        { applyToChildren: true },
      );
    }
    this.loadBalancer = lb.loadBalancer;
    this.listener = lb.listener;
    this.targetGroup = lb.targetGroup;

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
  }
}
