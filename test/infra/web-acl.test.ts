/**
 * The web ACL on CloudFront (constructs/web-acl.ts): created in us-east-1 from AWS managed rule groups, on by
 * default in production, given by ARN elsewhere, absent where it is off.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthCatalog } from '../presets/fixtures.js';
import { lid, synthStack } from './fixtures.js';

const ACL_ARN = 'arn:aws:wafv2:us-east-1:222222222222:global/webacl/shop-prod/11111111-2222-3333-4444-555555555555';
const webAclId = (template: Template) => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.WebACLId;

describe('web ACL', () => {
  it('production in us-east-1: a CLOUDFRONT-scope ACL of the three default AWS managed rule groups, on the distribution', () => {
    // GIVEN production with no waf: key at all
    const { stack, template, env } = synthStack('prod');
    // THEN the stack creates the ACL, named by the naming module, allow by default, each group's own actions
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: env.names.webAcl,
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: env.names.webAcl, SampledRequestsEnabled: true },
      Rules: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList'].map((name, priority) => ({
        Name: name,
        Priority: priority,
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } },
        VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: name, SampledRequestsEnabled: true },
      })),
    });
    expect(env.names.webAcl).toBe('tap-web-acl-prod');
    expect(webAclId(template)).toEqual({ 'Fn::GetAtt': [lid(stack, stack.webAcl!.webAcl), 'Arn'] });
  });

  it('development has none unless it asks; managedRules asks, in the order given', () => {
    const dev = synthStack('dev');
    dev.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(webAclId(dev.template)).toBeUndefined();
    const asked = synthStack('dev', { waf: { managedRules: ['AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesCommonRuleSet'] } });
    asked.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [Match.objectLike({ Name: 'AWSManagedRulesSQLiRuleSet', Priority: 0 }), Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet', Priority: 1 })],
    });
  });

  it('production turned off has none (validate warns, WF4)', () => {
    const { template } = synthStack('prod', { waf: { enabled: false } });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(webAclId(template)).toBeUndefined();
  });

  it('a given ARN goes on the distribution, with no ACL of the stack\'s own, in us-east-1 or outside it', () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const { template } = synthStack('prod', { region, waf: { webAclArn: ACL_ARN } });
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      expect(webAclId(template)).toBe(ACL_ARN);
    }
  });

  it('production outside us-east-1 without an ARN has none: nothing can create a CLOUDFRONT ACL there', () => {
    const { template } = synthStack('prod', { region: 'eu-west-1' });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('catalog-api gets the same, on its distribution', () => {
    const { stack, template } = synthCatalog('prod', { region: 'us-east-1' });
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Name: stack.names.webAcl, Scope: 'CLOUDFRONT' });
    expect(webAclId(template)).toEqual({ 'Fn::GetAtt': [lid(stack, stack.webAcl!.webAcl), 'Arn'] });
  });
});
