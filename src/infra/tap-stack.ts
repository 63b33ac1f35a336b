/**
 * The e-commerce platform of tapstack.md as one stack: the constructs of ./constructs wired together from a
 * resolved environment. Every physical name comes from `config.names`; every setting from the config.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import RemovalPolicy = cdk.RemovalPolicy;
import Stack = cdk.Stack;
import Tags = cdk.Tags;
import Token = cdk.Token;
import type { StackProps } from 'aws-cdk-lib';
import cloudfront = require('aws-cdk-lib/aws-cloudfront');
import ecs = require('aws-cdk-lib/aws-ecs');
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { appSecretRefs } from './app-secret-refs.js';
import { edgeOf } from '../config/edge.js';
import { DB_PORT } from '../config/engine-versions.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { ProcessorApi } from './constructs/api.js';
import { Database } from './constructs/database.js';
import { Edge } from './constructs/edge.js';
import { Encryption } from './constructs/encryption.js';
import { Network } from './constructs/network.js';
import { Observability } from './constructs/observability.js';
import { rollbackAlarmKeys } from './constructs/rollout-alarms.js';
import type { OriginSecret } from './constructs/origin-protection.js';
import { domainOutputs, type SiteDomain } from './constructs/site-domain.js';
import { SiteEdge } from './constructs/site-edge.js';
import type { CloudFrontWebAcl } from './constructs/web-acl.js';
import { logGroupsOutput, StackOutputs, type StackOutput } from './constructs/outputs.js';
import { ContainerRegistry } from './constructs/registry.js';
import { ContainerService } from './constructs/service.js';
import { apiExecutionLogGroup, lambdaLogGroup } from './log-sources.js';
import { serviceDeploymentProps } from './service-deployment.js';

export const STACK_DESCRIPTION = 'Production-ready e-commerce infrastructure stack';

/** tapstack.md §10, with `ManagedBy` naming the tool that deploys the stack. */
export const STANDARD_TAGS = { Application: 'E-Commerce', ManagedBy: 'tapctl', CostCenter: 'Engineering' } as const;

export interface TapStackProps extends StackProps {
  /**
   * The environment to build, fully resolved and frozen (src/config/resolve.ts). The stack's name,
   * description, account, region and termination protection come from it unless given here as well.
   */
  readonly config: ResolvedEnvironment;
}

const PRICE_CLASSES: Readonly<Record<ResolvedEnvironment['cdn']['priceClass'], cloudfront.PriceClass>> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

export class TapStack extends Stack {
  public readonly network: Network;
  /** The site's own name, certificates and records (config domain:). */
  public readonly domain?: SiteDomain;
  /** The web ACL on CloudFront, when this stack creates it (config waf:). */
  public readonly webAcl?: CloudFrontWebAcl;
  /** The secret header CloudFront adds and the listener checks. */
  public readonly originSecret: OriginSecret;
  public readonly encryption: Encryption;
  public readonly edge: Edge;
  public readonly database: Database;
  public readonly registry: ContainerRegistry;
  public readonly service: ContainerService;
  public readonly api: ProcessorApi;
  public readonly observability: Observability;
  public readonly outputs: StackOutputs;
  /** True while the config names no image: the service runs zero tasks until push-image and deploy. */
  public readonly awaitingImage: boolean;
  /** `https://<domain>` with a domain, the distribution's URL otherwise. */
  public readonly siteUrl: string;

  constructor(scope: Construct, id: string, props: TapStackProps) {
    const { config: env, ...stackProps } = props;
    super(scope, id, {
      stackName: env.names.stack,
      description: STACK_DESCRIPTION,
      env: { account: env.account, region: env.region },
      terminationProtection: env.protection.terminationProtection,
      ...stackProps,
    });
    const { names, protection } = env;
    const retain = protection.retainData;
    // logRetentionDays is one of the values CloudWatch Logs accepts (schema), which are RetentionDays' values.
    const logRetention = env.logRetentionDays as logs.RetentionDays;
    const dbPort = DB_PORT[env.database.engine];

    this.encryption = new Encryption(this, 'Encryption', {
      aliasName: names.kmsAlias,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const key = this.encryption.key;

    // The edge of config/edge.ts: the origin header's secrets, the domain, the web ACL.
    const siteEdge = new SiteEdge(this, { plan: edgeOf(env), names });
    const domain = (this.domain = siteEdge.domain);
    this.webAcl = siteEdge.webAcl;
    this.originSecret = siteEdge.originSecret;

    this.edge = new Edge(this, 'Edge', {
      ...(siteEdge.distributionDomain ? { domain: siteEdge.distributionDomain } : {}),
      ...(siteEdge.webAclArn ? { webAclArn: siteEdge.webAclArn } : {}),
      staticBucketName: names.staticBucket,
      logsBucketName: names.logsBucket,
      retainData: retain,
      priceClass: PRICE_CLASSES[env.cdn.priceClass],
      assetsDefaultTtl: Duration.seconds(env.cdn.assetsDefaultTtlSeconds),
      assetsMaxTtl: Duration.seconds(env.cdn.assetsMaxTtlSeconds),
      assetsInfrequentAccessDays: env.storage.assetsInfrequentAccessDays,
      assetsGlacierDays: env.storage.assetsGlacierDays,
      assetsNoncurrentExpireDays: env.storage.assetsNoncurrentExpireDays,
      logsExpireDays: env.storage.logsExpireDays,
    });
    this.siteUrl = domain ? `https://${domain.name}` : this.edge.url;

    this.network = new Network(this, 'Network', {
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      natGateways: env.network.natGateways,
      subnetMask: env.network.subnetMask,
      appPort: env.container.port,
      databasePort: dbPort,
      databaseEngineLabel: env.database.engine === 'aurora-mysql' ? 'MySQL' : 'PostgreSQL',
      flowLogsBucket: this.edge.logsBucket,
    });
    const vpc = this.network.vpc;

    this.database = new Database(this, 'Database', {
      vpc,
      securityGroup: this.network.databaseSecurityGroup,
      encryptionKey: key,
      engine: env.database.engine,
      engineVersion: env.database.version,
      clusterIdentifier: names.dbCluster,
      secretName: names.dbSecret,
      rotationFunctionName: names.rotationFunction,
      username: env.database.username,
      databaseName: env.database.name,
      minCapacity: env.database.minCapacity,
      maxCapacity: env.database.maxCapacity,
      readers: env.database.readers,
      backupRetentionDays: env.database.backupRetentionDays,
      backupWindow: env.database.backupWindow,
      maintenanceWindow: env.database.maintenanceWindow,
      rotationDays: env.database.rotationDays,
      deletionProtection: protection.deletionProtection,
      retainData: retain,
    });

    this.registry = new ContainerRegistry(this, 'Registry', {
      repositoryName: names.ecrRepository,
      encryptionKey: key,
      retainData: retain,
    });

    const c = env.container;
    const rollout = serviceDeploymentProps(env);
    this.service = new ContainerService(this, 'Service', {
      vpc,
      names: {
        cluster: names.ecsCluster,
        service: names.ecsService,
        logGroup: names.ecsLogGroup,
        taskFamily: names.taskFamily,
      },
      loadBalancer: {
        names: { loadBalancer: names.loadBalancer, targetGroup: names.targetGroup },
        securityGroup: this.network.albSecurityGroup,
        accessLogsBucket: this.edge.logsBucket,
        deletionProtection: protection.deletionProtection,
        ...siteEdge.loadBalancerOptions,
        ...(rollout.alternate ? { alternate: rollout.alternate } : {}),
      },
      serviceSecurityGroup: this.network.ecsSecurityGroup,
      encryptionKey: key,
      repository: this.registry.repository,
      databaseSecret: this.database.secret,
      staticBucket: this.edge.staticBucket,
      cloudFrontUrl: this.siteUrl,
      nodeEnv: env.kind,
      image: c.image,
      cpuArchitecture: c.architecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      cpu: c.cpu,
      memoryMiB: c.memory,
      port: c.port,
      minTasks: c.minTasks,
      maxTasks: c.maxTasks,
      cpuTargetPercent: c.cpuTargetPercent,
      memoryTargetPercent: c.memoryTargetPercent,
      scaleInCooldown: Duration.seconds(c.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(c.scaleOutCooldownSeconds),
      healthCheckPath: c.healthCheckPath,
      healthCheckGracePeriod: Duration.seconds(c.healthCheckGraceSeconds),
      healthCheckCommand: c.healthCheckCommand,
      logRetention,
      appSecrets: appSecretRefs(env),
      exec: env.container.exec,
      rolloutNonce: env.deployInputs?.rolloutNonce,
      deployment: rollout.deployment,
    });
    this.awaitingImage = this.service.awaitingImage;
    // The API and the health path reach the service through CloudFront, the load balancer's only client.
    this.edge.routeToLoadBalancer({
      origin: siteEdge.origin(this.service.loadBalancer),
      // The health path too, unless /api/* covers it or it is the root (the assets' default behaviour).
      paths: ['/api/*', ...(c.healthCheckPath === '/' || c.healthCheckPath.startsWith('/api/') ? [] : [c.healthCheckPath])],
      https: siteEdge.httpsOrigin,
    });

    this.api = new ProcessorApi(this, 'Api', {
      vpc,
      names: {
        function: names.processorFunction,
        logGroup: names.processorLogGroup,
        restApi: names.restApi,
        usagePlan: names.usagePlan,
        apiKey: names.apiKey,
      },
      securityGroup: this.network.lambdaSecurityGroup,
      encryptionKey: key,
      databaseSecret: this.database.secret,
      backendUrl: this.edge.url,
      environmentKind: env.kind,
      runtime: env.lambda.runtime,
      memoryMb: env.lambda.memoryMb,
      timeout: Duration.seconds(env.lambda.timeoutSeconds),
      logRetention,
      throttleRateLimit: env.api.throttleRateLimit,
      throttleBurstLimit: env.api.throttleBurstLimit,
      quotaPerMonth: env.api.quotaPerMonth,
      loggingLevel: env.api.loggingLevel,
      dataTrace: env.api.dataTrace,
      tracing: env.api.tracing,
      ...(domain?.apiName && domain.apiCertificate ? { customDomain: { name: domain.apiName, certificate: domain.apiCertificate } } : {}),
    });
    siteEdge.connect({
      distribution: this.edge.distribution,
      loadBalancing: this.service.loadBalancing,
      loadBalancerSecurityGroup: this.network.albSecurityGroup,
      ...(this.api.domainName ? { apiDomain: this.api.domainName } : {}),
    });

    const { email, evaluationPeriods, ...thresholds } = env.alarms;
    this.observability = new Observability(this, 'Observability', {
      topicName: names.alertTopic,
      environmentKind: env.kind,
      email,
      encryptionKey: key,
      dashboardName: names.dashboard,
      alarmNames: names.alarms,
      thresholds,
      evaluationPeriods,
      service: this.service.service,
      databaseCluster: this.database.cluster,
      loadBalancer: this.service.loadBalancer,
      targetGroup: this.service.targetGroup,
      ...(this.service.loadBalancing.alternateTargetGroup ? { alternateTargetGroup: this.service.loadBalancing.alternateTargetGroup } : {}),
      rollbackAlarms: rollbackAlarmKeys(env),
      restApi: this.api.api,
      function: this.api.function,
      distribution: this.edge.distribution,
    });

    this.outputs = new StackOutputs(this, 'Outputs', {
      exportPrefix: names.exportPrefix,
      outputs: this.outputTable(env),
    });

    const tags: Record<string, string> = {
      Application: STANDARD_TAGS.Application,
      // Departs from tapstack.md §10 (Project=ECommerce, recorded in the README): the project name tells the
      // projects of one account apart in cost reports; tags: { Project: ECommerce } gives the spec's value.
      Project: env.project,
      CostCenter: STANDARD_TAGS.CostCenter,
      // The config's tags may override the informational ones above, never the two tapctl relies on.
      ...env.tags,
      Environment: env.kind,
      ManagedBy: STANDARD_TAGS.ManagedBy,
    };
    for (const [k, v] of Object.entries(tags)) Tags.of(this).add(k, v);
  }

  /** tapstack.md §11: the 24 outputs, in the spec's order (with a domain, its URLs before the dashboard's), then tapctl's LogGroups. */
  private outputTable(env: ResolvedEnvironment): StackOutput[] {
    const { network, edge, database, registry, service, api, observability, encryption } = this;
    const db = database.cluster.clusterEndpoint;
    return [
      { key: 'VpcId', value: network.vpc.vpcId, description: 'VPC ID', exportSuffix: 'vpc-id' },
      { key: 'ALBDNSName', value: service.loadBalancer.loadBalancerDnsName, description: 'Application Load Balancer DNS name', exportSuffix: 'alb-dns' },
      { key: 'ALBSecurityGroupId', value: network.albSecurityGroup.securityGroupId, description: 'ALB security group ID', exportSuffix: 'alb-sg-id' },
      { key: 'CloudFrontURL', value: edge.url, description: 'CloudFront distribution URL', exportSuffix: 'cloudfront-url' },
      { key: 'CloudFrontDistributionId', value: edge.distribution.distributionId, description: 'CloudFront distribution ID', exportSuffix: 'cloudfront-id' },
      { key: 'APIGatewayURL', value: api.url, description: 'API Gateway stage invoke URL', exportSuffix: 'api-url' },
      { key: 'APIGatewayId', value: api.api.restApiId, description: 'API Gateway REST API ID', exportSuffix: 'api-id' },
      { key: 'APIKeyId', value: api.apiKey.keyId, description: 'API key ID (fetch the value with aws apigateway get-api-key --include-value)', exportSuffix: 'api-key-id' },
      { key: 'S3BucketName', value: edge.staticBucket.bucketName, description: 'Static assets bucket name', exportSuffix: 's3-bucket' },
      { key: 'S3BucketArn', value: edge.staticBucket.bucketArn, description: 'Static assets bucket ARN', exportSuffix: 's3-bucket-arn' },
      { key: 'LogsBucketName', value: edge.logsBucket.bucketName, description: 'Logs bucket name', exportSuffix: 'logs-bucket' },
      { key: 'DatabaseEndpoint', value: db.hostname, description: 'Aurora cluster writer endpoint', exportSuffix: 'db-endpoint' },
      { key: 'DatabasePort', value: Token.asString(db.port), description: 'Aurora cluster port', exportSuffix: 'db-port' },
      { key: 'DatabaseSecretArn', value: database.secret.secretArn, description: 'Database credentials secret ARN', exportSuffix: 'db-secret-arn' },
      { key: 'ECRRepositoryURI', value: registry.repository.repositoryUri, description: 'ECR repository URI', exportSuffix: 'ecr-uri' },
      { key: 'ECRRepositoryName', value: registry.repository.repositoryName, description: 'ECR repository name', exportSuffix: 'ecr-name' },
      { key: 'ECSClusterName', value: service.cluster.clusterName, description: 'ECS cluster name', exportSuffix: 'ecs-cluster' },
      { key: 'ECSServiceName', value: service.service.serviceName, description: 'ECS service name', exportSuffix: 'ecs-service' },
      { key: 'LambdaFunctionName', value: api.function.functionName, description: 'Processor Lambda function name', exportSuffix: 'lambda-function' },
      { key: 'LambdaFunctionArn', value: api.function.functionArn, description: 'Processor Lambda function ARN', exportSuffix: 'lambda-arn' },
      { key: 'SNSTopicArn', value: observability.topic.topicArn, description: 'Alert topic ARN', exportSuffix: 'sns-topic-arn' },
      { key: 'KMSKeyId', value: encryption.key.keyId, description: 'KMS key ID', exportSuffix: 'kms-key-id' },
      { key: 'KMSKeyArn', value: encryption.key.keyArn, description: 'KMS key ARN', exportSuffix: 'kms-key-arn' },
      ...(this.domain ? domainOutputs(this.domain, this.api.domainName !== undefined) : []),
      {
        key: 'DashboardURL',
        value: `https://console.aws.amazon.com/cloudwatch/home?region=${env.region}#dashboards:name=${env.names.dashboard}`,
        description: 'CloudWatch dashboard URL',
      },
      logGroupsOutput(this, {
        app: [service.logGroup.logGroupName],
        appStreamPrefix: service.logStreamPrefix,
        lambda: [api.logGroup.logGroupName],
        api: api.accessLogGroup ? [api.accessLogGroup.logGroupName, apiExecutionLogGroup(api.api.restApiId, api.stageName)] : [],
        rotation: [lambdaLogGroup(env.names.rotationFunction)],
      }),
    ];
  }
}
