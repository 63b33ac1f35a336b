/**
 * tapstack.md §5.3-§5.5: the application's Fargate task definition, its container, the two roles it runs with
 * and its log group. The service, load balancer and scaling that run it are in ./service.ts.
 */
import cdk = require('aws-cdk-lib');
import CfnResource = cdk.CfnResource;
import Duration = cdk.Duration;
import RemovalPolicy = cdk.RemovalPolicy;
import Stack = cdk.Stack;
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import ecs = require('aws-cdk-lib/aws-ecs');
import iam = require('aws-cdk-lib/aws-iam');
import type * as kms from 'aws-cdk-lib/aws-kms';
import logs = require('aws-cdk-lib/aws-logs');
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CONTAINER_NAME, defaultHealthCheckCommand, PLACEHOLDER_IMAGE_TAG } from '../image-placeholder.js';
import { suppressNag } from '../nag-suppressions.js';

/**
 * The container health check's timings, tapstack.md §5.5. The config has no keys for them; they are the spec's
 * values. (The target group's are in ./load-balancer.ts; service.ts's HEALTH_CHECK shows both.)
 */
export const CONTAINER_HEALTH_CHECK = { interval: Duration.seconds(30), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(60) } as const;

/** The image the service runs: the stack's own repository unless `repository` names another one. */
export interface ContainerImageSource {
  /** Full image repository (`registry/name`), instead of the stack's ECR repository. */
  readonly repository?: string;
  readonly tag?: string;
  /** `sha256:...`; wins over `tag`. */
  readonly digest?: string;
}

/** An app secret the container receives (container.secrets), by the ARN ECS reads it from. */
export interface AppSecretRef {
  /** The environment variable it becomes: upper case, the secret's name under `tapctl/<project>/<suffix>/`. */
  readonly name: string;
  /**
   * The secret's full ARN (resolved from Secrets Manager at deploy time), or its partial ARN (without the six
   * random characters) in a template synthesized without AWS.
   */
  readonly arn: string;
  /** `arn` is partial: the execution role may then read `<arn>-??????`, the six characters Secrets Manager adds. */
  readonly partial: boolean;
}

export interface AppTaskDefinitionProps {
  /** Physical names: the log group and the task definition family. */
  readonly names: { readonly logGroup: string; readonly taskFamily: string };
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
  /** `NODE_ENV` of the container: the environment kind. */
  readonly nodeEnv: string;
  /** Image to run. Without a tag or digest: the bootstrap placeholder (the service then runs no task). @default - no image yet */
  readonly image?: ContainerImageSource;
  /** @default ecs.CpuArchitecture.X86_64 */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /** Task (and container) CPU units. @default 1024 */
  readonly cpu?: number;
  /** Task (and container) memory, MiB. @default 2048 */
  readonly memoryMiB?: number;
  /** @default 3000 */
  readonly port?: number;
  /** Path the container health check probes. @default '/health' */
  readonly healthCheckPath?: string;
  /** CMD-SHELL health check. @default 'curl -f http://localhost:<port><healthCheckPath> || exit 1' */
  readonly healthCheckCommand?: string;
  /** @default logs.RetentionDays.ONE_WEEK */
  readonly logRetention?: logs.RetentionDays;
  /**
   * App secrets, injected as ECS `secrets` (never as plain environment values): the execution role may call
   * secretsmanager:GetSecretValue on exactly these ARNs, and decrypts them with `encryptionKey`, which it may
   * already use.
   *
   * @default - none
   */
  readonly appSecrets?: readonly AppSecretRef[];
}

/**
 * The task definition of the application container and what it needs. Not a construct of its own: its
 * resources are created in the scope given (the service construct), under the construct IDs they always had, so
 * that their logical IDs, and with them every deployed stack, stay as they are.
 */
export class AppTaskDefinition {
  public readonly logGroup: logs.LogGroup;
  public readonly executionRole: iam.Role;
  public readonly taskRole: iam.Role;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  /** The awslogs stream prefix of the container: a task's log stream is `<prefix>/<task id>`. */
  public readonly logStreamPrefix: string;
  /** True while no image tag or digest is configured: the service runs zero tasks. */
  public readonly awaitingImage: boolean;

  constructor(scope: Construct, props: AppTaskDefinitionProps) {
    const port = props.port ?? 3000;
    const cpu = props.cpu ?? 1024;
    const memoryMiB = props.memoryMiB ?? 2048;
    const healthPath = props.healthCheckPath ?? '/health';
    const streamPrefix = props.logStreamPrefix ?? 'ecommerce';
    this.logStreamPrefix = `${streamPrefix}/${CONTAINER_NAME}`;

    this.logGroup = new logs.LogGroup(scope, 'ECSLogGroup', {
      logGroupName: props.names.logGroup,
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.executionRole = new iam.Role(scope, 'TaskExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSTaskExecutionRolePolicy')],
    });
    props.repository.grantPull(this.executionRole);
    props.databaseSecret.grantRead(this.executionRole);
    props.encryptionKey.grantDecrypt(this.executionRole);

    this.taskRole = new iam.Role(scope, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    props.databaseSecret.grantRead(this.taskRole);
    if (props.staticBucket) {
      // Read access to the static assets, narrower than bucket.grantRead() (s3:GetObject*, GetBucket*, List*):
      // the application reads objects and lists keys, nothing else.
      this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.staticBucket.arnForObjects('*')] }));
      this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.staticBucket.bucketArn] }));
    }

    this.taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDef', {
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
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix }),
      environment: {
        ...props.environment,
        NODE_ENV: props.nodeEnv,
        PORT: String(port),
        AWS_REGION: Stack.of(scope).region,
        ...(props.cloudFrontUrl ? { CLOUDFRONT_URL: props.cloudFrontUrl } : {}),
        // §13 flag: the spec injected the secret's value under DB_SECRET_ARN. The ARN goes here, plainly (an ARN
        // is not a secret, and the Lambda's DB_SECRET_ARN is an ARN too), and the value below as DB_SECRET.
        DB_SECRET_ARN: props.databaseSecret.secretArn,
      },
      secrets: {
        DB_SECRET: ecs.Secret.fromSecretsManager(props.databaseSecret),
        ...Object.fromEntries((props.appSecrets ?? []).map((s) => [s.name, appSecret(s)])),
      },
      healthCheck: {
        command: ['CMD-SHELL', props.healthCheckCommand ?? defaultHealthCheckCommand(port, healthPath)],
        ...CONTAINER_HEALTH_CHECK,
      },
    });
    this.acknowledgePinnedEcrPull(props.image);

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
          reason: 'AmazonECSTaskExecutionRolePolicy is the AWS-maintained policy for pulling images and writing container logs (tapstack.md 5.4).',
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
    const partial = (props.appSecrets ?? []).filter((x) => x.partial);
    if (partial.length > 0) {
      suppressNag(
        this.executionRole,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'A template synthesized without AWS names an app secret by its partial ARN: -?????? matches exactly the six characters Secrets Manager appends to that one name. A deploy names the full ARN.',
            appliesTo: partial.map((x) => `Resource::${x.arn}-??????`),
          },
        ],
        { applyToChildren: true },
      );
    }
    const bucketId = props.staticBucket && logicalIdOf(props.staticBucket);
    if (bucketId) {
      suppressNag(
        this.taskRole,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: 'The application reads any object of the static assets bucket (s3:GetObject on <bucket>/*, tapstack.md 5.4); it cannot write or delete.',
            appliesTo: [`Resource::<${bucketId}.Arn>/*`],
          },
        ],
        { applyToChildren: true },
      );
    }
  }

  /**
   * An image pinned in another ECR repository (env create --image from the source's repository, container.image):
   * CDK's fromRegistry warns that the execution role needs pull permission on it (ecrImageRequiresPolicy). It has
   * it: AmazonECSTaskExecutionRolePolicy allows the ECR pulls on every repository of the account; a repository of
   * another account needs its own policy to allow this account (its owner's to give), which the image check reads
   * before a deploy. So the warning is acknowledged here, with why, instead of reaching the user.
   */
  private acknowledgePinnedEcrPull(source: ContainerImageSource | undefined): void {
    if (!source?.repository || !ECR_REPOSITORY.test(source.repository)) return;
    cdk.Annotations.of(this.taskDefinition).acknowledgeWarning(
      '@aws-cdk/aws-ecs:ecrImageRequiresPolicy',
      "AmazonECSTaskExecutionRolePolicy allows pulls from the account's repositories; another account's repository policy grants its own",
    );
  }

}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: an ECR repository (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Repositories.html). */
const ECR_REPOSITORY = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/** Logical ID of a construct's CloudFormation resource, as cdk-nag writes it in findings (none if imported). */
function logicalIdOf(construct: Construct): string | undefined {
  const resource = construct.node.defaultChild;
  return resource instanceof CfnResource ? (Stack.of(resource).resolve(resource.logicalId) as string) : undefined;
}

/**
 * An ecs.Secret of an app secret. Not ecs.Secret.fromSecretsManager: its grantRead adds DescribeSecret as well,
 * and a role that runs the app needs to read the value, nothing more.
 */
function appSecret(ref: AppSecretRef): ecs.Secret {
  return {
    arn: ref.arn,
    hasField: false,
    grantRead: (grantee: iam.IGrantable) =>
      iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [ref.partial ? `${ref.arn}-??????` : ref.arn] }),
  };
}

function resolveImage(repository: ecr.IRepository, source: ContainerImageSource | undefined): { image: ecs.ContainerImage; awaitingImage: boolean } {
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
