/**
 * presets.md a.11: a CloudFront distribution in front of an Application Load Balancer, for a dynamic API: the
 * managed CachingDisabled policy (never legacy forwarded values, failure-lessons.md #9), every HTTP method,
 * viewers redirected to HTTPS.
 */
import cloudfront = require('aws-cdk-lib/aws-cloudfront');
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { suppressNag } from '../nag-suppressions.js';
import { viewerDomain, type DistributionDomain } from './edge.js';

/** AWS-managed CachingDisabled (TTL 0/0/0, empty cache key), the policy the catalog spec names. */
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

export interface AlbDistributionProps {
  /** The load balancer as an origin, with the secret header CloudFront adds (origin-protection.ts loadBalancerOrigin). */
  readonly origin: cloudfront.IOrigin;
  /**
   * CloudFront reaches the origin over HTTPS (the load balancer has a certificate).
   *
   * @default false
   */
  readonly httpsOrigin?: boolean;
  /** @default 'CloudFront distribution in front of the load balancer' */
  readonly comment?: string;
  /** @default cloudfront.PriceClass.PRICE_CLASS_100 */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * Standard (access) logs, under `cloudfront/`. The bucket must allow ACLs (BucketOwnerPreferred,
   * failure-lessons.md #20).
   *
   * @default - no access logs
   */
  readonly logBucket?: s3.IBucket;
  /** @default - CloudFront's *.cloudfront.net name and certificate */
  readonly domain?: DistributionDomain;
  /** ARN of a CLOUDFRONT-scope web ACL. @default - none */
  readonly webAclArn?: string;
}

export class AlbDistribution extends Construct {
  public readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: AlbDistributionProps) {
    super(scope, id);
    const origin = props.origin;
    const cachingDisabled = cloudfront.CachePolicy.fromCachePolicyId(this, 'CachingDisabled', CACHING_DISABLED_POLICY_ID);

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment ?? 'CloudFront distribution in front of the load balancer',
      enabled: true,
      enableIpv6: true,
      ...viewerDomain(props.domain),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      ...(props.logBucket ? { enableLogging: true, logBucket: props.logBucket, logFilePrefix: 'cloudfront/' } : {}),
      defaultBehavior: {
        origin,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        compress: true,
        cachePolicy: cachingDisabled,
        // Not in the spec (a.11 sets none): with CachingDisabled and no origin request policy, CloudFront forwards
        // no query string, cookie or viewer header, so `GET /products?category=shoes` would reach the API as
        // `/products`. AllViewerExceptHostHeader is AWS's pairing for CachingDisabled in front of a load balancer.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    suppressNag(this.distribution, [
      ...(props.domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'The distribution has no custom domain (config domain:), so it serves the default *.cloudfront.net certificate, whose TLS policy CloudFront does not let you choose.',
            },
          ]),
      ...(props.httpsOrigin
        ? []
        : [
            {
              id: 'AwsSolutions-CFR5',
              reason:
                'Without domain.hostedZoneId the load balancer has no certificate (presets.md a.8/a.11: HTTP 80), so CloudFront reaches it over HTTP, admitted by its prefix list and the secret header only; viewers still reach CloudFront over HTTPS only.',
            },
          ]),
    ]);
  }
}
