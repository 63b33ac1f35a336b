/**
 * presets.md b.4: a bastion reached only through SSM Session Manager: no key pair, no inbound rule, no public
 * address. Operators and CI forward a local port to the database through it
 * (AWS-StartPortForwardingSessionToRemoteHost).
 */
import cdk = require('aws-cdk-lib');
import Tags = cdk.Tags;
import ec2 = require('aws-cdk-lib/aws-ec2');
import iam = require('aws-cdk-lib/aws-iam');
import { Construct } from 'constructs';
import { suppressNag } from '../nag-suppressions.js';

export interface BastionProps {
  readonly vpc: ec2.IVpc;
  /** Private subnets with a route to the SSM endpoints (NAT or VPC endpoints). */
  readonly subnets: ec2.SubnetSelection;
  /** Its group: no inbound rules; outbound HTTPS for SSM and the database port only. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default t4g.micro */
  readonly instanceType?: ec2.InstanceType;
  /** `Name` tag. */
  readonly name: string;
}

/** Graviton families (t4g, m7g, c6gn ...) run arm64 images. */
export const isArmInstanceType = (instanceType: string): boolean => /^[a-z]+\d+g[a-z]*\./.test(instanceType);

export class Bastion extends Construct {
  public readonly instance: ec2.Instance;
  /** b.5: the SSM bastion role, Session Manager core permissions plus the CloudWatch agent's. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? new ec2.InstanceType('t4g.micro');
    this.role = new iam.Role(this, 'Role', {
      description: 'SSM-managed bastion: Session Manager and the CloudWatch agent, nothing else',
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        // b.5 "CloudWatch agent permissions": the host's OS metrics and logs next to RDS enhanced monitoring.
        iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
      ],
    });

    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroup: props.securityGroup,
      instanceType,
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType: isArmInstanceType(instanceType.toString()) ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64,
      }),
      role: this.role,
      associatePublicIpAddress: false,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(10, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });
    Tags.of(this.instance).add('Name', props.name);

    suppressNag(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager (presets.md b.4), CloudWatchAgentServerPolicy the one for the CloudWatch agent (b.5).',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore',
            'Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy',
          ],
        },
      ],
      { applyToChildren: true },
    );
    suppressNag(this.instance, [
      {
        id: 'AwsSolutions-EC29',
        reason:
          'The bastion holds no state and is rebuilt by a redeploy; termination protection would only make the stack undeletable (failure-lessons.md #25).',
      },
    ]);
  }
}
