/**
 * [9/12] against the AWS API emulator: `tapctl bootstrap --ci` creates the account's IAM OIDC provider once (an
 * account singleton: a second bootstrap and another environment find it), deploys the CI roles stack whose roles
 * IAM then holds with the exact trust, and `tapctl ci init` reads the role ARNs from that stack.
 * What the emulator cannot show (a CI job really assuming a role with a web identity token: moto does not check
 * the token's claims against the trust) is asserted on the policies themselves, and with SDK mocks
 * (test/ci/bootstrap-ci.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetOpenIDConnectProviderCommand, GetRoleCommand, IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { e2eSuite, EMULATED_ACCOUNT, emulator, REGION, resetEmulator, Scenario } from './harness.js';

const GITHUB = 'token.actions.githubusercontent.com';
const PROVIDER_ARN = `arn:aws:iam::${EMULATED_ACCOUNT}:oidc-provider/${GITHUB}`;

e2eSuite(import.meta.url, 'e2e-aws: CI roles with short-lived credentials', () => {
  let s: Scenario;
  let iam: IAMClient;
  beforeAll(async () => {
    await resetEmulator();
    s = await Scenario.init();
    iam = new IAMClient({ endpoint: emulator().awsEndpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });

  /** A role's trust policy as IAM holds it (GetRole answers it URL-encoded). */
  async function trustOf(arn: string): Promise<Record<string, any>> {
    const name = arn.split('/').at(-1)!;
    const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
    expect(role.Path).toBe('/tapctl/');
    const doc = role.AssumeRolePolicyDocument!;
    return JSON.parse(doc.startsWith('%') ? decodeURIComponent(doc) : doc);
  }

  it('bootstrap --ci github: the provider created once, the roles in IAM with the exact aud and sub, their ARNs printed', async () => {
    const r = await s.tapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result?.ci).toMatchObject({ oidcProvider: { arn: PROVIDER_ARN, status: 'created' }, stack: 'TapCi-shop-dev', stackStatus: 'deployed' });
    const { plan, deploy } = r.result!.ci.roles as { plan: string; deploy: string };
    expect(plan).toBe(`arn:aws:iam::${EMULATED_ACCOUNT}:role/tapctl/tapctl-ci-shop-dev-plan`);
    expect(deploy).toBe(`arn:aws:iam::${EMULATED_ACCOUNT}:role/tapctl/tapctl-ci-shop-dev-deploy`);

    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN }));
    expect(provider.ClientIDList).toEqual(['sts.amazonaws.com']);
    expect(provider.Tags).toEqual(expect.arrayContaining([{ Key: 'tapctl:account-singleton', Value: `oidc-provider:${GITHUB}` }]));

    // The plan role: pull requests, and the branch where production's plan runs before its approval.
    for (const [arn, sub] of [[plan, ['repo:acme/shop:pull_request', 'repo:acme/shop:ref:refs/heads/main']], [deploy, 'repo:acme/shop:ref:refs/heads/main']] as const) {
      expect((await trustOf(arn)).Statement).toEqual([
        { Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: PROVIDER_ARN }, Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: sub } } },
      ]);
    }
  });

  it('a second bootstrap finds the provider and changes nothing; the roles stack has no changes', async () => {
    const r = await s.tapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result?.ci).toMatchObject({ oidcProvider: { arn: PROVIDER_ARN, status: 'present' }, stackStatus: 'no-changes' });
    const list = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
    expect(list.filter((p) => p.Arn?.endsWith(`/${GITHUB}`))).toHaveLength(1);
  });

  it('re-pointing the roles at another repository (here only its case) is refused, --yes or not; the trust in IAM is kept', async () => {
    const r = await s.tapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'Acme/Shop', '--yes', '--json']);
    expect(r.code, r.output).toBe(3);
    expect(r.output).toContain('repository acme/shop -> Acme/Shop');
    const deploy = `arn:aws:iam::${EMULATED_ACCOUNT}:role/tapctl/tapctl-ci-shop-dev-deploy`;
    expect((await trustOf(deploy)).Statement[0].Condition.StringEquals[`${GITHUB}:sub`]).toBe('repo:acme/shop:ref:refs/heads/main');
  });

  it('ci init github reads the role ARNs from the TapCi stack and writes them into the workflow', async () => {
    const r = await s.tapctl(['ci', 'init', 'github', '--json']);
    expect(r.code, r.output).toBe(0);
    const dev = (r.result?.environments as Array<Record<string, any>>).find((e) => e.name === 'dev')!;
    expect(dev).toMatchObject({ rolesFrom: 'stack', roles: { plan: expect.stringContaining('tapctl-ci-shop-dev-plan'), deploy: expect.stringContaining('tapctl-ci-shop-dev-deploy') } });
    const workflow = parse(readFileSync(join(s.dir, '.github', 'workflows', 'tapctl.yml'), 'utf8'));
    expect(workflow.jobs.diff.strategy.matrix.include.find((m: any) => m.environment === 'dev').role).toBe(dev.roles.plan);
  });

  it("bootstrap --ci gitlab: the instance's own provider beside GitHub's, the roles trusting the protected branch", async () => {
    // Emulator: moto answers 500 to AddClientIDToOpenIDConnectProvider, so a provider that lacks the pipeline's
    // audience (bootstrap adds it: 'repaired') is tested with SDK mocks (test/ci/bootstrap-ci.test.ts).
    // Emulator: moto's CloudFormation does not pass an updated AssumeRolePolicyDocument on to IAM, so the GitLab
    // roles are a second environment's (qa), not dev's changed from GitHub to GitLab.
    s.editConfig((doc) => doc.setIn(['environments', 'qa'], doc.createNode({ account: EMULATED_ACCOUNT, region: REGION, kind: 'staging', endpoint: emulator().awsEndpoint })));
    const r = await s.tapctl(['bootstrap', '--env', 'qa', '--ci', 'gitlab', '--project', 'acme/shop', '--gitlab-host', 'gitlab.example.com', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    const arn = `arn:aws:iam::${EMULATED_ACCOUNT}:oidc-provider/gitlab.example.com`;
    expect(r.result?.ci).toMatchObject({ oidcProvider: { arn, status: 'created' }, stack: 'TapCi-shop-qa', stackStatus: 'deployed' });
    expect((await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).ClientIDList).toEqual(['https://gitlab.example.com']);
    const list = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
    expect(list.map((p) => p.Arn).sort()).toEqual([arn, PROVIDER_ARN]);
    for (const role of [r.result!.ci.roles.plan, r.result!.ci.roles.deploy]) {
      expect((await trustOf(role)).Statement[0]).toMatchObject({
        Principal: { Federated: arn },
        Condition: { StringEquals: { 'gitlab.example.com:aud': 'https://gitlab.example.com', 'gitlab.example.com:sub': 'project_path:acme/shop:ref_type:branch:ref:main' } },
      });
    }
  });
});
