import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network, type NetworkProps } from '../../src/infra/constructs/network.js';
import { bareStack, getAtt } from './fixtures.js';

const AZS = ['us-east-1a', 'us-east-1b'];

function synth(props: Partial<NetworkProps> = {}): { template: Template; network: Network } {
  const stack = bareStack();
  const network = new Network(stack, 'Network', { availabilityZones: AZS, databasePort: 5432, ...props });
  return { template: Template.fromStack(stack), network };
}

/** The logical ID of the security group with this description. */
function sgId(template: Template, description: string): string {
  const found = Object.keys(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: description } }));
  expect(found).toHaveLength(1);
  return found[0];
}

describe('Network (spec defaults, PostgreSQL)', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN the defaults of tapstack.md §2 and a PostgreSQL database
    ({ template } = synth());
  });

  it('creates a 10.0.0.0/16 VPC in the given zones with 2 NAT gateways (§2.1)', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(AZS));
  });

  it.each([
    ['Public', 'Public'],
    ['Private', 'Private'],
    ['Isolated', 'Isolated'],
  ])('has a %s tier of /24 subnets in both zones', (tier, type) => {
    const subnets = template.findResources('AWS::EC2::Subnet', {
      Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: tier }, { Key: 'aws-cdk:subnet-type', Value: type }]) },
    });
    expect(Object.values(subnets).map((s) => s.Properties.CidrBlock.endsWith('/24'))).toEqual([true, true]);
  });

  it('has the four security groups of §2.2 and no others', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroup', 4);
    for (const d of [
      'Security group for Application Load Balancer',
      'Security group for ECS tasks',
      'Security group for RDS database',
      'Security group for Lambda functions',
    ]) {
      sgId(template, d);
    }
  });

  it('gives the load balancer group no inbound rule of its own: the stack admits CloudFront only (origin-protection.ts)', () => {
    const alb = template.toJSON().Resources[sgId(template, 'Security group for Application Load Balancer')];
    expect(alb.Properties.SecurityGroupIngress).toBeUndefined();
    expect(Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => r.Properties.CidrIp === '0.0.0.0/0')).toEqual([]);
  });

  it('admits the application port to ECS from the load balancer only', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      Description: 'Allow traffic from ALB',
      IpProtocol: 'tcp',
      FromPort: 3000,
      ToPort: 3000,
      GroupId: getAtt(sgId(template, 'Security group for ECS tasks'), 'GroupId'),
      SourceSecurityGroupId: getAtt(sgId(template, 'Security group for Application Load Balancer'), 'GroupId'),
    });
  });

  it('admits 5432 to the database from ECS and Lambda, and lets nothing out of it', () => {
    const db = sgId(template, 'Security group for RDS database');
    for (const [from, description] of [
      ['Security group for ECS tasks', 'Allow PostgreSQL traffic from ECS'],
      ['Security group for Lambda functions', 'Allow PostgreSQL traffic from Lambda'],
    ]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        Description: description,
        FromPort: 5432,
        ToPort: 5432,
        GroupId: getAtt(db, 'GroupId'),
        SourceSecurityGroupId: getAtt(sgId(template, from), 'GroupId'),
      });
    }
    // allowAllOutbound: false renders CDK's "disallow all" placeholder egress rule
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Security group for RDS database',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
  });

  it('does not restrict the default security group (no custom-resource Lambda) and has no flow logs without a bucket', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
  });
});

describe('Network variants', () => {
  it('uses 3306 and MySQL in the database rules for a MySQL engine', () => {
    // GIVEN / WHEN
    const { template } = synth({ databasePort: 3306, databaseEngineLabel: 'MySQL' });
    // THEN
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    const dbRules = rules.filter((r) => r.Description.includes('MySQL'));
    expect(dbRules.map((r) => [r.FromPort, r.ToPort])).toEqual([
      [3306, 3306],
      [3306, 3306],
    ]);
    expect(JSON.stringify(rules)).not.toContain('5432');
  });

  it('follows the config: one NAT gateway, /26 subnets, another CIDR, port 8080', () => {
    const { template } = synth({ natGateways: 1, subnetMask: 26, cidr: '10.20.0.0/16', appPort: 8080 });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.20.0.0/26' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { Description: 'Allow traffic from ALB', FromPort: 8080 });
  });

  it('sends VPC flow logs to the given bucket', () => {
    // GIVEN a logs bucket
    const stack = bareStack();
    const bucket = new s3.Bucket(stack, 'Logs');
    // WHEN
    new Network(stack, 'Network', { availabilityZones: AZS, databasePort: 5432, flowLogsBucket: bucket });
    // THEN
    const template = Template.fromStack(stack);
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      LogDestinationType: 's3',
      TrafficType: 'ALL',
      LogDestination: { 'Fn::Join': ['', [getAtt(bucketId, 'Arn'), '/vpc-flow-logs/']] },
    });
  });

  it('refuses fewer than two availability zones', () => {
    expect(() => new Network(bareStack(['us-east-1a']), 'Network', { availabilityZones: ['us-east-1a'], databasePort: 5432 })).toThrow(
      /at least 2 availability zones/,
    );
  });
});
