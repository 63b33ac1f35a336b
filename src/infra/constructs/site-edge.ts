/**
 * The edge plan of src/config/edge.ts, built the same way by every stack with a distribution in front of a load
 * balancer (ecommerce, catalog-api): the origin secret, the domain, the web ACL, then, once the distribution and
 * the load balancer exist, the wiring between them (the security group's one rule, the rollout order, the
 * records).
 *
 * Not a Construct: its parts are the stack's own children (OriginSecret, Domain, WebAcl), as the stacks' tests
 * and the physical-name checker find them.
 */
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import type { EdgePlan } from '../../config/edge.js';
import type { DistributionDomain } from './edge.js';
import type { LoadBalancerOptions, ServiceLoadBalancer } from './load-balancer.js';
import { admitCloudFrontOnly, loadBalancerOrigin, orderHeaderRollout, OriginSecret } from './origin-protection.js';
import { SiteDomain } from './site-domain.js';
import { CloudFrontWebAcl } from './web-acl.js';

export interface SiteEdgeProps {
  /** `edgeOf(env)`. */
  readonly plan: EdgePlan;
  /** Physical names: the origin secrets' prefix and the web ACL's (from the naming module). */
  readonly names: { readonly originSecret: string; readonly webAcl: string };
}

/** What connects the distribution and the load balancer, once both exist (`SiteEdge.connect`). */
export interface SiteEdgeConnections {
  readonly distribution: cloudfront.Distribution;
  readonly loadBalancing: ServiceLoadBalancer;
  /** The load balancer's security group: CloudFront's prefix list becomes its only inbound rule. */
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The API's custom domain, for api.<name>'s record. @default - none */
  readonly apiDomain?: apigw.IDomainName;
}

export class SiteEdge {
  public readonly originSecret: OriginSecret;
  public readonly domain?: SiteDomain;
  /** The web ACL, when the stack creates it. */
  public readonly webAcl?: CloudFrontWebAcl;
  /** The web ACL the distribution carries: the stack's own or the one config names; none when off. */
  public readonly webAclArn?: string;

  constructor(
    scope: Construct,
    private readonly props: SiteEdgeProps,
  ) {
    const { plan, names } = props;
    this.originSecret = new OriginSecret(scope, 'OriginSecret', {
      namePrefix: names.originSecret,
      generation: plan.origin.secretGeneration,
      acceptedGenerations: plan.origin.acceptedGenerations,
    });
    if (plan.domain) this.domain = new SiteDomain(scope, 'Domain', { plan: plan.domain });
    const waf = plan.webAcl;
    if (waf.kind === 'create') this.webAcl = new CloudFrontWebAcl(scope, 'WebAcl', { name: names.webAcl, managedRules: waf.managedRules });
    const arn = this.webAcl?.arn ?? (waf.kind === 'import' ? waf.arn : undefined);
    if (arn) this.webAclArn = arn;
  }

  /** The distribution's own name and certificate, when there is a domain. */
  get distributionDomain(): DistributionDomain | undefined {
    return this.domain ? { names: [this.domain.name], certificate: this.domain.cloudFrontCertificate } : undefined;
  }

  /** What the load balancer takes from the edge: the header check, and the origin certificate with a zone. */
  get loadBalancerOptions(): Pick<LoadBalancerOptions, 'originHeader' | 'certificate'> {
    const certificate = this.domain?.originCertificate;
    return { originHeader: this.originSecret.headerCheck, ...(certificate ? { certificate } : {}) };
  }

  /** CloudFront reaches the load balancer over HTTPS (it has a certificate). */
  get httpsOrigin(): boolean {
    return this.props.plan.origin.protocol === 'https';
  }

  /** The load balancer as CloudFront's origin: by origin.<name> over HTTPS with a zone, with the secret header. */
  origin(loadBalancer: elbv2.IApplicationLoadBalancer, originId?: string): cloudfront.IOrigin {
    const originName = this.domain?.originName;
    return loadBalancerOrigin({
      loadBalancer,
      header: { name: this.originSecret.headerCheck.name, value: this.originSecret.currentValue },
      ...(originName ? { httpsDomainName: originName } : {}),
      ...(originId ? { originId } : {}),
    });
  }

  /** The security group's one rule, the order of a header rollout, and the domain's records. */
  connect(to: SiteEdgeConnections): void {
    admitCloudFrontOnly(to.loadBalancerSecurityGroup, this.props.plan.origin);
    // CloudFront reads the header's value by the secret's name: it must come after the secret.
    to.distribution.node.addDependency(this.originSecret);
    orderHeaderRollout(to.loadBalancing, to.distribution, this.props.plan.origin.secretGeneration);
    this.domain?.addRecords({
      distribution: to.distribution,
      loadBalancer: to.loadBalancing.loadBalancer,
      ...(to.apiDomain ? { apiDomain: to.apiDomain } : {}),
    });
  }
}
