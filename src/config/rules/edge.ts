/**
 * The edge of ecommerce and catalog-api environments: the domain and its certificates (DN1-DN6), the web ACL
 * (WF1-WF5) and the load balancer's security group quota (OR1). Each checks the plan src/config/edge.ts makes,
 * so that what validate accepts is what the stack builds.
 */
import { CLOUDFRONT_PREFIX_LIST_NAME } from '../cloudfront-prefix-lists.js';
import { CLOUDFRONT_REGION, domainOf, originOf, parseArn, webAclAsked, webAclOf } from '../edge.js';
import type { ConfigIssue } from '../issues.js';
import type { ResolvedEnvironment } from '../resolve.js';
import { suggest } from '../suggest.js';
import { AWS_MANAGED_RULE_GROUPS, WEB_ACL_WCU } from '../waf-rule-groups.js';
import { finding, wrote, type EnvironmentRule } from './rule.js';
import { partitionOf } from '../../aws/partition.js';

/** ACM refuses a certificate whose first name (the subject's common name) is longer than this. */
export const ACM_DOMAIN_NAME_MAX = 64;

const CLOUDFRONT_CERTIFICATES_PAGE = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html';

/** The command that makes CloudFront's certificate outside us-east-1 (ACM validates it by DNS). */
const requestCertificateHint = (name: string) =>
  `request one in us-east-1 (aws acm request-certificate --region us-east-1 --domain-name ${name} --validation-method DNS), add the CNAME ACM shows to the zone, then set domain.certificateArn to its ARN`;

/** DN1-DN5: one environment's domain. */
export const domainRules: EnvironmentRule = (env) => {
  const d = env.domain;
  if (!d) return [];
  const out: ConfigIssue[] = [];
  const error = (path: string, rule: string, message: string, hint?: string) => out.push(finding(env, path, 'error', rule, message, hint ? { hint } : {}));
  if (!d.name) {
    error('domain.name', 'DN4', `the domain of ${env.name} has no name: its other keys (${Object.keys(d).filter((k) => k !== 'api').join(', ') || 'api'}) have nothing to apply to`, `give environments.${env.name}.domain.name, or keep shared domain keys out of defaults: when an environment has no domain`);
    return out;
  }

  // DN4: the zone is given by its ID and its name together.
  if (d.hostedZoneId && !d.zoneName) error('domain.zoneName', 'DN4', 'domain.hostedZoneId needs domain.zoneName: records and the check that the zone holds the name need it', `the zone's name, e.g. zoneName: ${d.name.split('.').slice(-2).join('.')}`);
  if (d.zoneName && !d.hostedZoneId) error('domain.hostedZoneId', 'DN4', 'domain.zoneName needs domain.hostedZoneId: tapctl writes records to a zone by its ID', 'aws route53 list-hosted-zones-by-name --dns-name <zoneName> shows it');
  // (catalog-api has no API Gateway: its domain.api is ignored, rule X1.)
  if (d.api && !d.hostedZoneId && env.preset === 'ecommerce') error('domain.api', 'DN4', 'domain.api needs domain.hostedZoneId: api.<name> gets a certificate validated in the zone and a record there');

  // DN1: the zone must hold the name, or neither its record nor its certificate's validation can go there.
  if (d.zoneName && d.name !== d.zoneName && !d.name.endsWith(`.${d.zoneName}`)) {
    error('domain.zoneName', 'DN1', `the hosted zone ${d.zoneName} does not contain ${d.name}: its records and certificate validation cannot be created there`, `use the zone of ${d.name} (its name is ${d.name} or ends with .<zone>), or a name inside ${d.zoneName}`);
  }

  // DN2: CloudFront's certificate: an ACM certificate in us-east-1 of this account.
  if (d.certificateArn !== undefined) {
    const arn = parseArn(d.certificateArn);
    if (!arn || arn.service !== 'acm' || !/^certificate\/[0-9a-f-]{36}$/.test(arn.resource)) {
      error('domain.certificateArn', 'DN2', `'${d.certificateArn}' is not an ACM certificate ARN`, 'it looks like arn:aws:acm:us-east-1:<account>:certificate/<uuid> (aws acm list-certificates --region us-east-1)');
    } else if (arn.partition !== partitionOf(env.region)) {
      error('domain.certificateArn', 'DN2', `the certificate is in partition ${arn.partition}, but ${env.name} deploys to ${env.region} (partition ${partitionOf(env.region)}): CloudFront uses certificates of its own partition only`, requestCertificateHint(d.name));
    } else if (arn.region !== CLOUDFRONT_REGION) {
      error('domain.certificateArn', 'DN2', `the certificate is in ${arn.region}, but CloudFront uses certificates in us-east-1 only (${CLOUDFRONT_CERTIFICATES_PAGE})`, requestCertificateHint(d.name));
    } else if (arn.account !== env.account) {
      error('domain.certificateArn', 'DN2', `the certificate belongs to account ${arn.account}, not to ${env.account}: CloudFront uses certificates of its own account only`, requestCertificateHint(d.name));
    }
  }

  // DN3: CloudFront needs a certificate from somewhere.
  const plan = domainOf(env);
  if (!plan?.cloudFrontCertificate && d.certificateArn === undefined) {
    if (!d.hostedZoneId) {
      error('domain', 'DN3', `domain ${d.name} has no certificate: give domain.hostedZoneId (tapctl creates and validates one) or domain.certificateArn`);
    } else if (env.region !== CLOUDFRONT_REGION) {
      error(
        'domain.certificateArn',
        'DN3',
        `CloudFront's certificate for ${d.name} must be in us-east-1, and ${env.name} deploys to ${env.region}: tapctl keeps one stack per environment, in its region, so it cannot create it`,
        requestCertificateHint(d.name),
      );
    }
  }

  // DN5: ACM takes at most 64 characters in a certificate's first name.
  const firstNames: Array<[string, string]> = [[d.name, 'domain.name'], ...(plan?.originName ? [[plan.originName, 'domain.name'] as [string, string]] : [])];
  for (const [name, path] of firstNames) {
    if (name.length > ACM_DOMAIN_NAME_MAX) {
      error(path, 'DN5', `the certificate for ${name} would have a ${name.length}-character name; ACM allows at most ${ACM_DOMAIN_NAME_MAX} in a certificate's first name`, 'use a shorter domain name');
      break;
    }
  }
  return out;
};

/** WF1-WF5: the web ACL. */
export const webAclRules: EnvironmentRule = (env, ctx) => {
  const w = env.waf;
  const out: ConfigIssue[] = [];
  const add = (path: string, severity: ConfigIssue['severity'], rule: string, message: string, hint?: string) => out.push(finding(env, path, severity, rule, message, hint ? { hint } : {}));

  // WF1: names of AWS managed rule groups tapctl knows, each once.
  const known = Object.keys(AWS_MANAGED_RULE_GROUPS);
  const seen = new Set<string>();
  for (const name of w.managedRules ?? []) {
    if (!AWS_MANAGED_RULE_GROUPS[name]) {
      const close = suggest(name, known);
      add('waf.managedRules', 'error', 'WF1', `'${name}' is not an AWS managed rule group tapctl offers${close ? `; did you mean '${close}'?` : ''}`, `one of ${known.join(', ')} (paid groups such as Bot Control: create the web ACL yourself and give waf.webAclArn)`);
    } else if (seen.has(name)) {
      add('waf.managedRules', 'error', 'WF1', `${name} is listed twice: a web ACL's rules need distinct names`);
    }
    seen.add(name);
  }

  // WF1: a web ACL tapctl creates needs a rule group (AWS WAF would take an ACL that inspects nothing; the
  // construct refuses it): an empty list is a config error here, never an internal error at synth.
  if (w.managedRules !== undefined && w.managedRules.length === 0 && webAclOf(env).kind === 'create') {
    add('waf.managedRules', 'error', 'WF1', 'waf.managedRules lists no rule group: a web ACL without one inspects nothing', 'leave managedRules out for the default rule groups, list the ones you want, or set waf.enabled: false');
  }

  // WF2: a given web ACL: CLOUDFRONT scope (us-east-1, global/webacl/...) of this account.
  if (w.webAclArn !== undefined) {
    const arn = parseArn(w.webAclArn);
    if (!arn || arn.service !== 'wafv2' || !/^(global|regional)\/webacl\/[\w-]+\/[0-9a-f-]+$/.test(arn.resource)) {
      add('waf.webAclArn', 'error', 'WF2', `'${w.webAclArn}' is not a WAF web ACL ARN`, 'it looks like arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id> (aws wafv2 list-web-acls --scope CLOUDFRONT --region us-east-1)');
    } else if (arn.partition !== partitionOf(env.region)) {
      add('waf.webAclArn', 'error', 'WF2', `the web ACL is in partition ${arn.partition}, but ${env.name} deploys to ${env.region} (partition ${partitionOf(env.region)})`);
    } else if (arn.resource.startsWith('regional/')) {
      add('waf.webAclArn', 'error', 'WF2', 'the web ACL has REGIONAL scope; CloudFront takes CLOUDFRONT-scope web ACLs only (their ARNs say global/webacl)', 'create one with --scope CLOUDFRONT --region us-east-1');
    } else if (arn.region !== CLOUDFRONT_REGION) {
      add('waf.webAclArn', 'error', 'WF2', `the web ACL is in ${arn.region}; CLOUDFRONT-scope web ACLs live in us-east-1`);
    } else if (arn.account !== env.account) {
      add('waf.webAclArn', 'error', 'WF2', `the web ACL belongs to account ${arn.account}, not to ${env.account}`);
    }
  }

  // WF3: a web ACL is either tapctl's (managedRules) or given (webAclArn).
  if (w.webAclArn !== undefined && wrote(ctx, env, 'waf.managedRules')) {
    add('waf.managedRules', 'error', 'WF3', 'waf.managedRules and waf.webAclArn exclude each other: the rules of a web ACL tapctl did not create are not tapctl\'s to set', 'keep one of them');
  }

  // WF3: turned off, yet given an ACL or rule groups: they would be dropped without a word.
  if (w.enabled === false && (w.webAclArn !== undefined || w.managedRules !== undefined)) {
    const given = w.webAclArn !== undefined ? 'waf.webAclArn' : 'waf.managedRules';
    add(given, 'warning', 'WF3', `waf.enabled is false, so ${given} is ignored: CloudFront gets no web ACL`, `remove waf.enabled: false to use it, or remove ${given}`);
  }

  // WF4: production without a web ACL; an ACL asked for where none can be made.
  const plan = webAclOf(env);
  if (plan.kind === 'none' && plan.reason === 'region') {
    const message = `CloudFront's web ACL must be in us-east-1, and ${env.name} deploys to ${env.region}: tapctl cannot create it`;
    // Production: waf.enabled: false only trades this warning for WF4's "production serves without a web ACL".
    const hint = `create a CLOUDFRONT-scope web ACL in us-east-1 (aws wafv2 create-web-acl --scope CLOUDFRONT --region us-east-1 ...) and set waf.webAclArn${env.kind === 'production' ? '' : ', or set waf.enabled: false'}`;
    // Asked for in so many words, it is an error; production's default, a warning (existing configs keep deploying).
    add(webAclAsked(env) ? 'waf' : 'waf.enabled', webAclAsked(env) ? 'error' : 'warning', 'WF4', webAclAsked(env) ? message : `production serves without a web ACL: ${message}`, hint);
  } else if (plan.kind === 'none' && env.kind === 'production') {
    add('waf.enabled', 'warning', 'WF4', 'production serves without a web ACL: CloudFront passes every request to the application, common exploits included', 'remove waf.enabled: false (tapctl then creates one with AWS managed rules)');
  }

  // WF5: capacity.
  if (plan.kind === 'create') {
    const wcu = plan.managedRules.reduce((sum, name) => sum + (AWS_MANAGED_RULE_GROUPS[name]?.wcu ?? 0), 0);
    if (wcu > WEB_ACL_WCU.max) add('waf.managedRules', 'error', 'WF5', `the rule groups need ${wcu} WCUs; a web ACL holds at most ${WEB_ACL_WCU.max}`, 'drop a rule group');
    else if (wcu > WEB_ACL_WCU.included) add('waf.managedRules', 'warning', 'WF5', `the rule groups need ${wcu} WCUs: above ${WEB_ACL_WCU.included} each further 500 add to the web ACL's price`);
  }
  return out;
};

/**
 * OR1: the load balancer's security group must fit the account's rule quota. A rule that references a managed
 * prefix list counts as the list's weight (55 for CloudFront's), so one port from CloudFront takes 55 of the
 * default 60, and an account that raised "security groups per network interface" may have less than 55 per group
 * (the two quotas multiply to at most 1,000).
 * https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
 */
export const originRules: EnvironmentRule = (env) => {
  const o = originOf(env);
  const used = o.ingress.reduce((sum, r) => sum + r.weight, 0);
  if (used <= o.ruleQuota) return [];
  const ports = o.ingress.map((r) => r.port).join(', ');
  return [
    finding(env, 'origin.securityGroupRuleQuota', 'error', 'OR1', `the load balancer's security group needs ${used} rules (${CLOUDFRONT_PREFIX_LIST_NAME} weighs ${o.ingress[0]?.weight} per rule; port ${ports}), above the account's quota of ${o.ruleQuota} inbound rules per security group`, {
      hint: 'raise "Inbound rules per security group" (Service Quotas, L-0EA8095F) and set origin.securityGroupRuleQuota to it; AWS refuses the group otherwise (RulesPerSecurityGroupLimitExceeded)',
    }),
  ];
};

/** Every edge rule, for the presets with one. */
export const edgeRules: EnvironmentRule = (env: ResolvedEnvironment, ctx) => [...domainRules(env, ctx), ...webAclRules(env, ctx), ...originRules(env, ctx)];

/** DN6: two environments cannot serve one name: CloudFront gives an alternate domain name to one distribution. */
export function sharedDomainRules(environments: readonly ResolvedEnvironment[]): ConfigIssue[] {
  const seen = new Map<string, string>();
  const out: ConfigIssue[] = [];
  for (const env of environments) {
    const name = env.domain?.name;
    if (!name) continue;
    const other = seen.get(name);
    if (other) out.push(finding(env, 'domain.name', 'error', 'DN6', `environments '${other}' and '${env.name}' both serve ${name}: CloudFront gives a name to one distribution only (CNAMEAlreadyExists)`, { hint: `give ${env.name} its own name, e.g. ${env.suffix}.${name}` }));
    else seen.set(name, env.name);
  }
  return out;
}
