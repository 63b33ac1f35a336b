import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { getAtt, lid, ref, synthStack, type SynthesizedStack } from './fixtures.js';

/** CloudFront's managed CachingOptimized policy. */
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

describe('Edge', () => {
  let dev: SynthesizedStack;
  let prod: SynthesizedStack;
  beforeAll(() => {
    // GIVEN a development and a production stack
    dev = synthStack('dev');
    prod = synthStack('prod');
  });

  const bucket = (s: SynthesizedStack, which: 'staticBucket' | 'logsBucket') =>
    s.template.toJSON().Resources[lid(s.stack, s.stack.edge[which])];

  describe('static assets bucket (§7.1)', () => {
    it('is named by the config, versioned, private, SSL-only and SSE-S3 (an OAI cannot read SSE-KMS objects)', () => {
      expect(bucket(dev, 'staticBucket').Properties).toMatchObject({
        BucketName: dev.env.names.staticBucket,
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: ref(lid(dev.stack, dev.stack.edge.staticBucket)),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('moves assets to IA at 30 days and to Glacier Instant Retrieval at 90, and expires old versions at 90', () => {
      expect(bucket(dev, 'staticBucket').Properties.LifecycleConfiguration.Rules).toEqual([
        {
          Id: 'TransitionToIA',
          Status: 'Enabled',
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
            { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
          ],
        },
        { Id: 'DeleteOldVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } },
      ]);
    });

    it('writes its server access logs to the logs bucket', () => {
      expect(bucket(dev, 'staticBucket').Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: ref(lid(dev.stack, dev.stack.edge.logsBucket)),
        LogFilePrefix: 's3-access/static-assets/',
      });
    });

    it('is readable by the origin access identity only', () => {
      dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: ref(lid(dev.stack, dev.stack.edge.staticBucket)),
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Principal: { CanonicalUser: getAtt(lid(dev.stack, dev.stack.edge.originAccessIdentity), 'S3CanonicalUserId') },
              Resource: { 'Fn::Join': ['', [getAtt(lid(dev.stack, dev.stack.edge.staticBucket), 'Arn'), '/*']] },
            },
          ]),
        },
      });
    });
  });

  describe('logs bucket (§7.2)', () => {
    it('is SSE-S3 (ALB access logs refuse KMS), private, SSL-only, ACL-capable, expiring logs at 90 days', () => {
      expect(bucket(dev, 'logsBucket').Properties).toMatchObject({
        BucketName: dev.env.names.logsBucket,
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
        LifecycleConfiguration: { Rules: [{ Id: 'ExpireLogs', Status: 'Enabled', ExpirationInDays: 90 }] },
      });
    });
  });

  describe('retention follows the environment (failure rule L1)', () => {
    it('development: both buckets are emptied and deleted', () => {
      expect(bucket(dev, 'staticBucket').DeletionPolicy).toBe('Delete');
      expect(bucket(dev, 'logsBucket').DeletionPolicy).toBe('Delete');
      dev.template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    });

    it('production: both buckets are retained and never emptied', () => {
      expect(bucket(prod, 'staticBucket').DeletionPolicy).toBe('Retain');
      expect(bucket(prod, 'logsBucket').DeletionPolicy).toBe('Retain');
      prod.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    });
  });

  describe('CloudFront (§7.3, §7.4)', () => {
    it('has one origin access identity with the spec comment', () => {
      dev.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 1);
      dev.template.hasResourceProperties('AWS::CloudFront::CloudFrontOriginAccessIdentity', {
        CloudFrontOriginAccessIdentityConfig: { Comment: 'OAI for e-commerce static assets' },
      });
    });

    it('serves the static bucket through the OAI, logging to the logs bucket', () => {
      const oai = lid(dev.stack, dev.stack.edge.originAccessIdentity);
      dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Comment: 'E-commerce static assets distribution',
          Enabled: true,
          PriceClass: 'PriceClass_100',
          Logging: { Bucket: getAtt(lid(dev.stack, dev.stack.edge.logsBucket), 'RegionalDomainName'), Prefix: 'cloudfront/' },
          Origins: Match.arrayWith([
            Match.objectLike({
              DomainName: getAtt(lid(dev.stack, dev.stack.edge.staticBucket), 'RegionalDomainName'),
              S3OriginConfig: { OriginAccessIdentity: { 'Fn::Join': ['', ['origin-access-identity/cloudfront/', ref(oai)]] } },
            }),
          ]),
        }),
      });
    });

    it('caches the default behaviour with CachingOptimized for GET/HEAD/OPTIONS, compressed, HTTPS only', () => {
      dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          DefaultCacheBehavior: Match.objectLike({
            AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
            CachedMethods: ['GET', 'HEAD', 'OPTIONS'],
            Compress: true,
            CachePolicyId: CACHING_OPTIMIZED,
            ViewerProtocolPolicy: 'redirect-to-https',
          }),
        }),
      });
    });

    it('routes /static/js/* and /static/css/* to their own cache policies', () => {
      const { edge } = dev.stack;
      dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          CacheBehaviors: Match.arrayWith([
            Match.objectLike({ PathPattern: '/static/js/*', CachePolicyId: ref(lid(dev.stack, edge.jsCachePolicy)), ViewerProtocolPolicy: 'redirect-to-https' }),
            Match.objectLike({ PathPattern: '/static/css/*', CachePolicyId: ref(lid(dev.stack, edge.cssCachePolicy)), ViewerProtocolPolicy: 'redirect-to-https' }),
          ]),
        }),
      });
    });

    it('has two identical asset cache policies: 0 s / 1 day / 365 days, gzip and brotli', () => {
      dev.template.resourceCountIs('AWS::CloudFront::CachePolicy', 2);
      const configs = Object.values(dev.template.findResources('AWS::CloudFront::CachePolicy')).map((p) => {
        const { Name: _name, ...config } = p.Properties.CachePolicyConfig;
        return config;
      });
      expect(configs[0]).toEqual(configs[1]);
      expect(configs[0]).toMatchObject({
        MinTTL: 0,
        DefaultTTL: 86_400,
        MaxTTL: 31_536_000,
        ParametersInCacheKeyAndForwardedToOrigin: expect.objectContaining({ EnableAcceptEncodingGzip: true, EnableAcceptEncodingBrotli: true }),
      });
    });

    it('takes TTLs and the price class from the config', () => {
      const s = synthStack('dev', { cdn: { assetsDefaultTtlSeconds: 600, assetsMaxTtlSeconds: 3600, priceClass: 'PriceClass_All' } });
      s.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: 600, MaxTTL: 3600 }),
      });
      s.template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ PriceClass: 'PriceClass_All' }),
      });
    });
  });
});
