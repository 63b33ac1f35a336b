/**
 * The edge's rules (DN1-DN6, WF1-WF5, OR1) and the plan they check (src/config/edge.ts): what validate refuses,
 * what it only warns about, and what each accepted config builds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { domainOf, edgeOf, originOf, webAclOf } from '../../src/config/edge.js';
import { loadConfig } from '../../src/config/load.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function load(config: Record<string, unknown>) {
  project = tempProject(config);
  return loadConfig(project.configPath);
}

const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' };
const CERT = (region: string, account = '222222222222') => `arn:aws:acm:${region}:${account}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;
const ACL = (scope = 'global', region = 'us-east-1', account = '222222222222') => `arn:aws:wafv2:${region}:${account}:${scope}/webacl/shop-prod/11111111-2222-3333-4444-555555555555`;

/** One environment named `name` (prod: production, account 2222...; dev: development, 1111...) in `region`. */
function one(name: 'prod' | 'dev', region: string, settings: Record<string, unknown>, preset = 'ecommerce') {
  const account = name === 'prod' ? '222222222222' : '111111111111';
  return load(sampleConfig({ preset, environments: { [name]: { account, region, ...settings } } }));
}

const issues = (loaded: ReturnType<typeof load>) => [...loaded.errors, ...loaded.warnings].map((i) => `${i.severity} ${i.rule} ${i.path}: ${i.message}`);

describe('domain rules', () => {
  it('accepts a zone tapctl owns in us-east-1: it creates both certificates', () => {
    const loaded = one('prod', 'us-east-1', { domain: { name: 'shop.example.com', ...ZONE, api: true } });
    expect(loaded.errors).toEqual([]);
    expect(domainOf(loaded.environments[0]!)).toEqual({
      name: 'shop.example.com',
      zone: { id: ZONE.hostedZoneId, name: 'example.com' },
      originName: 'origin.shop.example.com',
      apiName: 'api.shop.example.com',
      cloudFrontCertificate: { kind: 'create' },
    });
  });

  it('outside us-east-1 a zone alone is refused: CloudFront\'s certificate is an input there (DN3), with the command that makes it', () => {
    const loaded = one('prod', 'eu-west-1', { domain: { name: 'shop.example.com', ...ZONE }, waf: { enabled: false } });
    const dn3 = loaded.errors.find((e) => e.rule === 'DN3');
    expect(dn3?.path).toBe('environments.prod.domain.certificateArn');
    expect(dn3?.message).toMatch(/must be in us-east-1, and prod deploys to eu-west-1/);
    expect(dn3?.hint).toMatch(/aws acm request-certificate --region us-east-1 --domain-name shop.example.com --validation-method DNS/);
  });

  it('outside us-east-1 a zone and a us-east-1 certificate together are accepted: records and the origin certificate are tapctl\'s', () => {
    const loaded = one('prod', 'eu-west-1', { domain: { name: 'shop.example.com', ...ZONE, certificateArn: CERT('us-east-1') }, waf: { enabled: false } });
    expect(loaded.errors).toEqual([]);
    expect(domainOf(loaded.environments[0]!)).toMatchObject({ cloudFrontCertificate: { kind: 'import', arn: CERT('us-east-1') }, originName: 'origin.shop.example.com' });
    expect(originOf(loaded.environments[0]!)).toMatchObject({ protocol: 'https', port: 443 });
  });

  it('a certificate without a zone: CloudFront serves the name, no record, the origin stays HTTP', () => {
    const loaded = one('dev', 'eu-west-1', { domain: { name: 'shop.example.com', certificateArn: CERT('us-east-1', '111111111111') } });
    expect(loaded.errors).toEqual([]);
    expect(domainOf(loaded.environments[0]!)).toEqual({ name: 'shop.example.com', cloudFrontCertificate: { kind: 'import', arn: CERT('us-east-1', '111111111111') } });
    expect(originOf(loaded.environments[0]!)).toMatchObject({ protocol: 'http', port: 80 });
  });

  it.each([
    ['neither zone nor certificate', { name: 'shop.example.com' }, 'DN3', 'environments.dev.domain', /has no certificate: give domain.hostedZoneId .* or domain.certificateArn/],
    ['a zone ID without its name', { name: 'shop.example.com', hostedZoneId: ZONE.hostedZoneId }, 'DN4', 'environments.dev.domain.zoneName', /needs domain.zoneName/],
    ['a zone name without its ID', { name: 'shop.example.com', zoneName: 'example.com', certificateArn: CERT('us-east-1', '111111111111') }, 'DN4', 'environments.dev.domain.hostedZoneId', /needs domain.hostedZoneId/],
    ['api without a zone', { name: 'shop.example.com', certificateArn: CERT('us-east-1', '111111111111'), api: true }, 'DN4', 'environments.dev.domain.api', /api needs domain.hostedZoneId/],
    ['a zone that ends like the name but is not its parent', { name: 'shop.myexample.com', ...ZONE }, 'DN1', 'environments.dev.domain.zoneName', /does not contain shop.myexample.com/],
    ['something else than an ACM ARN', { name: 'shop.example.com', certificateArn: 'arn:aws:iam::111111111111:server-certificate/shop' }, 'DN2', 'environments.dev.domain.certificateArn', /is not an ACM certificate ARN/],
    ["another account's certificate", { name: 'shop.example.com', certificateArn: CERT('us-east-1', '999999999999') }, 'DN2', 'environments.dev.domain.certificateArn', /belongs to account 999999999999, not to 111111111111/],
    ['a name too long for ACM', { name: `${'a'.repeat(50)}.example.com`, ...ZONE }, 'DN5', 'environments.dev.domain.name', /origin\.a+\.example\.com would have a 69-character name; ACM allows at most 64/],
  ])('refuses %s', (_what, domain, rule, path, message) => {
    const loaded = one('dev', 'us-east-1', { domain });
    const hit = loaded.errors.find((e) => e.rule === rule);
    expect(hit, issues(loaded).join('\n')).toBeDefined();
    expect(hit?.path).toBe(path);
    expect(hit?.message).toMatch(message);
  });

  it('the apex of the zone is a name it contains', () => {
    expect(one('dev', 'us-east-1', { domain: { name: 'example.com', ...ZONE } }).errors).toEqual([]);
  });

  it.each([
    ['a final dot', 'shop.example.com.', /without the final dot/],
    ['upper case', 'Shop.Example.com', /in lower case, e\.g\. shop\.example\.com/],
    // Each message names the limit it breaks (qa3 P3 #7).
    ['a 70-character label', `${'a'.repeat(70)}.example.com`, /labels have at most 63 characters each \(RFC 1035\): 'a{20}…' has 70/],
    ['an internationalized name', 'bücher.example.com', /in ASCII: .* punycode form \(xn--bcher-kva\.example\.com\)/],
    ['one label', 'localhost', /two labels or more/],
  ])('refuses a name with %s at the schema, saying why', (_what, name, message) => {
    const loaded = one('dev', 'us-east-1', { domain: { name, ...ZONE } });
    expect(loaded.errors[0]?.path).toBe('environments.dev.domain.name');
    expect(loaded.errors[0]?.message).toMatch(message);
  });

  it("refuses another partition's certificate or web ACL for a commercial region (qa3 P3 #7)", () => {
    const cn = one('dev', 'us-east-1', { domain: { name: 'shop.example.com', certificateArn: 'arn:aws-cn:acm:us-east-1:111111111111:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' } });
    expect(cn.errors.find((e) => e.rule === 'DN2')?.message).toMatch(/the certificate is in partition aws-cn, but dev deploys to us-east-1 \(partition aws\)/);
    const acl = one('dev', 'us-east-1', { waf: { webAclArn: 'arn:aws-cn:wafv2:us-east-1:111111111111:global/webacl/x/11111111-2222-3333-4444-555555555555' } });
    expect(acl.errors.find((e) => e.rule === 'WF2')?.message).toMatch(/the web ACL is in partition aws-cn/);
  });

  it('a zone shared under defaults: and a name per environment merge; two environments on one name are refused (DN6)', () => {
    const loaded = load(
      sampleConfig({
        defaults: { alarms: { email: 'ops@shop.test' }, domain: ZONE },
        environments: {
          dev: { account: '111111111111', region: 'us-east-1', domain: { name: 'dev.shop.example.com' } },
          staging: { account: '111111111111', region: 'us-east-1', domain: { name: 'shop.example.com' } },
          prod: { account: '222222222222', region: 'us-east-1', domain: { name: 'shop.example.com' } },
        },
      }),
    );
    expect(loaded.errors.map((e) => `${e.rule} ${e.path}`)).toEqual(['DN6 environments.prod.domain.name']);
    expect(loaded.errors[0]?.message).toMatch(/environments 'staging' and 'prod' both serve shop.example.com/);
    expect(domainOf(loaded.environments.find((e) => e.name === 'dev')!)?.zone).toEqual({ id: ZONE.hostedZoneId, name: 'example.com' });
  });

  it('a zone shared under defaults: with an environment that has no name is refused at the name (DN4)', () => {
    const loaded = load(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, domain: ZONE }, environments: { dev: { account: '111111111111', region: 'us-east-1' } } }));
    expect(loaded.errors).toMatchObject([{ rule: 'DN4', path: 'environments.dev.domain.name', message: expect.stringMatching(/has no name: its other keys \(hostedZoneId, zoneName\)/) }]);
  });

  it('catalog-api has no API Gateway: domain.api is ignored with a warning (X1)', () => {
    const loaded = one('dev', 'us-east-1', { domain: { name: 'api.example.com', ...ZONE, api: true } }, 'catalog-api');
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings.find((w) => w.path === 'environments.dev.domain.api')?.rule).toBe('X1');
    expect(domainOf(loaded.environments[0]!)?.apiName).toBeUndefined();
  });

  it('rds-postgres has no CloudFront: a domain is ignored with a warning (X1) and no edge rule runs', () => {
    const loaded = one('dev', 'eu-north-1', { domain: { name: 'db.example.com' }, network: { maxAzs: 3, natGateways: 1 } }, 'rds-postgres');
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings.map((w) => `${w.rule} ${w.path}`)).toContain('X1 environments.dev.domain');
  });
});

describe('web ACL rules', () => {
  it('production in us-east-1 gets tapctl\'s web ACL with the default managed rules, without a word', () => {
    const loaded = one('prod', 'us-east-1', {});
    expect(issues(loaded).filter((i) => / WF\d /.test(i))).toEqual([]);
    expect(webAclOf(loaded.environments[0]!)).toEqual({
      kind: 'create',
      managedRules: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList'],
    });
  });

  it('development has none unless asked; writing managedRules asks', () => {
    expect(webAclOf(one('dev', 'us-east-1', {}).environments[0]!)).toEqual({ kind: 'none', reason: 'off' });
    expect(webAclOf(one('dev', 'us-east-1', { waf: { managedRules: ['AWSManagedRulesSQLiRuleSet'] } }).environments[0]!)).toEqual({ kind: 'create', managedRules: ['AWSManagedRulesSQLiRuleSet'] });
  });

  it('production turned off is a warning (WF4)', () => {
    const loaded = one('prod', 'us-east-1', { waf: { enabled: false } });
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings.find((w) => w.rule === 'WF4')).toMatchObject({ path: 'environments.prod.waf.enabled', message: expect.stringMatching(/production serves without a web ACL/) });
  });

  it('production outside us-east-1 without an ARN warns, saying how to give one (WF4); an explicit request there is an error', () => {
    const implicit = one('prod', 'eu-west-1', {});
    expect(implicit.errors).toEqual([]);
    const warning = implicit.warnings.find((w) => w.rule === 'WF4');
    expect(warning?.message).toMatch(/production serves without a web ACL: CloudFront's web ACL must be in us-east-1, and prod deploys to eu-west-1/);
    // Not waf.enabled: false, which only trades this warning for another WF4 one in production (qa3 P3 #6).
    expect(warning?.hint).toMatch(/set waf.webAclArn$/);
    const explicit = one('dev', 'eu-west-1', { waf: { enabled: true } });
    expect(explicit.errors.find((e) => e.rule === 'WF4')?.path).toBe('environments.dev.waf');
    expect(explicit.errors.find((e) => e.rule === 'WF4')?.hint).toMatch(/set waf.webAclArn, or set waf.enabled: false/);
  });

  it('turned off with an ARN or rule groups: a warning that they are ignored, not silence (qa3 P3 #5)', () => {
    const loaded = one('prod', 'us-east-1', { waf: { enabled: false, webAclArn: ACL() } });
    expect(loaded.warnings.find((w) => w.rule === 'WF3')).toMatchObject({ path: 'environments.prod.waf.webAclArn', message: 'waf.enabled is false, so waf.webAclArn is ignored: CloudFront gets no web ACL' });
    const rules = one('dev', 'us-east-1', { waf: { enabled: false, managedRules: ['AWSManagedRulesSQLiRuleSet'] } });
    expect(rules.warnings.find((w) => w.rule === 'WF3')?.message).toMatch(/waf.managedRules is ignored/);
  });

  it('a CLOUDFRONT-scope ARN outside us-east-1 is the web ACL', () => {
    const loaded = one('prod', 'eu-west-1', { waf: { webAclArn: ACL() } });
    expect(issues(loaded).filter((i) => / WF\d /.test(i))).toEqual([]);
    expect(webAclOf(loaded.environments[0]!)).toEqual({ kind: 'import', arn: ACL() });
  });

  it.each([
    ['an unknown rule group, with a suggestion', { managedRules: ['AWSManagedRulesCommonRuleSets'] }, 'WF1', /'AWSManagedRulesCommonRuleSets' is not an AWS managed rule group tapctl offers; did you mean 'AWSManagedRulesCommonRuleSet'\?/],
    ['an empty list of rule groups (qa3 P2 #5: was an internal error at synth)', { managedRules: [] }, 'WF1', /waf.managedRules lists no rule group: a web ACL without one inspects nothing/],
    ['a rule group twice', { managedRules: ['AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesSQLiRuleSet'] }, 'WF1', /listed twice/],
    ['a REGIONAL web ACL', { webAclArn: ACL('regional') }, 'WF2', /REGIONAL scope; CloudFront takes CLOUDFRONT-scope web ACLs only/],
    ["another account's web ACL", { webAclArn: ACL('global', 'us-east-1', '999999999999') }, 'WF2', /belongs to account 999999999999/],
    ['not a web ACL ARN', { webAclArn: 'shop-prod-acl' }, 'WF2', /is not a WAF web ACL ARN/],
    ['rules and an ARN together', { webAclArn: ACL(), managedRules: ['AWSManagedRulesSQLiRuleSet'] }, 'WF3', /waf.managedRules and waf.webAclArn exclude each other/],
  ])('refuses %s', (_what, waf, rule, message) => {
    const loaded = one('prod', 'us-east-1', { waf });
    const hit = loaded.errors.find((e) => e.rule === rule);
    expect(hit, issues(loaded).join('\n')).toBeDefined();
    expect(hit?.message).toMatch(message);
  });

  it('warns above the 1,500 WCUs the base price covers (WF5)', () => {
    const all = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesLinuxRuleSet', 'AWSManagedRulesWindowsRuleSet', 'AWSManagedRulesPHPRuleSet'];
    const loaded = one('prod', 'us-east-1', { waf: { managedRules: all } });
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings.find((w) => w.rule === 'WF5')?.message).toMatch(/need 1500 WCUs|need 1[5-9]\d\d WCUs/);
  });
});

describe('origin rules', () => {
  it('one port from the prefix list fits the default quota of 60; the plan names the port and weight', () => {
    const loaded = one('dev', 'us-east-1', {});
    expect(loaded.errors).toEqual([]);
    const plan = edgeOf(loaded.environments[0]!);
    expect(plan.origin).toMatchObject({ protocol: 'http', port: 80, ruleQuota: 60, ingress: [{ port: 80, weight: 55 }], acceptedGenerations: [1] });
    // Offline, the prefix list comes from the table; deploy puts the region's own answer in origin.prefixListId.
    expect(plan.origin.prefixListId).toBe('pl-3b927c52');
  });

  it('a quota of 54 refuses the group with the quota code to raise (OR1)', () => {
    const loaded = one('dev', 'us-east-1', { origin: { securityGroupRuleQuota: 54 } });
    expect(loaded.errors[0]).toMatchObject({ rule: 'OR1', path: 'environments.dev.origin.securityGroupRuleQuota' });
    expect(loaded.errors[0]?.hint).toMatch(/L-0EA8095F/);
  });

  it('a rotation accepts the current and the previous generation', () => {
    expect(originOf(one('dev', 'us-east-1', { origin: { secretGeneration: 3 } }).environments[0]!).acceptedGenerations).toEqual([3, 2]);
  });
});
