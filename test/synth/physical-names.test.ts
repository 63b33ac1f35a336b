/**
 * Kind 4 of issue [5/12]: every physical name in the synthesized templates, the ones CDK generates included,
 * within its AWS limit and unique across a project's environments (N9-N11). Two environments of one project in
 * one account and region must deploy side by side with every preset: synthesized and compared here.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { ConfigFileSchema, type Preset } from '../../src/config/schema.js';
import { buildApp } from '../../src/infra/app.js';
import { checkPhysicalNames, literalName, physicalNamesOf, type CfnTemplate, type SynthesizedTemplate } from '../../src/synth/physical-names.js';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

const ACCOUNT = '111111111111';

/** Two environments of one project, same account and region, synthesized the way tapctl does. */
function twoEnvironments(preset: Preset, defaults: Record<string, unknown> = {}, region = 'eu-north-1', each: Record<'dev' | 'staging', Record<string, unknown>> = { dev: {}, staging: {} }): SynthesizedTemplate[] {
  const raw = {
    project: 'shop',
    preset,
    defaults: { alarms: { email: 'ops@shop.test' }, network: { maxAzs: 3, natGateways: 1 }, ...defaults },
    environments: { dev: { account: ACCOUNT, region, ...each.dev }, staging: { account: ACCOUNT, region, ...each.staging } },
  };
  const file = ConfigFileSchema.parse(raw);
  return ['dev', 'staging'].map((name) => {
    const env = resolveEnvironment(file, raw, name);
    const { stack } = buildApp(env);
    return { environment: name, account: env.account, region: env.region, stackName: env.names.stack, template: Template.fromStack(stack).toJSON() as CfnTemplate };
  });
}

const template = (resources: Record<string, [string, Record<string, unknown>]>, outputs: Record<string, string> = {}): CfnTemplate => ({
  Resources: Object.fromEntries(Object.entries(resources).map(([id, [Type, Properties]]) => [id, { Type, Properties }])),
  Outputs: Object.fromEntries(Object.entries(outputs).map(([key, name]) => [key, { Export: { Name: name } }])),
});
const at = (environment: string, t: CfnTemplate, where: { account?: string; region?: string } = {}): SynthesizedTemplate => ({
  environment, account: where.account ?? ACCOUNT, region: where.region ?? 'us-east-1', stackName: `TapStack-shop-${environment}`, template: t,
});

describe('two environments of one project deploy side by side, with every preset', () => {
  it.each(['ecommerce', 'catalog-api', 'rds-postgres'] as const)('%s: no physical name of dev is also one of staging, and every name is within its limit', (preset) => {
    const templates = twoEnvironments(preset);
    expect(physicalNamesOf(templates[0]).length).toBeGreaterThan(20);
    expect(checkPhysicalNames(templates)).toEqual([]);
  });

  it.each(['ecommerce', 'catalog-api'] as const)('%s with its edge (a web ACL, a domain each in one zone) in us-east-1: still no shared name', (preset) => {
    // GIVEN both environments with a web ACL tapctl creates and their own names in one hosted zone
    const edge = { waf: { enabled: true }, domain: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } };
    const templates = twoEnvironments(preset, edge, 'us-east-1', { dev: { domain: { name: 'dev.example.com' } }, staging: { domain: { name: 'staging.example.com' } } });
    // THEN the web ACLs (one namespace per account) are among the names checked, and nothing collides
    expect(templates.map((t) => physicalNamesOf(t).find((n) => n.spec.type === 'AWS::WAFv2::WebACL')?.name)).toEqual(['shop-web-acl-dev', 'shop-web-acl-staging']);
    expect(checkPhysicalNames(templates)).toEqual([]);
  });

  it.each(['ecommerce', 'catalog-api'] as const)('%s with gradual deployments in both (canary, blue-green): four target groups, four names, none shared', (preset) => {
    // GIVEN both environments with a second target group (deployment.strategy other than rolling)
    const templates = twoEnvironments(preset, {}, 'eu-north-1', { dev: { deployment: { strategy: 'canary' } }, staging: { deployment: { strategy: 'blue-green' } } });
    // THEN each stack's two target group names are checked against ELB's 32 characters, and nothing collides
    const groups = templates.map((t) => physicalNamesOf(t).filter((n) => n.spec.type === 'AWS::ElasticLoadBalancingV2::TargetGroup').map((n) => n.name));
    expect(groups).toEqual([
      ['shop-tg-dev', 'shop-tg2-dev'],
      ['shop-tg-staging', 'shop-tg2-staging'],
    ]);
    expect(checkPhysicalNames(templates)).toEqual([]);
  });

  it("rds-postgres: the bastion's launch template has a name of its own in each stack (it was 'InstanceLaunchTemplate' in all)", () => {
    const names = twoEnvironments('rds-postgres').map((t) => physicalNamesOf(t).find((n) => n.spec.type === 'AWS::EC2::LaunchTemplate')?.name);
    expect(names[0]).toMatch(/^TapStackshopdev/);
    expect(names[1]).toMatch(/^TapStackshopstaging/);
  });

  it("ecommerce with execution logging in both: neither stack declares the account's API Gateway role, so nothing is shared (N11)", () => {
    const templates = twoEnvironments('ecommerce', { api: { loggingLevel: 'INFO' } });
    expect(checkPhysicalNames(templates)).toEqual([]);
    for (const t of templates) expect(Object.values(t.template.Resources ?? {}).map((r) => r.Type)).not.toContain('AWS::ApiGateway::Account');
  });
});

describe('N11: a stack that declares an account singleton', () => {
  it('an API Gateway account setting in one stack is a warning naming the stack (one stack is enough to take it from the others)', () => {
    const legacy = at('dev', template({ Account: ['AWS::ApiGateway::Account', { CloudWatchRoleArn: 'arn:aws:iam::111111111111:role/r' }] }));
    expect(checkPhysicalNames([legacy, at('prod', template({}))])).toEqual([
      expect.objectContaining({ severity: 'warning', rule: 'N11', environment: 'dev', resource: 'Account', message: expect.stringMatching(/^TapStack-shop-dev declares the account's API Gateway CloudWatch Logs role \(one per account and region\) \(Account\): .*tapctl bootstrap sets it once/) }),
    ]);
  });

  it('an IAM OIDC provider declared by two stacks: a warning for each', () => {
    const oidc = template({ Provider: ['AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com' }] });
    expect(checkPhysicalNames([at('dev', oidc), at('staging', oidc)]).map((f) => [f.rule, f.environment])).toEqual([
      ['N11', 'dev'],
      ['N11', 'staging'],
    ]);
  });
});

describe('N9: the same name in one namespace', () => {
  it('a bucket name is global: a collision across accounts and regions', () => {
    const a = at('dev', template({ B: ['AWS::S3::Bucket', { BucketName: 'shop-assets' }] }));
    const b = at('prod', template({ B: ['AWS::S3::Bucket', { BucketName: 'shop-assets' }] }), { account: '222222222222', region: 'eu-west-1' });
    expect(checkPhysicalNames([a, b])).toEqual([
      expect.objectContaining({ rule: 'N9', environment: 'prod', message: "S3 bucket name 'shop-assets' is in both 'dev' and 'prod' (S3 bucket names are global): the second create fails because the name is taken" }),
    ]);
  });

  it('an IAM role name is account-wide (two regions collide); a function name is per region (they do not)', () => {
    const resources = { R: ['AWS::IAM::Role', { RoleName: 'shop-deployer' }], F: ['AWS::Lambda::Function', { FunctionName: 'shop-fn' }] } as Record<string, [string, Record<string, unknown>]>;
    const findings = checkPhysicalNames([at('dev', template(resources)), at('staging', template(resources), { region: 'eu-west-1' })]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/^IAM role name 'shop-deployer' is in both 'dev' and 'staging' \(in account 111111111111\)/)]);
  });

  it('an export name used twice in one template, resolved through Fn::Join with the stack name', () => {
    const name = { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'vpc-id']] };
    const t = at('dev', { Outputs: { A: { Export: { Name: name } }, B: { Export: { Name: name } } } });
    expect(checkPhysicalNames([t])).toEqual([expect.objectContaining({ rule: 'N9', message: expect.stringMatching(/export name 'TapStack-shop-dev-vpc-id' is twice in TapStack-shop-dev \(Outputs.A, Outputs.B\)/) })]);
  });
});

describe('N10: names CDK or tapctl generate, against the AWS limit', () => {
  it('a generated rotation function name over 64 characters (failure-lessons.md #4)', () => {
    const long = 'RDSMasterSecretSecretRotationSchedule988E5CA8-MySQLSingleUser-Lambda';
    const t = at('dev', template({ S: ['AWS::SecretsManager::RotationSchedule', { HostedRotationLambda: { RotationLambdaName: long } }] }));
    expect(checkPhysicalNames([t])).toEqual([expect.objectContaining({ rule: 'N10', message: `rotation Lambda function name '${long}' (S) is ${long.length} characters; AWS allows at most 64` })]);
  });

  it('an unresolved token in a bucket name (failure-lessons.md #3) and an upper-case queue-safe but bucket-unsafe name', () => {
    const t = at('dev', template({ A: ['AWS::S3::Bucket', { BucketName: 'shop-${Token[aws.accountid.4]}-dev' }], B: ['AWS::S3::Bucket', { BucketName: 'Shop_Assets' }] }));
    expect(checkPhysicalNames([t]).map((f) => f.message)).toEqual([
      "S3 bucket name 'shop-${Token[aws.accountid.4]}-dev' (A) contains an unresolved placeholder",
      "S3 bucket name 'Shop_Assets' (B) is not allowed: use lower-case letters, digits, dots and hyphens",
    ]);
  });

  it('a name that depends on a resource of its stack is not a literal and is not compared', () => {
    expect(literalName({ 'Fn::Join': ['-', [{ Ref: 'MyBucket' }, 'x']] }, at('dev', {}))).toBeUndefined();
    expect(literalName({ 'Fn::Sub': '${AWS::StackName}-${AWS::Region}' }, at('dev', {}))).toBe('TapStack-shop-dev-us-east-1');
  });
});

describe('tapctl validate --deep runs the check across the environments it synthesizes', () => {
  it('two environments with execution logging declare no account role: no N11, and A1 says bootstrap sets it (exit 0)', async () => {
    const project = tempProject({
      project: 'shop',
      defaults: { alarms: { email: 'ops@shop.test' }, network: { natGateways: 1 }, api: { loggingLevel: 'INFO' } },
      environments: { dev: { account: ACCOUNT, region: 'us-east-1' }, qa: { account: ACCOUNT, region: 'us-east-1' } },
    });
    try {
      const r = await runTapctl(['validate', '--deep'], { cwd: project.dir, env: cleanEnv() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/N11|declares the account's API Gateway/);
      expect(r.stdout + r.stderr).toMatch(/API Gateway INFO logging needs the account's API Gateway CloudWatch Logs role/);
      expect(r.stdout + r.stderr).toMatch(/tapctl bootstrap sets it once per account and region/);
    } finally {
      project.cleanup();
    }
  }, 120_000);
});
