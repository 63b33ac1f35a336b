/**
 * The product catalog API of presets.md part a, translated from CDKTF to CDK and composed from tapctl's
 * constructs: a three-tier VPC, ECS Fargate Spot behind an ALB and CloudFront, a provisioned Aurora cluster with
 * a generated and rotated password, an ECR repository for push-image, the log bucket, alarms. Names come from
 * src/config/presets/catalog-api.ts; the gaps of a.16 are closed as docs/presets.md describes.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import Stack = cdk.Stack;
import Tags = cdk.Tags;
import ec2 = require('aws-cdk-lib/aws-ec2');
import ecs = require('aws-cdk-lib/aws-ecs');
import type * as logs from 'aws-cdk-lib/aws-logs';
import s3 = require('aws-cdk-lib/aws-s3');
import type { Construct } from 'constructs';
import { appSecretRefs } from '../app-secret-refs.js';
import { DB_PORT } from '../../config/engine-versions.js';
import type { CatalogApiNames } from '../../config/presets/catalog-api.js';
import { catalogApiNamesOf } from '../../config/presets/index.js';
import type { ResolvedEnvironment } from '../../config/resolve.js';
import { edgeOf } from '../../config/edge.js';
import { AlbDistribution } from '../constructs/alb-distribution.js';
import type { AlertTopic } from '../constructs/alert-topic.js';
import { Database } from '../constructs/database.js';
import { Encryption } from '../constructs/encryption.js';
import type { StackOutputs } from '../constructs/outputs.js';
import { ContainerRegistry } from '../constructs/registry.js';
import type { OriginSecret } from '../constructs/origin-protection.js';
import { ContainerService } from '../constructs/service.js';
import type { SiteDomain } from '../constructs/site-domain.js';
import { SiteEdge } from '../constructs/site-edge.js';
import type { CloudFrontWebAcl } from '../constructs/web-acl.js';
import { TieredVpc } from '../constructs/tiered-vpc.js';
import { suppressNag } from '../nag-suppressions.js';
import { serviceDeploymentProps } from '../service-deployment.js';
import { catalogAlarms, catalogOutputs } from './catalog-api-outputs.js';
import { PRICE_CLASSES, removalPolicyOf, stackPropsOf, tagStack, type PresetStackProps } from './preset-stack.js';

export const CATALOG_STACK_DESCRIPTION = 'Product catalog API: ECS Fargate Spot behind an ALB and CloudFront, Aurora PostgreSQL';

/**
 * a.9: FARGATE_SPOT weight 100, base 0, and no launch type beside it (failure-lessons.md #10). With an
 * on-demand base, that many tasks run on FARGATE first (weight 0: no more than the base).
 */
export function capacityStrategy(onDemandBase: number): ecs.CapacityProviderStrategy[] {
  if (onDemandBase === 0) return [{ capacityProvider: 'FARGATE_SPOT', weight: 100, base: 0 }];
  return [
    { capacityProvider: 'FARGATE', weight: 0, base: onDemandBase },
    { capacityProvider: 'FARGATE_SPOT', weight: 100 },
  ];
}

export class CatalogApiStack extends Stack {
  public readonly names: CatalogApiNames;
  public readonly encryption: Encryption;
  /** a.5: ALB, CloudFront and VPC flow logs; SSE-S3 (ALB access logs accept nothing else). */
  public readonly logsBucket: s3.Bucket;
  public readonly network: TieredVpc;
  public readonly albSecurityGroup: ec2.SecurityGroup;
  public readonly ecsSecurityGroup: ec2.SecurityGroup;
  public readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** The secret header CloudFront adds and the listener checks. */
  public readonly originSecret: OriginSecret;
  /** The API's own name, certificates and records (config domain:). */
  public readonly domain?: SiteDomain;
  /** The web ACL on CloudFront, when this stack creates it (config waf:). */
  public readonly webAcl?: CloudFrontWebAcl;
  public readonly database: Database;
  public readonly registry: ContainerRegistry;
  public readonly service: ContainerService;
  public readonly cdn: AlbDistribution;
  public readonly alerts: AlertTopic;
  public readonly outputs: StackOutputs;
  /** True while the config names no image: the service runs zero tasks until push-image and deploy. */
  public readonly awaitingImage: boolean;

  constructor(scope: Construct, id: string, props: PresetStackProps) {
    super(scope, id, stackPropsOf(props, CATALOG_STACK_DESCRIPTION));
    const env = props.config;
    if (env.preset !== 'catalog-api') throw new Error(`CatalogApiStack builds the catalog-api preset, not '${env.preset}'`);
    const n = (this.names = catalogApiNamesOf(env));
    const retain = env.protection.retainData;
    const removalPolicy = removalPolicyOf(env);

    this.encryption = new Encryption(this, 'Encryption', {
      aliasName: n.kmsAlias,
      description: 'KMS key of the catalog API: database, secret, logs, images and alerts',
      removalPolicy,
    });
    const key = this.encryption.key;

    this.logsBucket = new s3.Bucket(this, 'LogsBucket', {
      bucketName: n.logsBucket,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs (failure-lessons.md #20).
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // a.5: one scoped rule over every object (failure-lessons.md #11: a rule needs a filter or prefix).
      lifecycleRules: [{ id: 'delete-old-logs', enabled: true, prefix: '', expiration: Duration.days(env.storage.logsExpireDays) }],
      removalPolicy,
      autoDeleteObjects: !retain,
    });
    suppressNag(this.logsBucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the log bucket (a.5): ALB, CloudFront and VPC flow logs land here; logging its own access into itself would loop.',
      },
    ]);

    // Departs from a.3 (recorded in docs/presets.md): CDK allocates the tiers in order from network.cidr, so
    // public is 10.0.0.0/24, 10.0.1.0/24 and private 10.0.2.0/24, 10.0.3.0/24 (the spec: 10.0.1-2 public, 10.0.3-4
    // private), data after them; and each public subnet has its own route table (same route to the internet
    // gateway), both tagged <p>-public-rt-<s>. Renumbering deployed subnets cannot happen in place.
    this.network = new TieredVpc(this, 'Network', {
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      subnetMask: env.network.subnetMask,
      egress: env.catalog.egress,
      natGateways: env.network.natGateways,
      flowLogsBucket: this.logsBucket,
      names: {
        vpc: n.vpc,
        internetGateway: n.internetGateway,
        publicSubnets: n.publicSubnets,
        appSubnets: n.privateSubnets,
        dataSubnets: n.dataSubnets,
        publicRouteTable: n.publicRouteTable,
      },
    });
    const vpc = this.network.vpc;
    const dbPort = DB_PORT[env.database.engine];
    [this.albSecurityGroup, this.ecsSecurityGroup, this.databaseSecurityGroup] = this.securityGroups(vpc, env, n, dbPort);
    // The edge of config/edge.ts: the origin header's secrets, the domain, the web ACL.
    const siteEdge = new SiteEdge(this, { plan: edgeOf(env), names: n });
    this.originSecret = siteEdge.originSecret;
    this.domain = siteEdge.domain;
    this.webAcl = siteEdge.webAcl;

    this.database = new Database(this, 'Database', {
      vpc,
      securityGroup: this.databaseSecurityGroup,
      encryptionKey: key,
      engine: env.database.engine,
      engineVersion: env.database.version,
      clusterIdentifier: n.dbCluster,
      // a.16: a generated password, never a literal; the hosted rotation changes it every rotationDays.
      secretName: n.dbSecret,
      secretDescription: 'Database password for catalog API',
      rotationFunctionName: n.rotationFunction,
      username: env.database.username,
      databaseName: env.database.name,
      instanceType: new ec2.InstanceType(env.catalog.dbInstanceClass.replace(/^db\./, '')),
      instanceIdentifiers: n.dbInstances,
      // a.16 reader/standby: database.readers provisioned readers, each a failover target in another zone.
      readers: env.database.readers,
      subnetGroupName: n.dbSubnetGroup,
      vpcSubnets: this.network.dataSubnets,
      rotationSubnets: this.network.appSubnets,
      backupRetentionDays: env.database.backupRetentionDays,
      backupWindow: env.database.backupWindow,
      maintenanceWindow: env.database.maintenanceWindow,
      rotationDays: env.database.rotationDays,
      deletionProtection: env.protection.deletionProtection,
      retainData: retain,
    });

    this.registry = new ContainerRegistry(this, 'Registry', { repositoryName: n.ecrRepository, encryptionKey: key, retainData: retain });

    const c = env.container;
    const rollout = serviceDeploymentProps(env);
    this.service = new ContainerService(this, 'Service', {
      vpc,
      names: { cluster: n.ecsCluster, service: n.ecsService, logGroup: n.ecsLogGroup, taskFamily: n.taskFamily },
      loadBalancer: {
        names: { loadBalancer: n.loadBalancer, targetGroup: n.targetGroup },
        securityGroup: this.albSecurityGroup,
        accessLogsBucket: this.logsBucket,
        // a.8: the listener forwards everything.
        forwardAllTraffic: true,
        // a.8: unhealthy after 2 failed checks (the ecommerce spec's target group waits for 3).
        unhealthyThresholdCount: 2,
        deletionProtection: env.protection.deletionProtection,
        ...siteEdge.loadBalancerOptions,
        ...(rollout.alternate ? { alternate: rollout.alternate } : {}),
      },
      serviceSecurityGroup: this.ecsSecurityGroup,
      serviceSubnets: this.network.appSubnets,
      encryptionKey: key,
      repository: this.registry.repository,
      databaseSecret: this.database.secret,
      nodeEnv: env.kind,
      // a.9's container environment; the password arrives as DB_SECRET from Secrets Manager.
      environment: { DB_HOST: this.database.cluster.clusterEndpoint.hostname, DB_PORT: String(dbPort), DB_NAME: env.database.name },
      logStreamPrefix: 'ecs',
      image: c.image,
      cpuArchitecture: c.architecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      cpu: c.cpu,
      memoryMiB: c.memory,
      port: c.port,
      minTasks: c.minTasks,
      maxTasks: c.maxTasks,
      capacityProviderStrategies: capacityStrategy(env.catalog.onDemandBase),
      // a.10: CPU target tracking only, with its own cooldowns.
      scaleOnMemory: false,
      cpuTargetPercent: c.cpuTargetPercent,
      cpuScalingPolicyName: n.scalingPolicy,
      scaleInCooldown: Duration.seconds(c.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(c.scaleOutCooldownSeconds),
      healthCheckPath: c.healthCheckPath,
      healthCheckGracePeriod: Duration.seconds(c.healthCheckGraceSeconds),
      healthCheckCommand: c.healthCheckCommand,
      logRetention: env.logRetentionDays as logs.RetentionDays,
      appSecrets: appSecretRefs(env),
      exec: env.container.exec,
      rolloutNonce: env.deployInputs?.rolloutNonce,
      deployment: rollout.deployment,
    });
    this.awaitingImage = this.service.awaitingImage;
    // a.5: the log group carries the spec's Name tag.
    Tags.of(this.service.logGroup).add('Name', n.ecsLogGroupTag);

    this.cdn = new AlbDistribution(this, 'Cdn', {
      origin: siteEdge.origin(this.service.loadBalancer, n.originId),
      httpsOrigin: siteEdge.httpsOrigin,
      ...(siteEdge.distributionDomain ? { domain: siteEdge.distributionDomain } : {}),
      ...(siteEdge.webAclArn ? { webAclArn: siteEdge.webAclArn } : {}),
      comment: n.distributionComment,
      priceClass: PRICE_CLASSES[env.cdn.priceClass],
      logBucket: this.logsBucket,
    });
    siteEdge.connect({ distribution: this.cdn.distribution, loadBalancing: this.service.loadBalancing, loadBalancerSecurityGroup: this.albSecurityGroup });

    this.alerts = catalogAlarms(this, env);
    this.outputs = catalogOutputs(this, env);
    // a.2 / failure-lessons.md #53: Project=catalog-api on every taggable resource; the project name is Application.
    tagStack(this, env, { Project: 'catalog-api' });
  }

  /**
   * a.4: internet -> ALB -> ECS -> database, each group admitting only the one before it. The load balancer's
   * inbound rule is CloudFront's prefix list (admitCloudFrontOnly), not a.4's 0.0.0.0/0.
   */
  private securityGroups(vpc: ec2.IVpc, env: ResolvedEnvironment, n: CatalogApiNames, dbPort: number): [ec2.SecurityGroup, ec2.SecurityGroup, ec2.SecurityGroup] {
    const group = (id: string, name: string, description: string, allowAllOutbound: boolean) => {
      const sg = new ec2.SecurityGroup(this, id, { vpc, description, allowAllOutbound });
      Tags.of(sg).add('Name', name);
      return sg;
    };
    const alb = group('AlbSecurityGroup', n.albSecurityGroup, 'Catalog API load balancer', true);
    const service = group('EcsSecurityGroup', n.ecsSecurityGroup, 'Catalog API tasks', true);
    service.addIngressRule(alb, ec2.Port.tcp(env.container.port), 'API port from ALB');
    // The spec lets the database send anywhere; it answers its clients only, so it gets no outbound rule.
    const database = group('DbSecurityGroup', n.dbSecurityGroup, 'Catalog API database', false);
    const engine = env.database.engine === 'aurora-mysql' ? 'MySQL' : 'PostgreSQL';
    database.addIngressRule(service, ec2.Port.tcp(dbPort), `${engine} from ECS`);
    return [alb, service, database];
  }
}
