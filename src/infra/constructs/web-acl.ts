/**
 * An AWS WAF web ACL for CloudFront (config `waf:`), made of AWS managed rule groups: every request CloudFront
 * receives is inspected before it reaches the S3 bucket or the load balancer.
 *
 * CLOUDFRONT scope exists in us-east-1 only, so this construct is only built by a stack in us-east-1; elsewhere
 * the web ACL is an input (waf.webAclArn; src/config/edge.ts says why). The rule groups come from the table of
 * src/config/waf-rule-groups.ts, which validate checks the names against (rule WF1).
 */
import cdk = require('aws-cdk-lib');
import Stack = cdk.Stack;
import wafv2 = require('aws-cdk-lib/aws-wafv2');
import { Construct } from 'constructs';
import { CLOUDFRONT_REGION } from '../../config/edge.js';

export interface CloudFrontWebAclProps {
  /** Physical name (at most 128 letters, digits, hyphens and underscores; unique in the account). */
  readonly name: string;
  /** AWS managed rule groups (vendor AWS), evaluated in this order. */
  readonly managedRules: readonly string[];
}

/** A CLOUDFRONT-scope web ACL that allows by default and blocks what its AWS managed rule groups match. */
export class CloudFrontWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  /** What a distribution's `webAclId` takes for AWS WAF (v2): the ARN. */
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: CloudFrontWebAclProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (region !== CLOUDFRONT_REGION) throw new Error(`CloudFrontWebAcl: a CLOUDFRONT-scope web ACL lives in ${CLOUDFRONT_REGION}, not in ${region} (rule WF4)`);
    if (props.managedRules.length === 0) throw new Error('CloudFrontWebAcl: a web ACL without a rule group inspects nothing');
    // Sampled requests and per-rule metrics: the console then shows what each group blocked, and why.
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      // WAF descriptions allow letters, digits, spaces and =:#@/-,. only (no parentheses).
      description: 'AWS managed rule groups on CloudFront, from tapctl waf.managedRules',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: props.managedRules.map((group, priority) => ({
        name: group,
        priority,
        // `none`: each group's own rule actions apply (block what it matches).
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
        visibilityConfig: visibility(group),
      })),
    });
    this.arn = this.webAcl.attrArn;
  }
}
