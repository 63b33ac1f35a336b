/**
 * The AWS managed rule groups a web ACL of tapctl's may use, with the web ACL capacity units (WCUs) each costs.
 *
 * Source: the AWS WAF Developer Guide, "AWS Managed Rules rule groups list" and the page of each category
 * (names and WCUs as printed there, "VendorName: AWS, Name: ..., WCU: ..."):
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-use-case.html
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-ip-rep.html
 *
 * Left out on purpose: the intelligent threat mitigation groups (Bot Control, account takeover, account creation
 * fraud, anti-DDoS). They carry a subscription and request fee and need a ManagedRuleGroupConfig (inspection
 * level, login paths) that the config has no keys for; a web ACL given by ARN (waf.webAclArn) can use them.
 */

export interface ManagedRuleGroup {
  /** The group's WCUs: the capacity it takes from the web ACL. */
  readonly wcu: number;
  /** Category on the AWS page. */
  readonly category: 'baseline' | 'use-case' | 'ip-reputation';
}

export const AWS_MANAGED_RULE_GROUPS: Readonly<Record<string, ManagedRuleGroup>> = {
  AWSManagedRulesCommonRuleSet: { wcu: 700, category: 'baseline' },
  AWSManagedRulesAdminProtectionRuleSet: { wcu: 100, category: 'baseline' },
  AWSManagedRulesKnownBadInputsRuleSet: { wcu: 200, category: 'baseline' },
  AWSManagedRulesSQLiRuleSet: { wcu: 200, category: 'use-case' },
  AWSManagedRulesLinuxRuleSet: { wcu: 200, category: 'use-case' },
  AWSManagedRulesUnixRuleSet: { wcu: 100, category: 'use-case' },
  AWSManagedRulesWindowsRuleSet: { wcu: 200, category: 'use-case' },
  AWSManagedRulesPHPRuleSet: { wcu: 100, category: 'use-case' },
  AWSManagedRulesWordPressRuleSet: { wcu: 100, category: 'use-case' },
  AWSManagedRulesAmazonIpReputationList: { wcu: 25, category: 'ip-reputation' },
  AWSManagedRulesAnonymousIpList: { wcu: 50, category: 'ip-reputation' },
};

/**
 * The web ACL tapctl creates by default: AWS's baseline for any web application (the core rule set, known bad
 * inputs) and Amazon's IP reputation list, 925 WCUs.
 */
export const DEFAULT_MANAGED_RULES: readonly string[] = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
];

/**
 * WCU limits of a web ACL (https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html):
 * the base price covers 1,500; above that each 500 WCUs add a charge; 5,000 is the most a web ACL can hold.
 */
export const WEB_ACL_WCU = { included: 1500, max: 5000 } as const;
