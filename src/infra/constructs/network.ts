/**
 * tapstack.md §2: the VPC (three tiers) and the four security groups of the platform.
 */
import ec2 = require('aws-cdk-lib/aws-ec2');
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Names of the subnet tiers; the construct IDs of the subnets derive from them. */
export const SUBNET_TIERS = { public: 'Public', private: 'Private', isolated: 'Isolated' } as const;

export interface NetworkProps {
  /**
   * IPv4 CIDR block of the VPC.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Availability zones the VPC spans. Given explicitly so that synth never looks them up in the account; the
   * stack's availability-zone context must contain them.
   */
  readonly availabilityZones: readonly string[];
  /**
   * NAT gateways; with fewer gateways than zones, private subnets share them.
   *
   * @default 2
   */
  readonly natGateways?: number;
  /**
   * Prefix length of every subnet of the three tiers.
   *
   * @default 24
   */
  readonly subnetMask?: number;
  /**
   * Port the application containers listen on: the ECS security group admits it from the ALB security group.
   *
   * @default 3000
   */
  readonly appPort?: number;
  /** Database port (5432 PostgreSQL, 3306 MySQL): the database security group admits it from ECS and Lambda. */
  readonly databasePort: number;
  /**
   * Engine name used in the database rule descriptions ("Allow PostgreSQL traffic from ECS").
   *
   * @default 'PostgreSQL'
   */
  readonly databaseEngineLabel?: string;
  /**
   * Bucket that receives the VPC flow logs (prefix `vpc-flow-logs/`). It must use SSE-S3 encryption.
   *
   * @default - no flow logs
   */
  readonly flowLogsBucket?: s3.IBucket;
}

/** The VPC and the security groups every other construct places its resources in. */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  /** Internet-facing load balancer: no inbound rule here; the stack admits CloudFront only (origin-protection.ts). */
  public readonly albSecurityGroup: ec2.SecurityGroup;
  /** Fargate tasks: the application port from the load balancer. */
  public readonly ecsSecurityGroup: ec2.SecurityGroup;
  /** Aurora: the database port from ECS and Lambda; no outbound traffic. */
  public readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** The processor function: outbound only. */
  public readonly lambdaSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const mask = props.subnetMask ?? 24;
    const appPort = props.appPort ?? 3000;
    const engine = props.databaseEngineLabel ?? 'PostgreSQL';
    if (props.availabilityZones.length < 2) {
      throw new Error(`Network: an ALB and Aurora need at least 2 availability zones, got ${props.availabilityZones.length}`);
    }

    this.vpc = new ec2.Vpc(this, 'EcommerceVPC', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? '10.0.0.0/16'),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways ?? 2,
      subnetConfiguration: [
        { name: SUBNET_TIERS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: mask },
        { name: SUBNET_TIERS.private, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: mask },
        { name: SUBNET_TIERS.isolated, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: mask },
      ],
      // Every resource here has its own security group, so the default group stays unused; restricting it needs
      // a custom-resource Lambda (see feature-flags.ts).
      restrictDefaultSecurityGroup: false,
    });
    if (props.flowLogsBucket) {
      this.vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toS3(props.flowLogsBucket, 'vpc-flow-logs/'),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
    }

    this.albSecurityGroup = new ec2.SecurityGroup(this, 'ALBSecurityGroup', {
      vpc: this.vpc,
      description: 'Security group for Application Load Balancer',
      allowAllOutbound: true,
    });
    // tapstack.md §2.2 opens 80 and 443 to 0.0.0.0/0. The load balancer answers CloudFront only: the stack adds
    // the one rule it needs, from CloudFront's origin-facing prefix list (origin-protection.ts).

    this.ecsSecurityGroup = new ec2.SecurityGroup(this, 'ECSSecurityGroup', {
      vpc: this.vpc,
      description: 'Security group for ECS tasks',
      allowAllOutbound: true,
    });
    this.ecsSecurityGroup.addIngressRule(this.albSecurityGroup, ec2.Port.tcp(appPort), 'Allow traffic from ALB');

    this.lambdaSecurityGroup = new ec2.SecurityGroup(this, 'LambdaSecurityGroup', {
      vpc: this.vpc,
      description: 'Security group for Lambda functions',
      allowAllOutbound: true,
    });

    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'RDSSecurityGroup', {
      vpc: this.vpc,
      description: 'Security group for RDS database',
      allowAllOutbound: false,
    });
    const dbPort = ec2.Port.tcp(props.databasePort);
    this.databaseSecurityGroup.addIngressRule(this.ecsSecurityGroup, dbPort, `Allow ${engine} traffic from ECS`);
    this.databaseSecurityGroup.addIngressRule(this.lambdaSecurityGroup, dbPort, `Allow ${engine} traffic from Lambda`);
  }
}
