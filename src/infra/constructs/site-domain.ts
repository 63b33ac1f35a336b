/**
 * The environment's own domain (config `domain:`, planned by src/config/edge.ts): the certificates, DNS-validated
 * in the hosted zone, and the alias records that point the names at CloudFront, the load balancer and API Gateway.
 *
 * Three names, three certificates, because three services check them in two regions:
 * - `<name>`: CloudFront's certificate, in us-east-1 whatever the environment's region (CloudFront reads no
 *   other). Created here only when the stack is in us-east-1; elsewhere it is an input (domain.certificateArn):
 *   tapctl keeps one stack per environment, in its region (README, "Domain, HTTPS and the origin").
 * - `origin.<name>`: the load balancer's, in the environment's region. CloudFront connects to the origin by this
 *   name and checks the certificate against it; the load balancer's own *.elb.amazonaws.com name can have none.
 * - `api.<name>` (ecommerce, domain.api): the REST API's regional custom domain.
 * Separate certificates, not one with every name: a viewer's certificate then never lists the origin's name, and
 * turning domain.api on or off replaces no certificate in use.
 */
import cdk = require('aws-cdk-lib');
import Stack = cdk.Stack;
import acm = require('aws-cdk-lib/aws-certificatemanager');
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import route53 = require('aws-cdk-lib/aws-route53');
import targets = require('aws-cdk-lib/aws-route53-targets');
import { Construct } from 'constructs';
import { CLOUDFRONT_REGION, type DomainPlan } from '../../config/edge.js';
import type { StackOutput } from './outputs.js';

export interface SiteDomainProps {
  /** The plan of src/config/edge.ts (`domainOf(env)`): names, zone, where CloudFront's certificate comes from. */
  readonly plan: DomainPlan;
}

/** What a stack points at its names (`SiteDomain.addRecords`). */
export interface SiteDomainTargets {
  readonly distribution: cloudfront.IDistribution;
  /**
   * Whether the distribution answers IPv6 too (an AAAA record then goes beside the A record).
   *
   * @default true
   */
  readonly distributionIpv6?: boolean;
  readonly loadBalancer: elbv2.ILoadBalancerV2;
  /** The API's custom domain (api.<name>). @default - none */
  readonly apiDomain?: apigw.IDomainName;
}

export class SiteDomain extends Construct {
  public readonly name: string;
  /** The hosted zone the records and certificate validations go to; none when the user owns DNS. */
  public readonly zone?: route53.IHostedZone;
  /** CloudFront's certificate for `name` (us-east-1). */
  public readonly cloudFrontCertificate: acm.ICertificate;
  /** `origin.<name>`: the load balancer's name for CloudFront, and its certificate (with a zone only). */
  public readonly originName?: string;
  public readonly originCertificate?: acm.ICertificate;
  /** `api.<name>` and its certificate (ecommerce with domain.api). */
  public readonly apiName?: string;
  public readonly apiCertificate?: acm.ICertificate;

  constructor(scope: Construct, id: string, props: SiteDomainProps) {
    super(scope, id);
    const { plan } = props;
    this.name = plan.name;
    const source = plan.cloudFrontCertificate;
    if (!source) throw new Error(`SiteDomain: ${plan.name} has no certificate for CloudFront (rule DN3)`);
    if (plan.zone) {
      this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: plan.zone.id, zoneName: plan.zone.name });
    }
    const validated = (certificateId: string, domainName: string): acm.Certificate => {
      if (!this.zone) throw new Error(`SiteDomain: a certificate for ${domainName} needs the hosted zone to validate it in`);
      return new acm.Certificate(this, certificateId, { domainName, validation: acm.CertificateValidation.fromDns(this.zone) });
    };

    if (source.kind === 'import') {
      this.cloudFrontCertificate = acm.Certificate.fromCertificateArn(this, 'CloudFrontCertificate', source.arn);
    } else {
      // A certificate is created in its stack's region, and CloudFront reads us-east-1 only.
      const region = Stack.of(this).region;
      if (region !== CLOUDFRONT_REGION) throw new Error(`SiteDomain: CloudFront's certificate must be created in ${CLOUDFRONT_REGION}, not in ${region} (rule DN3)`);
      this.cloudFrontCertificate = validated('CloudFrontCertificate', plan.name);
    }
    if (plan.originName) {
      this.originName = plan.originName;
      this.originCertificate = validated('OriginCertificate', plan.originName);
    }
    if (plan.apiName) {
      this.apiName = plan.apiName;
      this.apiCertificate = validated('ApiCertificate', plan.apiName);
    }
  }

  /**
   * Alias records in the zone: `<name>` (A and AAAA) to CloudFront, `origin.<name>` to the load balancer,
   * `api.<name>` to the API's custom domain. Nothing without a zone: the user points the name at CloudFront.
   */
  public addRecords(to: SiteDomainTargets): void {
    const zone = this.zone;
    if (!zone) return;
    const cloudFront = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(to.distribution));
    new route53.ARecord(this, 'SiteA', { zone, recordName: this.name, target: cloudFront });
    if (to.distributionIpv6 ?? true) new route53.AaaaRecord(this, 'SiteAAAA', { zone, recordName: this.name, target: cloudFront });
    if (this.originName) {
      new route53.ARecord(this, 'OriginA', { zone, recordName: this.originName, target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(to.loadBalancer)) });
    }
    if (this.apiName && to.apiDomain) {
      new route53.ARecord(this, 'ApiA', { zone, recordName: this.apiName, target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(to.apiDomain)) });
    }
  }
}

/**
 * The domain's stack outputs: its URLs, and the ARN of each certificate, which `tapctl status` asks ACM about
 * (DescribeCertificate) without listing the stack's resources.
 */
export function domainOutputs(domain: SiteDomain, api: boolean): StackOutput[] {
  return [
    { key: 'DomainURL', value: `https://${domain.name}`, description: 'The site on its own domain', exportSuffix: 'domain-url' },
    ...(api && domain.apiName ? [{ key: 'ApiDomainURL', value: `https://${domain.apiName}`, description: 'The REST API on its own domain', exportSuffix: 'api-domain-url' }] : []),
    { key: 'CloudFrontCertificateArn', value: domain.cloudFrontCertificate.certificateArn, description: `CloudFront's certificate for ${domain.name} (us-east-1)` },
    ...(domain.originCertificate ? [{ key: 'OriginCertificateArn', value: domain.originCertificate.certificateArn, description: `The load balancer's certificate for ${domain.originName}` }] : []),
    ...(api && domain.apiCertificate ? [{ key: 'ApiCertificateArn', value: domain.apiCertificate.certificateArn, description: `The API's certificate for ${domain.apiName}` }] : []),
  ];
}
