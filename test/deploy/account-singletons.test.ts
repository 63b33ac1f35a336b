/**
 * Kind 1 of [6/12]: account singletons, end to end through deploy's preflight, bootstrap and destroy, on a real
 * synthesized stack with API Gateway execution logging on, against the faked AWS (IAM, API Gateway and
 * CloudFormation at the SDK boundary).
 */
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { GetAccountCommand, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SINGLETON_TAG } from '../../src/aws/account-singletons.js';
import { APIGATEWAY_ROLE_NAME } from '../../src/aws/apigateway-account.js';
import { sampleConfig } from '../helpers/project.js';
import { FakeAws } from './fake-aws.js';
import { aimFake, synthesizedProject, tapctl, type Fixture } from './setup.js';

const ACCOUNT = '111111111111';
const TAPCTL_ROLE = `arn:aws:iam::${ACCOUNT}:role/tapctl/${APIGATEWAY_ROLE_NAME}`;
const LEGACY_ROLE = 'TapStack-shop-dev-ApiEcommerceAPICloudWatchRo-1A2B3C';

let logging: Fixture;
let quiet: Fixture;
let fake: FakeAws;

beforeAll(async () => {
  logging = await synthesizedProject(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, api: { loggingLevel: 'ERROR' } } }));
  quiet = await synthesizedProject();
});
afterAll(() => {
  logging.project.cleanup();
  quiet.project.cleanup();
});
beforeEach(() => {
  fake = new FakeAws();
  aimFake(fake, logging);
});
afterEach(() => fake.restore());

/** The account as tapctl bootstrap leaves it: its own role, tagged, named by the region's setting. */
function tapctlRole(): void {
  fake.iamRoles.set(APIGATEWAY_ROLE_NAME, { arn: TAPCTL_ROLE, tags: [{ Key: SINGLETON_TAG, Value: 'apigateway-cloudwatch-role' }], policies: [] });
  fake.apiGatewayRole = TAPCTL_ROLE;
}

/**
 * A stack deployed by an earlier tapctl: it declares the account's role (CDK's cloudWatchRole) and the region's
 * setting names it.
 */
function legacyStack(f: Fixture, retained: boolean): void {
  aimFake(fake, f);
  fake.deployedAsIs();
  const t = f.template();
  t.Resources.ApiCloudWatchRole = { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'] }, ...(retained ? { DeletionPolicy: 'Retain' } : {}) };
  t.Resources.ApiAccount = { Type: 'AWS::ApiGateway::Account', Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': ['ApiCloudWatchRole', 'Arn'] } }, ...(retained ? { DeletionPolicy: 'Retain' } : {}) };
  fake.stack!.template = t;
  const arn = `arn:aws:iam::${ACCOUNT}:role/${LEGACY_ROLE}`;
  fake.iamRoles.set(LEGACY_ROLE, { arn, tags: [{ Key: 'ManagedBy', Value: 'tapctl' }], policies: [] });
  fake.stackOfPhysicalId.set(LEGACY_ROLE, 'TapStack-shop-dev');
  fake.apiGatewayRole = arn;
}

describe('deploy preflight: the role is required and checked, never declared by the stack', () => {
  it('logging on and no role: exit 1 naming tapctl bootstrap, and the dry run says bootstrap comes next', async () => {
    const r = await tapctl(logging, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✖ API Gateway logging {2}API Gateway execution logging is on \(ERROR\) in 'dev', but account has no API Gateway CloudWatch role in us-east-1/);
    expect(r.stderr).toMatch(/hint: tapctl bootstrap --env dev creates the account's API Gateway CloudWatch Logs role once for account 111111111111 in us-east-1/);
    expect(r.stdout).toMatch(/Next:\n {2}tapctl bootstrap --env dev\n {2}tapctl deploy --env dev/);
  });

  it("logging on and tapctl's role: pass, and the synthesized stack declares no account role", async () => {
    tapctlRole();
    const r = await tapctl(logging, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`✔ API Gateway logging  account CloudWatch role ${TAPCTL_ROLE} (created by tapctl bootstrap)`);
    expect(Object.values(logging.template().Resources).map((x: any) => x.Type)).not.toContain('AWS::ApiGateway::Account');
  });

  it('logging on and the setting names a deleted role (an environment destroyed with it): fails, says so', async () => {
    fake.apiGatewayRole = `arn:aws:iam::${ACCOUNT}:role/TapStack-shop-qa-ApiCloudWatchRole-GONE`;
    const r = await tapctl(logging, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/names role .*TapStack-shop-qa-ApiCloudWatchRole-GONE, which no longer exists/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it("logging on and another environment's stack owns the role: a warning that it goes with that stack", async () => {
    const prodRole = 'TapStack-shop-prod-ApiCloudWatchRole-9Z';
    fake.iamRoles.set(prodRole, { arn: `arn:aws:iam::${ACCOUNT}:role/${prodRole}`, tags: [], policies: [] });
    fake.stackOfPhysicalId.set(prodRole, 'TapStack-shop-prod');
    fake.apiGatewayRole = `arn:aws:iam::${ACCOUNT}:role/${prodRole}`;
    const r = await tapctl(logging, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! API Gateway logging {2}account CloudWatch role .*TapStack-shop-prod-ApiCloudWatchRole-9Z \(a resource of stack TapStack-shop-prod\): it goes when that stack is destroyed; tapctl bootstrap --env dev moves the setting/);
  });

  it('logging off and no role declared by the deployed stack: skipped without asking AWS', async () => {
    aimFake(fake, quiet);
    fake.deployedAsIs();
    const r = await tapctl(quiet, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/– API Gateway logging {2}execution logging is off: no account role needed/);
    expect(fake.calls('GetAccount') + fake.calls('GetRole')).toBe(0);
  });

  it("a stack of an earlier tapctl that declares the role the setting names: the deploy that would delete it is refused (exit 3)", async () => {
    for (const f of [logging, quiet]) {
      legacyStack(f, false);
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`refusing to deploy 'dev': API Gateway's account setting in us-east-1 names role ${LEGACY_ROLE} of stack TapStack-shop-dev, and this deploy removes it from the stack: every REST API of account ${ACCOUNT} in us-east-1 would then log through a deleted role`));
      expect(r.stderr).toMatch(/hint: run tapctl bootstrap --env dev first: it moves the setting to tapctl's account-wide role/);
      expect(fake.calls('CreateChangeSet')).toBe(0);
    }
  });

  it('the same stack retaining its role: the deploy goes on (the role outlives the stack), with a warning', async () => {
    legacyStack(logging, true);
    const r = await tapctl(logging, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! API Gateway logging {2}account CloudWatch role .*\(a resource of stack TapStack-shop-dev\)/);
  });
});

describe('bootstrap ensures the singletons the environment needs', () => {
  it('logging on: creates the role once and sets the region; a second bootstrap finds it and changes nothing', async () => {
    const r = await tapctl(logging, ['bootstrap', '--env', 'dev', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, singletons: [{ id: 'apigateway-cloudwatch-role', status: 'created', detail: `${TAPCTL_ROLE} (created by tapctl bootstrap)` }] });
    expect(fake.apiGatewayRole).toBe(TAPCTL_ROLE);
    expect(fake.iamRoles.get(APIGATEWAY_ROLE_NAME)?.policies).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs']);

    const again = await tapctl(logging, ['bootstrap', '--env', 'dev']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/the account's API Gateway CloudWatch Logs role: already there/);
    expect(fake.iam.commandCalls(CreateRoleCommand)).toHaveLength(1);
    expect(fake.apigw.commandCalls(UpdateAccountCommand)).toHaveLength(1);
  });

  it("logging off: creates nothing, but moves a setting an environment's stack owns, so that deploy can go on", async () => {
    aimFake(fake, quiet);
    const untouched = await tapctl(quiet, ['bootstrap', '--env', 'dev', '--json']);
    expect(untouched.code, untouched.stderr).toBe(0);
    expect(JSON.parse(untouched.stdout.trim().split('\n').at(-1)!).singletons).toEqual([]);
    expect(fake.iam.commandCalls(CreateRoleCommand)).toHaveLength(0);

    legacyStack(quiet, false);
    const moved = await tapctl(quiet, ['bootstrap', '--env', 'dev', '--json']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout.trim().split('\n').at(-1)!).singletons).toEqual([expect.objectContaining({ status: 'moved' })]);
    expect(fake.apiGatewayRole).toBe(TAPCTL_ROLE);
    const deploy = await tapctl(quiet, ['deploy', '--env', 'dev', '--dry-run']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toMatch(/✔ API Gateway logging {2}execution logging is off; the account role is .*created by tapctl bootstrap/);
  });

  it("logging off: a denied read of the account's setting does not fail the bootstrap (the environment does not need it)", async () => {
    aimFake(fake, quiet);
    fake.apigw.on(GetAccountCommand).rejects(Object.assign(new Error('not authorized to perform: apigateway:GET'), { name: 'AccessDeniedException' }));
    const r = await tapctl(quiet, ['bootstrap', '--env', 'dev', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).singletons).toEqual([]);
    // With logging on, the same denial is a failure: the environment needs the role.
    aimFake(fake, logging);
    expect((await tapctl(logging, ['bootstrap', '--env', 'dev'])).code).toBe(1);
  });

  it('a denied IAM call: the CDK bootstrap is done, the role is not, and the permissions are named (exit 1)', async () => {
    fake.iam.on(CreateRoleCommand).rejects(Object.assign(new Error('User is not authorized to perform: iam:CreateRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = await tapctl(logging, ['bootstrap', '--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CDK bootstrap of 111111111111\/us-east-1 is done, but an account-wide resource the environment needs is not: AWS denied access while creating the account's API Gateway CloudWatch Logs role/);
    expect(r.stderr).toMatch(/hint: it needs .*iam:CreateRole.*iam:PassRole/);
  });
});

describe('destroy never takes an account singleton with the stack', () => {
  it('refuses (exit 3, before asking) a stack that declares the role the setting names; bootstrap, then it goes', async () => {
    legacyStack(quiet, false);
    const r = await tapctl(quiet, ['destroy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/refusing to destroy 'dev': .* destroying the stack deletes it: every REST API of account 111111111111 in us-east-1 would then log through a deleted role/);
    expect(fake.calls('DeleteStack')).toBe(0);

    expect((await tapctl(quiet, ['bootstrap', '--env', 'dev'])).code).toBe(0);
    const after = await tapctl(quiet, ['destroy', '--env', 'dev', '--yes']);
    expect(after.code, after.stderr).toBe(0);
    expect(fake.calls('DeleteStack')).toBe(1);
    expect(fake.apiGatewayRole).toBe(TAPCTL_ROLE);
  });
});
