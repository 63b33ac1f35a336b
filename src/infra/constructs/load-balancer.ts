/**
 * tapstack.md §6 (presets.md a.8): the Application Load Balancer in front of a Fargate service, its target group
 * and its listener.
 *
 * Not a Construct of its own: it builds its resources in the scope it is given (the service's), so that their
 * construct paths, and with them their logical IDs, stay those of the stacks already deployed. A new level in the
 * path would rename the load balancer's logical ID, and CloudFormation cannot replace a resource that has a
 * physical name (`names.loadBalancer`): every deployed environment would fail to update.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import ec2 = require('aws-cdk-lib/aws-ec2');
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { CONTAINER_NAME } from '../image-placeholder.js';

/** Target-group health-check timings of tapstack.md §6.2. The config has no keys for them. */
export const TARGET_GROUP_HEALTH_CHECK = {
  interval: Duration.seconds(30),
  timeout: Duration.seconds(5),
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 3,
} as const;
export const DEREGISTRATION_DELAY = Duration.seconds(30);

/** What a stack says about its service's load balancer. */
export interface LoadBalancerOptions {
  /** Physical names of the load balancer and its target group (each at most 32 characters). */
  readonly names: { readonly loadBalancer: string; readonly targetGroup: string };
  readonly securityGroup: ec2.ISecurityGroup;
  /** SSE-S3 bucket for the load balancer's access logs (prefix `alb`). */
  readonly accessLogsBucket: s3.IBucket;
  /**
   * Send every request to the service (the listener's default action). Otherwise only `/api/*` and the health
   * path reach it and anything else gets a 404 from the load balancer (tapstack.md §6.3).
   *
   * @default false
   */
  readonly forwardAllTraffic?: boolean;
  /**
   * Failed target-group checks before a target is unhealthy (presets.md a.8 has 2; tapstack.md §6.2 has 3).
   *
   * @default 3
   */
  readonly unhealthyThresholdCount?: number;
  /** Load balancer deletion protection. @default true */
  readonly deletionProtection?: boolean;
}

export interface ServiceLoadBalancerProps extends LoadBalancerOptions {
  readonly vpc: ec2.IVpc;
  /** The service the target group sends requests to (its `CONTAINER_NAME` container). */
  readonly service: ecs.FargateService;
  /** Container port. */
  readonly port: number;
  /** Path the target group probes; also routed to the service. */
  readonly healthCheckPath: string;
}

/** An internet-facing ALB, one target group of the service's tasks, one listener. */
export class ServiceLoadBalancer {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly listener: elbv2.ApplicationListener;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, props: ServiceLoadBalancerProps) {
    const { port, healthCheckPath } = props;
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'ALB', {
      loadBalancerName: props.names.loadBalancer,
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: props.securityGroup,
      deletionProtection: props.deletionProtection ?? true,
      // Not in the spec: drop headers that are not valid HTTP (request smuggling), the AWS-recommended setting.
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogsBucket, 'alb');

    this.targetGroup = new elbv2.ApplicationTargetGroup(scope, 'ECSTargetGroup', {
      targetGroupName: props.names.targetGroup,
      vpc: props.vpc,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [props.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: port })],
      healthCheck: {
        path: healthCheckPath,
        healthyHttpCodes: '200',
        ...TARGET_GROUP_HEALTH_CHECK,
        unhealthyThresholdCount: props.unhealthyThresholdCount ?? TARGET_GROUP_HEALTH_CHECK.unhealthyThresholdCount,
      },
      deregistrationDelay: DEREGISTRATION_DELAY,
    });

    this.listener = this.loadBalancer.addListener('HTTPListener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      // The security group's rules are the stack's (tapstack.md §2.2).
      open: false,
      defaultAction: props.forwardAllTraffic
        ? elbv2.ListenerAction.forward([this.targetGroup])
        : elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' }),
    });
    if (!props.forwardAllTraffic) {
      this.listener.addTargetGroups('ECSTargets', {
        priority: 10,
        conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*', healthCheckPath])],
        targetGroups: [this.targetGroup],
      });
    }
  }
}
