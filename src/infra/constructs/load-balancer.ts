/**
 * tapstack.md §6 (presets.md a.8): the Application Load Balancer in front of a Fargate service, its target group
 * and its listeners. With an origin header check (./origin-protection.ts) the listener serves only requests
 * that carry one of its values, and answers 403 to anything else; with a certificate it listens on HTTPS 443 and
 * port 80 only redirects there.
 *
 * The request path is one listener rule (`trafficRule`, priority 10) that forwards to the target group, not the
 * listener's default action, so that a deployment strategy can shift that rule's weights between target groups.
 *
 * Blue-green, canary and linear deployments (`alternate`): a second target group, and the rule forwards to both
 * with weights. That rule is ECS's production listener rule: during a deployment ECS registers the new tasks in
 * the target group that carries no traffic, moves the rule's weights to it step by step, and leaves them there
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html). So after a
 * release the live weights are ECS's, not the template's. CloudFormation, whenever it updates the rule for any
 * reason (a rotated origin header, a new certificate's listener), sends the whole rule, weights included: had the
 * template kept its first weights (100 / 0), that update would send all traffic back to the target group ECS
 * just emptied (aws/aws-cdk#36649). The template therefore never states weights of its own: deploy reads the live
 * rule first and the template carries those (`alternate.weights`, deploy/traffic-checks.ts), so an update
 * re-sends what ECS set. Only a stack that has never had a deployment gets 100 / 0.
 *
 * No test listener and no test rule: ECS's test traffic would need either a second port open to CloudFront
 * (counted by the security group quota rule OR1), or a second rule on this listener matching a test header. That
 * rule would carry the path patterns, both origin header values and the test header: five condition values, the
 * load balancer's limit per rule (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html),
 * with nothing left for the next origin-header rotation; and CloudFront forwards every viewer header
 * (ALL_VIEWER_EXCEPT_HOST_HEADER), so anyone who sends that header would reach the new release before its canary
 * share does. Without lifecycle hooks nothing would test it in the TEST_TRAFFIC_SHIFT stage anyway: the canary
 * share of real traffic, watched by the alarms, is the test. Every rule that forwards carries the origin header
 * condition, so neither target group can be reached around it.
 *
 * Not a Construct of its own: it builds its resources in the scope it is given (the service's), so that their
 * construct paths, and with them their logical IDs, stay those of the stacks already deployed. A new level in the
 * path would rename the load balancer's logical ID, and CloudFormation cannot replace a resource that has a
 * physical name (`names.loadBalancer`): every deployed environment would fail to update.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import ec2 = require('aws-cdk-lib/aws-ec2');
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import ecs = require('aws-cdk-lib/aws-ecs');
import elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { CONTAINER_NAME } from '../image-placeholder.js';
import type { OriginHeaderCheck } from './origin-protection.js';

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
  /**
   * Serve only requests that carry this header with one of these values (CloudFront adds it); answer 403 to the
   * rest.
   *
   * @default - no check: every request that reaches the listener is served
   */
  readonly originHeader?: OriginHeaderCheck;
  /**
   * Certificate of the name CloudFront reaches the load balancer by (origin.<domain>): an HTTPS listener on 443
   * serves, and HTTP 80 redirects to it.
   *
   * @default - HTTP 80 only
   */
  readonly certificate?: acm.ICertificate;
  /**
   * The second target group of ECS's blue-green, canary and linear deployments, and the weights of the rule that
   * forwards to both (see the file comment).
   *
   * @default - one target group (rolling deployments)
   */
  readonly alternate?: AlternateTargetOptions;
}

/** Weights of the production rule's two target groups (0-999 each, as the load balancer keeps them). */
export interface TrafficWeights {
  readonly primary: number;
  readonly alternate: number;
}

/** The rule's first weights: everything to the target group the service was created with. */
export const INITIAL_WEIGHTS: TrafficWeights = { primary: 100, alternate: 0 };

export interface AlternateTargetOptions {
  /** Physical name of the second target group (at most 32 characters). */
  readonly targetGroupName: string;
  /**
   * The production rule's weights as ECS last left them, read from the live rule by deploy: the template carries
   * them so that CloudFormation never moves traffic ECS moved.
   *
   * @default INITIAL_WEIGHTS (a stack never deployed with this strategy)
   */
  readonly weights?: TrafficWeights;
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

/** An internet-facing ALB, one target group of the service's tasks, the listener that serves and its rule. */
export class ServiceLoadBalancer {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that serves: HTTPS 443 with a certificate, HTTP 80 otherwise. */
  public readonly listener: elbv2.ApplicationListener;
  /** HTTP 80, redirecting to HTTPS (only with a certificate). */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** The target group the service is registered with (LoadBalancers[0].TargetGroupArn). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The second target group of a blue-green, canary or linear deployment. */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * The rule that forwards CloudFront's requests to the target group(s): ECS's production listener rule with an
   * alternate target group. None when every request is served by the default action (no header, all traffic).
   */
  public readonly trafficRule?: elbv2.ApplicationListenerRule;

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

    // Both target groups alike: ECS registers each release's tasks in whichever carries no traffic.
    const targetGroup = (id: string, name: string) =>
      new elbv2.ApplicationTargetGroup(scope, id, {
        targetGroupName: name,
        vpc: props.vpc,
        port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        healthCheck: {
          path: healthCheckPath,
          healthyHttpCodes: '200',
          ...TARGET_GROUP_HEALTH_CHECK,
          unhealthyThresholdCount: props.unhealthyThresholdCount ?? TARGET_GROUP_HEALTH_CHECK.unhealthyThresholdCount,
        },
        deregistrationDelay: DEREGISTRATION_DELAY,
      });
    this.targetGroup = targetGroup('ECSTargetGroup', props.names.targetGroup);
    const alternate = props.alternate;
    if (alternate) this.alternateTargetGroup = targetGroup('ECSAlternateTargetGroup', alternate.targetGroupName);

    const header = props.originHeader;
    // With two target groups, traffic reaches the service only through the weighted rule ECS manages.
    const forwardByDefault = props.forwardAllTraffic && !header && !alternate;
    // What the listener answers when no rule matches: without the header check tapstack.md §6.3's 404 (or, for a
    // preset that sends everything to the service, the service); with it, 403 to whatever did not come from
    // this stack's CloudFront distribution.
    const defaultAction = header
      ? elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' })
      : forwardByDefault
        ? elbv2.ListenerAction.forward([this.targetGroup])
        : elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' });
    // The security group's rules are the stack's (only CloudFront's prefix list, ./origin-protection.ts).
    const open = false;
    if (props.certificate) {
      this.listener = this.loadBalancer.addListener('HTTPSListener', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(props.certificate)],
        // TLS 1.3 and 1.2 with forward secrecy: the policy AWS recommends for new HTTPS listeners.
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open,
        defaultAction,
      });
      this.redirectListener = this.loadBalancer.addListener('HTTPListener', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    } else {
      this.listener = this.loadBalancer.addListener('HTTPListener', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open, defaultAction });
    }

    const conditions = [
      ...(props.forwardAllTraffic ? (header || !alternate ? [] : [elbv2.ListenerCondition.pathPatterns(['/*'])]) : [elbv2.ListenerCondition.pathPatterns(['/api/*', healthCheckPath])]),
      ...(header ? [elbv2.ListenerCondition.httpHeader(header.name, [...header.values])] : []),
    ];
    if (conditions.length > 0) {
      const weights = alternate?.weights ?? INITIAL_WEIGHTS;
      // Same construct ID as listener.addTargetGroups('ECSTargets') gave it: the deployed rule is updated in place.
      this.trafficRule = new elbv2.ApplicationListenerRule(this.listener, 'ECSTargetsRule', {
        listener: this.listener,
        priority: 10,
        conditions,
        ...(this.alternateTargetGroup
          ? {
              // The live weights (see the file comment), never a value of the template's own.
              action: elbv2.ListenerAction.weightedForward([
                { targetGroup: this.targetGroup, weight: weights.primary },
                { targetGroup: this.alternateTargetGroup, weight: weights.alternate },
              ]),
            }
          : { targetGroups: [this.targetGroup] }),
      });
      // The header's values are dynamic references by name: the rule must come after the secrets.
      if (header) this.trafficRule.node.addDependency(header.dependable);
    }

    // The service's tasks go to the first target group; with an alternate, ECS moves them between both through
    // the production rule, with a role it assumes to change the load balancer's rule and targets.
    const rule = this.trafficRule;
    this.targetGroup.addTarget(
      props.service.loadBalancerTarget({
        containerName: CONTAINER_NAME,
        containerPort: port,
        ...(this.alternateTargetGroup && rule
          ? {
              alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
                alternateTargetGroup: this.alternateTargetGroup,
                productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rule),
              }),
            }
          : {}),
      }),
    );
  }
}
