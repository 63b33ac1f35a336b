/**
 * tapstack.md §7: the static-assets bucket, the logs bucket and the CloudFront distribution in front of them.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import RemovalPolicy = cdk.RemovalPolicy;
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import cloudfront = require('aws-cdk-lib/aws-cloudfront');
import origins = require('aws-cdk-lib/aws-cloudfront-origins');
import s3 = require('aws-cdk-lib/aws-s3');
import { Construct } from 'constructs';
import { suppressNag } from '../nag-suppressions.js';

export interface EdgeProps {
  readonly staticBucketName: string;
  readonly logsBucketName: string;
  /**
   * Keep both buckets when the stack is deleted. Off, they are emptied and deleted (failure-lessons.md L1).
   *
   * @default true
   */
  readonly retainData?: boolean;
  /** @default cloudfront.PriceClass.PRICE_CLASS_100 */
  readonly priceClass?: cloudfront.PriceClass;
  /** Default TTL of the /static/js/* and /static/css/* cache policies. @default Duration.days(1) */
  readonly assetsDefaultTtl?: Duration;
  /** Maximum TTL of the /static/js/* and /static/css/* cache policies. @default Duration.days(365) */
  readonly assetsMaxTtl?: Duration;
  /** Static assets move to STANDARD_IA after this many days. @default 30 */
  readonly assetsInfrequentAccessDays?: number;
  /** Static assets move to Glacier Instant Retrieval after this many days. @default 90 */
  readonly assetsGlacierDays?: number;
  /** Noncurrent versions of static assets expire after this many days. @default 90 */
  readonly assetsNoncurrentExpireDays?: number;
  /** Objects of the logs bucket expire after this many days. @default 90 */
  readonly logsExpireDays?: number;
  /**
   * Serve the site under its own name, with its certificate (viewers: TLS 1.2 or later).
   *
   * @default - CloudFront's *.cloudfront.net name and certificate
   */
  readonly domain?: DistributionDomain;
  /**
   * ARN of a CLOUDFRONT-scope AWS WAF web ACL that inspects every request (constructs/web-acl.ts).
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;
}

/** The site's own name on the distribution (config `domain:`; constructs/site-domain.ts). */
export interface DistributionDomain {
  /** Alternate domain names (CNAMEs), e.g. `['shop.example.com']`. */
  readonly names: readonly string[];
  /** Their certificate, in us-east-1. */
  readonly certificate: acm.ICertificate;
}

/** Dynamic requests CloudFront sends to the load balancer (`Edge.routeToLoadBalancer`). */
export interface LoadBalancerRoute {
  /** The load balancer as CloudFront's origin, with its secret header (origin-protection.ts). */
  readonly origin: cloudfront.IOrigin;
  /** Path patterns that go to it, e.g. `/api/*`. */
  readonly paths: readonly string[];
  /** CloudFront reaches it over HTTPS (it has a certificate); over HTTP otherwise. */
  readonly https: boolean;
}

/** Static assets behind CloudFront, and the bucket every access log of the platform goes to. */
export class Edge extends Construct {
  public readonly staticBucket: s3.Bucket;
  /** SSE-S3 bucket for ALB, CloudFront, S3 server-access and VPC flow logs. */
  public readonly logsBucket: s3.Bucket;
  public readonly originAccessIdentity: cloudfront.OriginAccessIdentity;
  public readonly distribution: cloudfront.Distribution;
  public readonly jsCachePolicy: cloudfront.CachePolicy;
  public readonly cssCachePolicy: cloudfront.CachePolicy;
  /** `https://<distribution domain>`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const retain = props.retainData ?? true;
    const lifecycle = {
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retain,
    };

    // §13 flag: the spec encrypts this bucket with the master KMS key, but ALB access logs accept SSE-S3 only
    // (aws-cdk-lib refuses a KMS bucket at synth; field-notes.md), and S3 server-access logs the same. The logs
    // hold no secrets, so SSE-S3 loses nothing worth the KMS cost.
    this.logsBucket = new s3.Bucket(this, 'LogsBucket', {
      bucketName: props.logsBucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs (failure-lessons.md #20).
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(props.logsExpireDays ?? 90) }],
      ...lifecycle,
    });

    // The spec encrypts the static assets with the master KMS key, but CloudFront reads them through an origin
    // access identity, and an OAI cannot use SSE-KMS: every asset would answer 403. The assets are public
    // through the CDN anyway, so SSE-S3 keeps the OAI of §7.3 working. (The alternative, an origin access
    // control, supports SSE-KMS.)
    this.staticBucket = new s3.Bucket(this, 'StaticAssetsBucket', {
      bucketName: props.staticBucketName,
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3-access/static-assets/',
      lifecycleRules: [
        {
          id: 'TransitionToIA',
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(props.assetsInfrequentAccessDays ?? 30),
            },
            // The spec says GLACIER, but CloudFront cannot read objects in Glacier Flexible Retrieval (they need
            // a restore first: 403 InvalidObjectState). Glacier Instant Retrieval is read like STANDARD_IA.
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.assetsGlacierDays ?? 90),
            },
          ],
        },
        { id: 'DeleteOldVersions', noncurrentVersionExpiration: Duration.days(props.assetsNoncurrentExpireDays ?? 90) },
      ],
      ...lifecycle,
    });

    this.originAccessIdentity = new cloudfront.OriginAccessIdentity(this, 'OAI', {
      comment: 'OAI for e-commerce static assets',
    });
    const origin = origins.S3BucketOrigin.withOriginAccessIdentity(this.staticBucket, {
      originAccessIdentity: this.originAccessIdentity,
    });

    const assetsCachePolicy = (policyId: string): cloudfront.CachePolicy =>
      new cloudfront.CachePolicy(this, policyId, {
        minTtl: Duration.seconds(0),
        defaultTtl: props.assetsDefaultTtl ?? Duration.days(1),
        maxTtl: props.assetsMaxTtl ?? Duration.days(365),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
    this.jsCachePolicy = assetsCachePolicy('JSCachePolicy');
    this.cssCachePolicy = assetsCachePolicy('CSSCachePolicy');

    const redirect = cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS;
    this.distribution = new cloudfront.Distribution(this, 'CDN', {
      comment: 'E-commerce static assets distribution',
      enabled: true,
      ...viewerDomain(props.domain),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: redirect,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
        compress: true,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: {
        '/static/js/*': { origin, viewerProtocolPolicy: redirect, cachePolicy: this.jsCachePolicy },
        '/static/css/*': { origin, viewerProtocolPolicy: redirect, cachePolicy: this.cssCachePolicy },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    this.addNagSuppressions(props.domain !== undefined);
  }

  /**
   * Sends these paths to the load balancer, uncached, with every method, query string, cookie and header but
   * Host (AWS's pairing for a dynamic origin: CachingDisabled with AllViewerExceptHostHeader; Host stays the
   * origin's own name, which its certificate matches). The shop's API is then on the site's own name, and the
   * load balancer needs no other way in.
   */
  public routeToLoadBalancer(route: LoadBalancerRoute): void {
    for (const path of route.paths) {
      this.distribution.addBehavior(path, route.origin, {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        compress: true,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      });
    }
    if (!route.https) {
      suppressNag(this.distribution, [
        {
          id: 'AwsSolutions-CFR5',
          reason:
            'Without domain.hostedZoneId the load balancer has no certificate (CloudFront checks an origin certificate against the origin name, and none can be issued for *.elb.amazonaws.com), so CloudFront reaches it over HTTP, admitted by its prefix list and the secret header only; viewers still reach CloudFront over HTTPS only.',
        },
      ]);
    }
  }

  private addNagSuppressions(ownDomain: boolean): void {
    suppressNag(this.distribution, [
      ...(ownDomain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'The distribution has no custom domain (config domain:), so it serves the default *.cloudfront.net certificate, whose security policy CloudFront does not let you choose.',
            },
          ]),
      {
        id: 'AwsSolutions-CFR7',
        reason:
          'tapstack.md 7.3 and the tapctl brief specify an origin access identity; the bucket blocks all public access and grants s3:GetObject to that OAI only.',
      },
    ]);
  }
}

/**
 * The distribution's alternate names and certificate; TLS 1.2 or later for viewers (TLSv1.2_2021, the policy
 * CloudFront recommends: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html).
 */
export function viewerDomain(domain: DistributionDomain | undefined): Partial<cloudfront.DistributionProps> {
  if (!domain) return {};
  return {
    domainNames: [...domain.names],
    certificate: domain.certificate,
    minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
  };
}
