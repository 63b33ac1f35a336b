/**
 * The fixture corpus: each invalid config must produce exactly the located issue a user needs,
 * with the path they must edit and the message that says what is wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function load(config: Record<string, unknown> | string) {
  project = tempProject(config);
  return loadConfig(project.configPath);
}

const dev = (settings: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', ...settings } }, ...extra });
const prod = (settings: Record<string, unknown>) =>
  sampleConfig({ environments: { prod: { account: '222222222222', region: 'us-east-1', ...settings } } });

interface Case {
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly path: string;
  readonly message: RegExp;
  readonly rule?: string;
  readonly severity?: 'error' | 'warning';
}

const cases: Case[] = [
  { name: 'Fargate cpu/memory pair', config: dev({ container: { cpu: 1024, memory: 1024 } }), path: 'environments.dev.container.memory', message: /does not pair 1024 MiB with 1024 CPU units/, rule: 'F1' },
  { name: 'Fargate cpu value', config: dev({ container: { cpu: 300 } }), path: 'environments.dev.container.cpu', message: /does not offer 300 CPU units/, rule: 'F1' },
  { name: 'Aurora min above max', config: dev({ database: { minCapacity: 4, maxCapacity: 2 } }), path: 'environments.dev.database.minCapacity', message: /minimum capacity 4 ACUs is above the maximum 2/, rule: 'D1' },
  { name: 'Aurora capacity step', config: dev({ database: { maxCapacity: 2.25 } }), path: 'environments.dev.database.maxCapacity', message: /steps of 0.5; got 2.25/, rule: 'D1' },
  { name: 'tasks min above max', config: dev({ container: { minTasks: 5, maxTasks: 3 } }), path: 'environments.dev.container.minTasks', message: /minTasks 5 is above maxTasks 3/, rule: 'S1' },
  { name: 'CIDR syntax', config: dev({ network: { cidr: '10.0.0/16' } }), path: 'environments.dev.network.cidr', message: /is not an IPv4 CIDR block/, rule: 'V1' },
  { name: 'CIDR host bits', config: dev({ network: { cidr: '10.0.1.0/16' } }), path: 'environments.dev.network.cidr', message: /has host bits set/, rule: 'V1' },
  { name: 'no room for the subnets', config: dev({ network: { cidr: '10.0.0.0/24', subnetMask: 24 } }), path: 'environments.dev.network.subnetMask', message: /6 subnets of \/24 \(3 tiers x 2 AZs\) do not fit in 10.0.0.0\/24/, rule: 'V2' },
  { name: 'AZ in another region', config: dev({ network: { availabilityZones: ['us-east-1a', 'eu-west-1b'] } }), path: 'environments.dev.network.availabilityZones', message: /eu-west-1b is not in region us-east-1/, rule: 'V3' },
  { name: 'a region typo', config: sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-est-1' } } }), path: 'environments.dev.region', message: /'us-est-1' is not an AWS region; did you mean 'us-east-1'\?/, rule: 'V5' },
  { name: 'more zones than the region offers by default', config: sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-west-1', network: { maxAzs: 3, natGateways: 1 } } } }), path: 'environments.dev.network.maxAzs', message: /us-west-1 has 2 availability zones per account; network.maxAzs is 3/, rule: 'V3' },
  { name: 'more NAT gateways than AZs', config: dev({ network: { natGateways: 3 } }), path: 'environments.dev.network.natGateways', message: /at most one per zone/, rule: 'V4' },
  { name: 'unknown engine version', config: dev({ database: { version: '16.99' } }), path: 'environments.dev.database.version', message: /has no version '16.99'/, rule: 'R1' },
  { name: 'retired engine major', config: dev({ database: { version: '12.22' } }), path: 'environments.dev.database.version', message: /is retired/, rule: 'R1' },
  { name: 'version the spec records as unavailable in the region', config: sampleConfig({ environments: { dev: { account: '111111111111', region: 'eu-north-1', database: { version: '15.3' } } } }), path: 'environments.dev.database.version', message: /15.3 is not offered in eu-north-1/, rule: 'R1' },
  { name: 'mysql version in postgres syntax', config: dev({ database: { engine: 'aurora-mysql', version: '16.4' } }), path: 'environments.dev.database.version', message: /aurora-mysql has no version '16.4'/, rule: 'R1' },
  { name: 'reserved master username', config: dev({ database: { username: 'admin' } }), path: 'environments.dev.database.username', message: /'admin' is a reserved word/, rule: 'D3' },
  { name: 'mysql username too long', config: dev({ database: { engine: 'aurora-mysql', username: 'a_very_long_admin_name' } }), path: 'environments.dev.database.username', message: /is not allowed/, rule: 'D3' },
  { name: 'database name', config: dev({ database: { name: 'shop-db' } }), path: 'environments.dev.database.name', message: /database name 'shop-db' is not allowed/, rule: 'D2' },
  { name: 'maintenance window format', config: dev({ database: { maintenanceWindow: 'sunday 4am' } }), path: 'environments.dev.database.maintenanceWindow', message: /is not ddd:hh:mm-ddd:hh:mm/, rule: 'D4' },
  { name: 'retired Lambda runtime from the spec', config: dev({ lambda: { runtime: 'nodejs18.x' } }), path: 'environments.dev.lambda.runtime', message: /nodejs18.x is end-of-life/, rule: 'L4' },
  { name: 'image tag', config: dev({ container: { image: { tag: '-bad' } } }), path: 'environments.dev.container.image.tag', message: /is not a valid image tag/, rule: 'I2' },
  { name: 'image repository', config: dev({ container: { image: { repository: 'Upper/Case:tag' } } }), path: 'environments.dev.container.image.repository', message: /is not an image repository reference/, rule: 'I1' },
  { name: 'log retention CloudWatch refuses', config: dev({ logRetentionDays: 10 }), path: 'environments.dev.logRetentionDays', message: /does not accept a retention of 10 days/, rule: 'G1' },
  { name: 'lifecycle order', config: dev({ storage: { assetsInfrequentAccessDays: 60, assetsGlacierDays: 45 } }), path: 'environments.dev.storage.assetsGlacierDays', message: /GLACIER \(day 45\) before/, rule: 'P5' },
  { name: 'ALB name over 32 (N4)', config: sampleConfig({ project: 'marketplace', environments: { dev: { account: '111111111111', region: 'us-east-1', suffix: 'feature-checkout-v2' } } }), path: 'environments.dev.suffix', message: /load balancer name 'marketplace-alb-feature-checkout-v2' is 35 characters; AWS allows at most 32/, rule: 'N4' },
  { name: 'underscore in names, reported once (N1)', config: sampleConfig({ environments: { qa_1: { account: '111111111111', region: 'us-east-1' } } }), path: 'environments.qa_1', message: /\d+ physical names would contain '_': TapStack-shop-qa_1, .*shop-static-assets-qa_1-111111111111/, rule: 'N1' },
  { name: 'engine version without 0 ACU (R4, issue example)', config: dev({ database: { version: '14.9', minCapacity: 0 } }), path: 'environments.dev.database.minCapacity', message: /database.minCapacity 0 .*needs aurora-postgresql 14.12 or later.*database.version is 14.9/, rule: 'R4' },
  { name: 'unexpanded placeholder suffix (N2, issue example)', config: dev({ suffix: '${environmentSuffix}' }), path: 'environments.dev.suffix', message: /'\$\{environmentSuffix\}' is a placeholder/, rule: 'N2' },
  { name: 'zones the region lacks (V3, issue example)', config: sampleConfig({ environments: { dev: { account: '111111111111', region: 'eu-west-3', network: { maxAzs: 4, natGateways: 1 } } } }), path: 'environments.dev.network.maxAzs', message: /eu-west-3 has 3 availability zones; network.maxAzs is 4/, rule: 'V3' },
  { name: 'secret build argument (B1, issue example)', config: dev({ container: { buildArgs: { NPM_TOKEN: `npm_${'x'.repeat(36)}` } } }), path: 'environments.dev.container.buildArgs.NPM_TOKEN', message: /build argument NPM_TOKEN holds what looks like an npm token/, rule: 'B1' },
  { name: 'reserved tag key (T1)', config: dev({ tags: { 'aws:team': 'x' } }), path: 'environments.dev.tags.aws:team', message: /reserved for AWS/, rule: 'T1' },
  { name: 'production without retained data', config: prod({ protection: { retainData: false } }), path: 'environments.prod.protection.retainData', message: /production must retain its data/, rule: 'S2' },
  { name: 'production alerts to example.com', config: sampleConfig({ defaults: {}, environments: { prod: { account: '222222222222', region: 'us-east-1' } } }), path: 'environments.prod.alarms.email', message: /alerts go to admin@example.com/, rule: 'O1' },
  { name: 'an image pinned to latest, even in development', config: dev({ container: { image: { tag: 'latest' } } }), path: 'environments.dev.container.image.tag', message: /'latest' moves to every new image: the pin would not say which image runs/, rule: 'I2' },
  { name: 'an image pinned to the placeholder tag', config: dev({ container: { image: { tag: 'tapctl-bootstrap-placeholder' } } }), path: 'environments.dev.container.image.tag', message: /'tapctl-bootstrap-placeholder' is reserved: it is the bootstrap placeholder/, rule: 'I2' },
  { name: 'an ftp:// endpoint', config: dev({ endpoint: 'ftp://x' }), path: 'environments.dev.endpoint', message: /endpoint 'ftp:\/\/x' is not an http:\/\/ or https:\/\/ URL/, rule: 'E2' },
  { name: 'an ftp:// registryEndpoint', config: dev({ endpoint: 'http://127.0.0.1:5000', registryEndpoint: 'ftp://r' }), path: 'environments.dev.registryEndpoint', message: /registryEndpoint 'ftp:\/\/r' is not an http:\/\/ or https:\/\/ URL/, rule: 'E2' },
  { name: 'an emulated registry without an emulated AWS API', config: dev({ registryEndpoint: 'http://127.0.0.1:5001' }), path: 'environments.dev.registryEndpoint', message: /registryEndpoint http:\/\/127.0.0.1:5001 only applies to an emulated environment, and this one has no endpoint/, rule: 'E1' },
  { name: "CloudFront's certificate in the wrong region (DN2)", config: sampleConfig({ environments: { prod: { account: '222222222222', region: 'eu-west-1', domain: { name: 'shop.example.com', certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }, waf: { enabled: false } } } }), path: 'environments.prod.domain.certificateArn', message: /the certificate is in eu-west-1, but CloudFront uses certificates in us-east-1 only/, rule: 'DN2' },
  { name: 'a hosted zone that does not contain the name (DN1)', config: dev({ domain: { name: 'shop.example.org', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } }), path: 'environments.dev.domain.zoneName', message: /the hosted zone example.com does not contain shop.example.org/, rule: 'DN1' },
  { name: "a security group rule quota the CloudFront prefix list does not fit (OR1)", config: dev({ origin: { securityGroupRuleQuota: 50 } }), path: 'environments.dev.origin.securityGroupRuleQuota', message: /needs 55 rules .* above the account's quota of 50 inbound rules per security group/, rule: 'OR1' },
  { name: 'two environments on one stack', config: sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1' }, dev2: { account: '111111111111', region: 'us-east-1', suffix: 'dev' } } }), path: 'environments.dev2', message: /would both deploy stack TapStack-shop-dev/, rule: 'N8' },
];

describe('rule corpus: each invalid config reports the path to fix and what is wrong', () => {
  it.each(cases)('$name', ({ config, path, message, rule }) => {
    // GIVEN a config that breaks one rule WHEN it is loaded
    const loaded = load(config);
    // THEN exactly that error is reported, located in the file
    const hit = loaded.errors.find((e) => e.path === path && message.test(e.message));
    expect(hit, `errors were: ${JSON.stringify(loaded.errors, null, 1)}`).toBeDefined();
    if (rule) expect(hit?.rule).toBe(rule);
    expect(hit?.line).toBeGreaterThan(0);
  });
});

describe('warnings never block', () => {
  it('warns about a production database with no reader, a non-production environment that retains data, and API logging', () => {
    const loaded = load(
      sampleConfig({
        environments: {
          prod: { account: '222222222222', region: 'us-east-1', database: { readers: 0 }, protection: { deletionProtection: false } },
          dev: { account: '111111111111', region: 'us-east-1', protection: { retainData: true }, api: { loggingLevel: 'INFO' } },
        },
      }),
    );
    expect(loaded.errors).toEqual([]);
    const messages = loaded.warnings.map((w) => `${w.path}: ${w.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/prod.database.readers: production has no reader/),
        expect.stringMatching(/prod.protection.deletionProtection: production database and load balancer have no deletion protection/),
        expect.stringMatching(/dev.protection.retainData: development retains data/),
        expect.stringMatching(/dev.api.loggingLevel: API Gateway INFO logging needs/),
      ]),
    );
    expect(loaded.environments).toHaveLength(2);
  });

  it('an emulated environment names its registry beside its endpoint, and resolves with both', () => {
    const loaded = load(dev({ endpoint: 'http://127.0.0.1:5000', registryEndpoint: 'http://127.0.0.1:5001' }));
    expect(loaded.errors).toEqual([]);
    expect(loaded.environments[0]).toMatchObject({ endpoint: 'http://127.0.0.1:5000', registryEndpoint: 'http://127.0.0.1:5001' });
  });

  it('a version the spec saw fail elsewhere is a warning, not an error', () => {
    const loaded = load(dev({ database: { version: '15.4' } }));
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings.find((w) => w.rule === 'R1')?.message).toMatch(/15.4 has failed to deploy before/);
  });
});

describe('one issue per cause', () => {
  it('an underscore that breaks many names is one error, not one per name', () => {
    const loaded = load(sampleConfig({ environments: { qa_1: { account: '111111111111', region: 'us-east-1' } } }));
    // The suffix is the environment's name (no suffix key), so the error is at the key the user wrote.
    expect(loaded.errors.filter((e) => e.path.startsWith('environments.qa_1'))).toHaveLength(1);
    expect(loaded.errors[0].hint).toMatch(/set environments.qa_1.suffix .*or rename the environment/);
  });

  it('a number written as a string says to remove the quotes', () => {
    const { errors } = load(dev({ network: { natGateways: '1' } }));
    expect(errors[0].message).toBe("expected a number, got the string '1': remove the quotes");
  });

  it('a huge number is one error, with the bound of the schema', () => {
    const { errors } = load(dev({ network: { maxAzs: 1e20 } }));
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/must be at most 6/);
  });
});

describe('where an issue is reported', () => {
  it('points at defaults: when the broken value is shared, and reports it once', () => {
    const loaded = load(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, container: { cpu: 512, memory: 8192 } } }));
    const hits = loaded.errors.filter((e) => e.rule === 'F1');
    expect(hits).toHaveLength(1);
    expect(hits[0].path).toBe('defaults.container.memory');
    expect(hits[0].line).toBeGreaterThan(0);
  });

  it('points at the environment override when the environment sets it', () => {
    const text = [
      'project: shop',
      'defaults:',
      '  alarms: { email: ops@shop.test }',
      'environments:',
      '  dev:',
      '    account: "111111111111"',
      '    region: us-east-1',
      '    container:',
      '      cpu: 512',
      '      memory: 8192',
    ].join('\n');
    const loaded = load(text);
    expect(loaded.errors[0]).toMatchObject({ path: 'environments.dev.container.memory', line: 10, col: 7 });
  });
});

describe('schema phase', () => {
  it('reports every schema error at once, with positions, suggestions and the secret refusal', () => {
    const text = [
      'project: Shop_1', //                                1
      'environments:', //                                  2
      '  dev:', //                                         3
      '    account: 12345', //                             4
      '    region: us-east-1', //                          5
      '    databse: {}', //                                6
      '    database:', //                                  7
      '      engine: aurora-postgres', //                  8
      '      password: hunter2', //                        9
    ].join('\n');
    const { errors } = load(text);
    expect(errors.map((e) => [e.line, e.path])).toEqual([
      [1, 'project'],
      [4, 'environments.dev.account'],
      [6, 'environments.dev.databse'],
      [8, 'environments.dev.database.engine'],
      [9, 'environments.dev.database.password'],
    ]);
    expect(errors[1].message).toMatch(/got the number 12345: put it in quotes/);
    expect(errors[2].message).toBe("unknown key 'databse'; did you mean 'database'?");
    expect(errors[3].message).toMatch(/Did you mean 'aurora-postgresql'\?/);
    expect(errors[4]).toMatchObject({ rule: 'secrets' });
    expect(errors[4].hint).toMatch(/Secrets Manager/);
  });

  it('reports YAML syntax errors with their position', () => {
    const { errors } = load('project: shop\nenvironments:\n  dev: [unclosed\n');
    expect(errors[0]).toMatchObject({ rule: 'yaml' });
    expect(errors[0].line).toBeGreaterThan(0);
  });

  it('requires at least one environment', () => {
    const { errors } = load({ project: 'shop', environments: {} });
    expect(errors[0]).toMatchObject({ path: 'environments', message: 'at least one environment is required' });
  });
});

describe('the reserved placeholder tag', () => {
  it('the rule refuses the tag infra puts in a task definition without an image', async () => {
    const { RESERVED_PLACEHOLDER_TAG } = await import('../../src/config/rules/runtime.js');
    const { PLACEHOLDER_IMAGE_TAG } = await import('../../src/infra/image-placeholder.js');
    expect(RESERVED_PLACEHOLDER_TAG).toBe(PLACEHOLDER_IMAGE_TAG);
  });
});
