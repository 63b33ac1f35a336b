/** Schema section `waf`: the AWS WAF web ACL on the CloudFront distribution. */
import * as z from 'zod/mini';
import { strict } from './common.js';

export const WafSchema = strict({
  enabled: z.optional(z.boolean()).register(z.globalRegistry, {
    description:
      'A web ACL on CloudFront. Default: on for kind production (off there is a warning, rule WF4) and wherever managedRules or ' +
        'webAclArn is set; off otherwise.',
  }),
  managedRules: z.optional(z.array(z.string())).register(z.globalRegistry, {
    description:
      'AWS managed rule groups of the web ACL tapctl creates, in evaluation order (names from the AWS WAF Developer Guide, checked by rule WF1). ' +
        'Default: AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAmazonIpReputationList (925 WCUs, within ' +
        "the 1,500 WCUs a web ACL's base price covers).",
  }),
  webAclArn: z.optional(z.string()).register(z.globalRegistry, {
    description:
      'Use this web ACL instead of creating one: a CLOUDFRONT-scope ACL, which lives in us-east-1 (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>). ' +
        'Needed for a web ACL outside us-east-1: CloudFront takes web ACLs from us-east-1 only, and tapctl keeps one stack per environment, in its region.',
  }),
});
