/**
 * The account-singleton model (src/aws/account-singletons.ts) on its own, with an in-memory singleton shaped like
 * the IAM OIDC provider of [9/12] (one per account; a second create answers EntityAlreadyExists), and the API
 * Gateway CloudWatch role against the real SDK clients (aws-sdk-client-mock).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSingleton, ownerFromTags, requireSingleton, SINGLETON_TAG, type AccountSingleton, type SingletonState } from '../../src/aws/account-singletons.js';
import { APIGATEWAY_ROLE_NAME, apiGatewayCloudWatchRole } from '../../src/aws/apigateway-account.js';
import { AwsClients } from '../../src/aws/clients.js';

const clients = () => new AwsClients({ region: 'eu-west-1' });

/** An OIDC-provider-like singleton in memory: `provider` is what the account has. */
function oidcLike(account: { provider?: { arn: string; tags: Array<{ Key: string; Value: string }> }; racer?: boolean; deny?: boolean }) {
  let creates = 0;
  const s: AccountSingleton<{ arn: string }> = {
    id: 'github-oidc-provider',
    what: "the account's IAM OIDC identity provider for GitHub Actions",
    scope: 'account',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
    permissions: { find: ['iam:ListOpenIDConnectProviders'], create: ['iam:CreateOpenIDConnectProvider'] },
    alreadyExists: ['EntityAlreadyExistsException', 'EntityAlreadyExists'],
    removal: 'aws iam delete-open-id-connect-provider --open-id-connect-provider-arn <arn>',
    async find(): Promise<SingletonState<{ arn: string }>> {
      const p = account.provider;
      if (!p) return { kind: 'missing', detail: 'account has no OIDC provider for token.actions.githubusercontent.com' };
      return { kind: 'present', value: { arn: p.arn }, owner: ownerFromTags(p.tags, 'github-oidc-provider'), detail: p.arn };
    },
    async create() {
      creates++;
      if (account.deny) throw Object.assign(new Error('User is not authorized to perform: iam:CreateOpenIDConnectProvider'), { name: 'AccessDenied' });
      if (account.racer) {
        // Another bootstrap created it between our find and our create.
        account.provider = { arn: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com', tags: [{ Key: SINGLETON_TAG, Value: 'github-oidc-provider' }] };
        throw Object.assign(new Error('Provider with url https://token.actions.githubusercontent.com already exists.'), { name: 'EntityAlreadyExistsException' });
      }
      if (account.provider) throw Object.assign(new Error('exists'), { name: 'EntityAlreadyExistsException' });
      account.provider = { arn: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com', tags: [{ Key: SINGLETON_TAG, Value: 'github-oidc-provider' }] };
      return { arn: account.provider.arn };
    },
  };
  return { s, creates: () => creates };
}

describe('ensureSingleton: create once, never twice, never taken from someone else', () => {
  it('missing: created once; a second ensure finds it and creates nothing', async () => {
    const account: Parameters<typeof oidcLike>[0] = {};
    const { s, creates } = oidcLike(account);
    expect(await ensureSingleton(clients(), s, 'account 1')).toMatchObject({ status: 'created', value: { arn: expect.stringContaining('oidc-provider') } });
    expect(await ensureSingleton(clients(), s, 'account 1')).toMatchObject({ status: 'present' });
    expect(creates()).toBe(1);
  });

  it('a create that loses the race (EntityAlreadyExists) reads it again: present, not an error', async () => {
    const { s, creates } = oidcLike({ racer: true });
    expect(await ensureSingleton(clients(), s, 'account 1')).toMatchObject({ status: 'present', raced: true, detail: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com' });
    expect(creates()).toBe(1);
  });

  it('one set up outside tapctl is used as it is: never created over, never changed', async () => {
    const { s, creates } = oidcLike({ provider: { arn: 'arn:aws:iam::1:oidc-provider/theirs', tags: [] } });
    expect(await ensureSingleton(clients(), s, 'account 1')).toMatchObject({ status: 'present', detail: 'arn:aws:iam::1:oidc-provider/theirs' });
    expect(creates()).toBe(0);
  });

  it("one a CloudFormation stack owns is moved to tapctl's own (the stack can then drop it)", async () => {
    const account = { provider: { arn: 'arn:aws:iam::1:oidc-provider/x', tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'TapStack-shop-dev' }] } };
    const { s } = oidcLike(account);
    // This toy's create refuses an existing one: the stack's copy must be gone first, as a real take-over would do.
    const moving: AccountSingleton<{ arn: string }> = { ...s, create: async (c, before) => ((account.provider = undefined as never), s.create(c, before)) };
    expect(await ensureSingleton(clients(), moving, 'account 1')).toMatchObject({ status: 'moved' });
  });

  it('a denied create names the permissions the singleton needs', async () => {
    const { s } = oidcLike({ deny: true });
    await expect(ensureSingleton(clients(), s, 'account 1')).rejects.toMatchObject({
      code: 'access-denied',
      message: expect.stringContaining("while creating the account's IAM OIDC identity provider for GitHub Actions in account 1"),
      hint: expect.stringContaining('iam:ListOpenIDConnectProviders, iam:CreateOpenIDConnectProvider'),
    });
  });

  it('requireSingleton: missing is exit 1 naming the command that creates it; present is returned', async () => {
    const { s } = oidcLike({});
    await expect(requireSingleton(clients(), s, { scope: 'account 1', fix: 'tapctl bootstrap --env dev --ci github', needed: "CI deploys need OIDC in 'dev'" })).rejects.toMatchObject({
      exitCode: 1,
      code: 'account-singleton-missing',
      message: "CI deploys need OIDC in 'dev', but account has no OIDC provider for token.actions.githubusercontent.com",
      hint: expect.stringMatching(/^tapctl bootstrap --env dev --ci github creates the account's IAM OIDC identity provider for GitHub Actions once for account 1/),
    });
  });
});

describe("the API Gateway CloudWatch role (one per account and region)", () => {
  const apigw = mockClient(APIGatewayClient);
  const iam = mockClient(IAMClient);
  const cfn = mockClient(CloudFormationClient);
  const ROLE = `arn:aws:iam::111111111111:role/tapctl/${APIGATEWAY_ROLE_NAME}`;
  const noSuch = () => Object.assign(new Error('cannot be found'), { name: 'NoSuchEntityException' });
  const noStack = () => Object.assign(new Error('Stack for x does not exist'), { name: 'ValidationError' });
  const singleton = () => apiGatewayCloudWatchRole('eu-west-1', { propagationDelaysMs: [1, 1, 1], sleep: async () => undefined });
  afterEach(() => {
    apigw.reset();
    iam.reset();
    cfn.reset();
  });

  it('find: no role set is missing', async () => {
    apigw.on(GetAccountCommand).resolves({});
    expect(await singleton().find(clients())).toEqual({ kind: 'missing', detail: 'account has no API Gateway CloudWatch role in eu-west-1' });
  });

  it('find: a setting that names a deleted role is broken, not present (the destroyed-dev case)', async () => {
    apigw.on(GetAccountCommand).resolves({ cloudwatchRoleArn: 'arn:aws:iam::111111111111:role/TapStack-shop-dev-ApiEcommerceAPICloudWatchRo-ABC' });
    iam.on(GetRoleCommand).rejects(noSuch());
    expect(await singleton().find(clients())).toMatchObject({ kind: 'broken', detail: expect.stringMatching(/names role .*TapStack-shop-dev-ApiEcommerceAPICloudWatchRo-ABC, which no longer exists/) });
  });

  it("find: owned by tapctl (its tag), by a stack (DescribeStackResources), or by someone else", async () => {
    apigw.on(GetAccountCommand).resolves({ cloudwatchRoleArn: ROLE });
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: APIGATEWAY_ROLE_NAME, Arn: ROLE, Path: '/tapctl/', RoleId: 'r', CreateDate: new Date(), Tags: [{ Key: SINGLETON_TAG, Value: 'apigateway-cloudwatch-role' }] } });
    cfn.on(DescribeStackResourcesCommand).rejects(noStack());
    expect(await singleton().find(clients())).toMatchObject({ kind: 'present', owner: { kind: 'tapctl' }, detail: `${ROLE} (created by tapctl bootstrap)` });

    const stackRole = 'arn:aws:iam::111111111111:role/TapStack-shop-prod-ApiRole-XYZ';
    apigw.on(GetAccountCommand).resolves({ cloudwatchRoleArn: stackRole });
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'TapStack-shop-prod-ApiRole-XYZ', Arn: stackRole, Path: '/', RoleId: 'r', CreateDate: new Date(), Tags: [{ Key: 'ManagedBy', Value: 'tapctl' }] } });
    cfn.on(DescribeStackResourcesCommand, { PhysicalResourceId: 'TapStack-shop-prod-ApiRole-XYZ' }).resolves({ StackResources: [{ StackName: 'TapStack-shop-prod', LogicalResourceId: 'R', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() }] });
    expect(await singleton().find(clients())).toMatchObject({ kind: 'present', owner: { kind: 'stack', stackName: 'TapStack-shop-prod' }, detail: `${stackRole} (a resource of stack TapStack-shop-prod)` });

    cfn.on(DescribeStackResourcesCommand).rejects(noStack());
    expect(await singleton().find(clients())).toMatchObject({ kind: 'present', owner: { kind: 'other' }, detail: `${stackRole} (set up outside tapctl)` });
  });

  it('find: a denied read is an error, never "missing"', async () => {
    apigw.on(GetAccountCommand).rejects(Object.assign(new Error('not authorized to perform: apigateway:GET'), { name: 'AccessDeniedException' }));
    await expect(singleton().find(clients())).rejects.toMatchObject({ code: 'access-denied' });
  });

  it('create: a role of its own with the push policy, then the setting; retried while IAM propagates the new role', async () => {
    iam.on(GetRoleCommand).rejects(noSuch());
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName: APIGATEWAY_ROLE_NAME, Arn: ROLE, Path: '/tapctl/', RoleId: 'r', CreateDate: new Date() } });
    iam.on(AttachRolePolicyCommand).resolves({});
    const propagating = Object.assign(new Error('The role ARN does not have required permissions set to API Gateway'), { name: 'BadRequestException' });
    apigw.on(UpdateAccountCommand).rejectsOnce(propagating).rejectsOnce(propagating).resolves({ cloudwatchRoleArn: ROLE });
    expect(await singleton().create(clients(), { kind: 'missing', detail: '' })).toEqual({ roleArn: ROLE });
    const created = iam.commandCalls(CreateRoleCommand)[0].args[0].input;
    expect(created).toMatchObject({ RoleName: APIGATEWAY_ROLE_NAME, Path: '/tapctl/', Tags: expect.arrayContaining([{ Key: SINGLETON_TAG, Value: 'apigateway-cloudwatch-role' }]) });
    expect(JSON.parse(created.AssumeRolePolicyDocument!).Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    expect(iam.commandCalls(AttachRolePolicyCommand)[0].args[0].input).toEqual({ RoleName: APIGATEWAY_ROLE_NAME, PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' });
    expect(apigw.commandCalls(UpdateAccountCommand)).toHaveLength(3);
    expect(apigw.commandCalls(UpdateAccountCommand)[2].args[0].input).toEqual({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: ROLE }] });
  });

  it('create in a second region reuses the role (IAM is global) and only sets that region; a lost CreateRole race reads the winner', async () => {
    iam.on(GetRoleCommand).resolvesOnce({ Role: { RoleName: APIGATEWAY_ROLE_NAME, Arn: ROLE, Path: '/tapctl/', RoleId: 'r', CreateDate: new Date() } });
    iam.on(AttachRolePolicyCommand).resolves({});
    apigw.on(UpdateAccountCommand).resolves({});
    await singleton().create(clients(), { kind: 'missing', detail: '' });
    expect(iam.commandCalls(CreateRoleCommand)).toHaveLength(0);

    iam.reset();
    iam.on(GetRoleCommand).rejectsOnce(noSuch()).resolves({ Role: { RoleName: APIGATEWAY_ROLE_NAME, Arn: ROLE, Path: '/tapctl/', RoleId: 'r', CreateDate: new Date() } });
    iam.on(CreateRoleCommand).rejects(Object.assign(new Error('Role with name already exists'), { name: 'EntityAlreadyExistsException' }));
    iam.on(AttachRolePolicyCommand).resolves({});
    expect(await singleton().create(clients(), { kind: 'missing', detail: '' })).toEqual({ roleArn: ROLE });
  });

  it('create gives up after the last propagation wait with the error as it is', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: APIGATEWAY_ROLE_NAME, Arn: ROLE, Path: '/tapctl/', RoleId: 'r', CreateDate: new Date() } });
    iam.on(AttachRolePolicyCommand).resolves({});
    apigw.on(UpdateAccountCommand).rejects(Object.assign(new Error('The role ARN does not have required permissions set to API Gateway'), { name: 'BadRequestException' }));
    await expect(singleton().create(clients(), { kind: 'missing', detail: '' })).rejects.toMatchObject({ name: 'BadRequestException' });
    expect(apigw.commandCalls(UpdateAccountCommand)).toHaveLength(4);
  });
});
