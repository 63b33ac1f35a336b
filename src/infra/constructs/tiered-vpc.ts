/**
 * A three-tier VPC for the catalog-api and rds-postgres presets: public subnets, application subnets with a way
 * out (NAT gateways, or VPC endpoints only), and isolated data subnets. Security groups are not part of it: each
 * preset's tiers differ (presets.md a.4, b.3), so each stack creates its own.
 */
import cdk = require('aws-cdk-lib');
import Tags = cdk.Tags;
import ec2 = require('aws-cdk-lib/aws-ec2');
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Subnet group names; select subnets by them (two isolated tiers exist when egress is `endpoints`). */
export const TIERS = { public: 'Public', app: 'App', data: 'Data' } as const;

/**
 * How the application tier reaches AWS APIs (ECR, CloudWatch Logs, Secrets Manager, SSM):
 * `nat`: NAT gateways in the public subnets; `endpoints`: no NAT gateway, interface endpoints for `endpointServices`
 * and an S3 gateway endpoint (ECR keeps image layers in S3).
 */
export type Egress = 'nat' | 'endpoints';

/** `Name` tags, as the catalog spec names its network (a.3). */
export interface TieredVpcNames {
  readonly vpc: string;
  readonly internetGateway?: string;
  readonly publicSubnets?: readonly string[];
  readonly appSubnets?: readonly string[];
  readonly dataSubnets?: readonly string[];
  readonly publicRouteTable?: string;
}

export interface TieredVpcProps {
  /** @default '10.0.0.0/16' */
  readonly cidr?: string;
  /** Zones to span; given explicitly so that synth never looks them up. At least 2. */
  readonly availabilityZones: readonly string[];
  /** Prefix length of every subnet. @default 24 */
  readonly subnetMask?: number;
  /** @default 'nat' */
  readonly egress?: Egress;
  /** NAT gateways when egress is `nat` (fewer than zones: zones share them). @default 1 */
  readonly natGateways?: number;
  /**
   * Interface endpoints in the application subnets when egress is `endpoints`.
   *
   * @default - ECR API, ECR Docker, CloudWatch Logs and Secrets Manager: what a Fargate task with a private image, awslogs and an injected secret needs
   */
  readonly endpointServices?: readonly ec2.InterfaceVpcEndpointAwsService[];
  /** Bucket for VPC flow logs (prefix `vpc-flow-logs/`), SSE-S3. @default - no flow logs */
  readonly flowLogsBucket?: s3.IBucket;
  /** @default - CDK's construct-path names */
  readonly names?: TieredVpcNames;
}

export class TieredVpc extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly publicSubnets: ec2.SubnetSelection = { subnetGroupName: TIERS.public };
  /** Application tier: ECS tasks, the bastion, the rotation function. */
  public readonly appSubnets: ec2.SubnetSelection = { subnetGroupName: TIERS.app };
  /** Data tier: databases; no route out. */
  public readonly dataSubnets: ec2.SubnetSelection = { subnetGroupName: TIERS.data };
  public readonly egress: Egress;

  constructor(scope: Construct, id: string, props: TieredVpcProps) {
    super(scope, id);
    const mask = props.subnetMask ?? 24;
    this.egress = props.egress ?? 'nat';
    const nat = this.egress === 'nat';
    if (props.availabilityZones.length < 2) {
      throw new Error(`TieredVpc: a load balancer or a DB subnet group needs at least 2 availability zones, got ${props.availabilityZones.length}`);
    }

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? '10.0.0.0/16'),
      availabilityZones: [...props.availabilityZones],
      natGateways: nat ? (props.natGateways ?? 1) : 0,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      subnetConfiguration: [
        { name: TIERS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: mask, mapPublicIpOnLaunch: true },
        { name: TIERS.app, subnetType: nat ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: mask },
        { name: TIERS.data, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: mask },
      ],
      // Every resource has its own security group; restricting the unused default one needs a custom resource.
      restrictDefaultSecurityGroup: false,
    });

    if (!nat) {
      this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [this.appSubnets] });
      const services = props.endpointServices ?? [
        ec2.InterfaceVpcEndpointAwsService.ECR,
        ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
        ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      ];
      for (const service of services) {
        const endpointId = service.shortName.replace(/[^A-Za-z0-9]/g, '');
        this.vpc.addInterfaceEndpoint(`${endpointId}Endpoint`, { service, subnets: this.appSubnets, privateDnsEnabled: true });
      }
    }
    if (props.flowLogsBucket) {
      this.vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toS3(props.flowLogsBucket, 'vpc-flow-logs/'),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
    }
    if (props.names) this.nameResources(props.names);
  }

  private nameResources(names: TieredVpcNames): void {
    Tags.of(this.vpc).add('Name', names.vpc);
    const igw = this.vpc.node.tryFindChild('IGW');
    if (igw && names.internetGateway) Tags.of(igw).add('Name', names.internetGateway);
    const tag = (subnets: readonly ec2.ISubnet[], tier?: readonly string[]) =>
      subnets.forEach((subnet, i) => tier?.[i] && Tags.of(subnet).add('Name', tier[i]));
    tag(this.vpc.selectSubnets(this.publicSubnets).subnets, names.publicSubnets);
    tag(this.vpc.selectSubnets(this.appSubnets).subnets, names.appSubnets);
    tag(this.vpc.selectSubnets(this.dataSubnets).subnets, names.dataSubnets);
    if (names.publicRouteTable) {
      for (const subnet of this.vpc.selectSubnets(this.publicSubnets).subnets) {
        const table = subnet.node.tryFindChild('RouteTable');
        if (table) Tags.of(table).add('Name', names.publicRouteTable);
      }
    }
  }
}
