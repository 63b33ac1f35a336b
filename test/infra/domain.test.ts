/**
 * The site on its own domain (constructs/site-domain.ts): certificates and their regions, the records, HTTPS from
 * the viewer to CloudFront and from CloudFront to the load balancer, HTTP redirected at both. Each way of giving
 * a domain: a zone tapctl owns in us-east-1 (it makes every certificate), a zone outside us-east-1 (CloudFront's
 * certificate is an input there), and a certificate without a zone (the user owns DNS).
 */
import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/infra/app.js';
import type { TapStack } from '../../src/infra/tap-stack.js';
import { synthCatalog } from '../presets/fixtures.js';
import { ACCOUNTS, lid, ref, resolvedEnv, synthStack, type SynthesizedStack } from './fixtures.js';

const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' };
/** CloudFront's alias zone, by partition (Z2FDTNDATAQYW2 in aws: checked below). */
const CLOUDFRONT_ZONE_ID = { 'Fn::FindInMap': ['AWSCloudFrontPartitionHostedZoneIdMap', { Ref: 'AWS::Partition' }, 'zoneId'] };
const certificateArn = (region: string, account: string = ACCOUNTS.prod) => `arn:aws:acm:${region}:${account}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;

const certificates = (template: Template) =>
  Object.entries(template.findResources('AWS::CertificateManager::Certificate')).map(([id, r]) => ({ id, name: r.Properties.DomainName as string, validation: r.Properties.DomainValidationOptions, method: r.Properties.ValidationMethod }));

const distributionConfig = (template: Template) => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;

const records = (template: Template) =>
  Object.values(template.findResources('AWS::Route53::RecordSet')).map((r) => ({ name: r.Properties.Name, type: r.Properties.Type, zone: r.Properties.HostedZoneId, alias: r.Properties.AliasTarget }));

function nagErrors(stack: TapStack): string[] {
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((e) => `${e.id}: ${String(e.entry.data).split(':')[0]}`);
}

describe('a zone tapctl owns, in us-east-1 (prod, with api.<name>)', () => {
  let s: SynthesizedStack;
  beforeAll(() => {
    // GIVEN production in us-east-1 with its zone and the API on its own name
    s = synthStack('prod', { domain: { name: 'shop.example.com', ...ZONE, api: true } });
  });

  it('creates three DNS-validated certificates in the stack region, us-east-1: CloudFront\'s, the origin\'s and the API\'s', () => {
    expect(s.stack.region).toBe('us-east-1');
    expect(certificates(s.template).map(({ name, validation, method }) => ({ name, validation, method }))).toEqual([
      { name: 'shop.example.com', validation: [{ DomainName: 'shop.example.com', HostedZoneId: ZONE.hostedZoneId }], method: 'DNS' },
      { name: 'origin.shop.example.com', validation: [{ DomainName: 'origin.shop.example.com', HostedZoneId: ZONE.hostedZoneId }], method: 'DNS' },
      { name: 'api.shop.example.com', validation: [{ DomainName: 'api.shop.example.com', HostedZoneId: ZONE.hostedZoneId }], method: 'DNS' },
    ]);
  });

  it('serves the name on CloudFront with its certificate, TLS 1.2 or later, and redirects HTTP viewers to HTTPS', () => {
    const config = distributionConfig(s.template);
    expect(config.Aliases).toEqual(['shop.example.com']);
    expect(config.ViewerCertificate).toEqual({ AcmCertificateArn: ref(lid(s.stack, s.stack.domain!.cloudFrontCertificate)), MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    const behaviors = [config.DefaultCacheBehavior, ...config.CacheBehaviors];
    expect(behaviors.map((b: { ViewerProtocolPolicy: string }) => b.ViewerProtocolPolicy)).toEqual(behaviors.map(() => 'redirect-to-https'));
  });

  it('points the name (A and AAAA) at CloudFront, origin.<name> at the load balancer and api.<name> at the API\'s domain', () => {
    const alb = lid(s.stack, s.stack.service.loadBalancer);
    const apiDomain = lid(s.stack, s.stack.api.domainName!);
    expect(records(s.template)).toEqual([
      { name: 'shop.example.com.', type: 'A', zone: ZONE.hostedZoneId, alias: { DNSName: { 'Fn::GetAtt': [lid(s.stack, s.stack.edge.distribution), 'DomainName'] }, HostedZoneId: CLOUDFRONT_ZONE_ID } },
      { name: 'shop.example.com.', type: 'AAAA', zone: ZONE.hostedZoneId, alias: { DNSName: { 'Fn::GetAtt': [lid(s.stack, s.stack.edge.distribution), 'DomainName'] }, HostedZoneId: CLOUDFRONT_ZONE_ID } },
      { name: 'origin.shop.example.com.', type: 'A', zone: ZONE.hostedZoneId, alias: { DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [alb, 'DNSName'] }]] }, HostedZoneId: { 'Fn::GetAtt': [alb, 'CanonicalHostedZoneID'] } } },
      { name: 'api.shop.example.com.', type: 'A', zone: ZONE.hostedZoneId, alias: { DNSName: { 'Fn::GetAtt': [apiDomain, 'RegionalDomainName'] }, HostedZoneId: { 'Fn::GetAtt': [apiDomain, 'RegionalHostedZoneId'] } } },
    ]);
    expect(s.template.toJSON().Mappings.AWSCloudFrontPartitionHostedZoneIdMap.aws.zoneId).toBe('Z2FDTNDATAQYW2');
  });

  it('has CloudFront reach the load balancer over HTTPS by origin.<name>, with the secret header', () => {
    const origin = distributionConfig(s.template).Origins.find((o: { DomainName: unknown }) => o.DomainName === 'origin.shop.example.com');
    expect(origin).toMatchObject({
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', HTTPSPort: 443, OriginSSLProtocols: ['TLSv1.2'] },
      OriginCustomHeaders: [{ HeaderName: 'X-Origin-Verify', HeaderValue: '{{resolve:secretsmanager:tap/prod/origin-verify-1:SecretString:::}}' }],
    });
  });

  it('listens on HTTPS 443 with the origin certificate (403 without the header); port 80 only redirects to it', () => {
    s.template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: ref(lid(s.stack, s.stack.domain!.originCertificate!)) }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) })],
    });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    // The forwarding rule sits on the HTTPS listener.
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { ListenerArn: ref(lid(s.stack, s.stack.service.listener)), Priority: 10 });
  });

  it('admits CloudFront on 443 only: no port 80 and nothing from 0.0.0.0/0 on the load balancer', () => {
    const group = s.template.toJSON().Resources[lid(s.stack, s.stack.network.albSecurityGroup)];
    expect(group.Properties.SecurityGroupIngress).toEqual([
      { SourcePrefixListId: 'pl-3b927c52', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from CloudFront only (origin-facing prefix list)' },
    ]);
  });

  it('serves the REST API at https://api.<name> (regional, TLS 1.2) and tells the application its own URL', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.shop.example.com',
      RegionalCertificateArn: ref(lid(s.stack, s.stack.domain!.apiCertificate!)),
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    s.template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    const env = Object.values(s.template.findResources('AWS::ECS::TaskDefinition'))[0]!.Properties.ContainerDefinitions[0].Environment;
    expect(env).toContainEqual({ Name: 'CLOUDFRONT_URL', Value: 'https://shop.example.com' });
    s.template.hasOutput('DomainURL', { Value: 'https://shop.example.com' });
    s.template.hasOutput('ApiDomainURL', { Value: 'https://api.shop.example.com' });
  });

  it('is cdk-nag clean', () => {
    const { app, stack } = buildApp(resolvedEnv('prod', { domain: { name: 'shop.example.com', ...ZONE, api: true } }));
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    expect(nagErrors(stack)).toEqual([]);
  });
});

describe('a zone outside us-east-1 (CloudFront\'s certificate given)', () => {
  let s: SynthesizedStack;
  beforeAll(() => {
    s = synthStack('prod', { region: 'eu-west-1', domain: { name: 'shop.example.com', ...ZONE, certificateArn: certificateArn('us-east-1') }, waf: { enabled: false } });
  });

  it('creates only the origin\'s certificate, in the environment\'s region; CloudFront uses the given us-east-1 one', () => {
    expect(s.stack.region).toBe('eu-west-1');
    expect(certificates(s.template).map((c) => c.name)).toEqual(['origin.shop.example.com']);
    expect(distributionConfig(s.template).ViewerCertificate).toMatchObject({ AcmCertificateArn: certificateArn('us-east-1'), SslSupportMethod: 'sni-only' });
  });

  it('still writes the records and reaches the origin over HTTPS', () => {
    expect(records(s.template).map((r) => `${r.type} ${r.name}`)).toEqual(['A shop.example.com.', 'AAAA shop.example.com.', 'A origin.shop.example.com.']);
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
  });
});

describe('a certificate without a zone (the user owns DNS)', () => {
  let s: SynthesizedStack;
  beforeAll(() => {
    s = synthStack('dev', { domain: { name: 'shop.example.com', certificateArn: certificateArn('us-east-1', ACCOUNTS.dev) } });
  });

  it('serves the name on CloudFront with the given certificate and creates no certificate and no record', () => {
    expect(distributionConfig(s.template).Aliases).toEqual(['shop.example.com']);
    expect(certificates(s.template)).toEqual([]);
    expect(records(s.template)).toEqual([]);
  });

  it('keeps the load balancer on HTTP 80 behind the prefix list and the header (no certificate can be validated without the zone)', () => {
    s.template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'fixed-response' })] });
  });
});

describe('catalog-api on its own domain (eu-north-1, the preset\'s region)', () => {
  it('gets the origin certificate and records in eu-north-1, CloudFront\'s given certificate, HTTPS to the load balancer, cdk-nag clean', () => {
    const s = synthCatalog('prod', { domain: { name: 'catalog.example.com', ...ZONE, certificateArn: certificateArn('us-east-1') }, waf: { enabled: false } });
    expect(s.stack.region).toBe('eu-north-1');
    expect(certificates(s.template).map((c) => c.name)).toEqual(['origin.catalog.example.com']);
    expect(records(s.template).map((r) => `${r.type} ${r.name}`)).toEqual(['A catalog.example.com.', 'AAAA catalog.example.com.', 'A origin.catalog.example.com.']);
    expect(distributionConfig(s.template)).toMatchObject({ Aliases: ['catalog.example.com'], ViewerCertificate: { AcmCertificateArn: certificateArn('us-east-1'), MinimumProtocolVersion: 'TLSv1.2_2021' } });
    expect(distributionConfig(s.template).Origins[0]).toMatchObject({ DomainName: 'origin.catalog.example.com', CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect' })] });
    const group = s.template.toJSON().Resources[lid(s.stack, s.stack.albSecurityGroup)];
    expect(group.Properties.SecurityGroupIngress.map((r: { FromPort: number; SourcePrefixListId: string }) => `${r.SourcePrefixListId}:${r.FromPort}`)).toEqual(['pl-fab65393:443']);
    s.template.hasOutput('DomainURL', { Value: 'https://catalog.example.com' });
  });
});
