/**
 * `tapctl bootstrap --env <name> --ci github|gitlab ...` against the faked AWS (aws-sdk-client-mock on the real
 * clients: toolkit-lib's own deploy of the roles stack runs for real): the OIDC provider as an account singleton
 * (found and reused, created once, a racing create read again, a missing audience added), the roles stack deployed
 * by change set, the role ARNs printed; the refusals come before any AWS call.
 */
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SINGLETON_TAG } from '../../src/aws/account-singletons.js';
import { previewAccountWarning, productionEnvironmentWarning, sharedAccountWarning } from '../../src/ci/bootstrap-ci.js';
import { githubIdentity } from '../../src/ci/identity.js';
import { loadConfig } from '../../src/config/load.js';
import { buildCiRolesApp } from '../../src/infra/ci-roles-stack.js';
import { Template } from 'aws-cdk-lib/assertions';
import { runTapctl } from '../helpers/cli.js';
import { DEV_ACCOUNT, sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { FakeAws } from '../deploy/fake-aws.js';
import { testEnv } from '../deploy/setup.js';

const GITHUB = 'token.actions.githubusercontent.com';
const PROVIDER_ARN = `arn:aws:iam::${DEV_ACCOUNT}:oidc-provider/${GITHUB}`;
const ROLE = (kind: string) => `arn:aws:iam::${DEV_ACCOUNT}:role/tapctl/tapctl-ci-shop-dev-${kind}`;

/** The account's OIDC providers as the fake IAM holds them. */
interface Provider {
  arn: string;
  clientIds: string[];
  tags: Array<{ Key: string; Value: string }>;
}

let project: TempProject;
let fake: FakeAws;
let providers: Provider[];

beforeAll(() => {
  project = tempProject();
});
afterAll(() => project.cleanup());

beforeEach(() => {
  fake = new FakeAws();
  providers = [];
  const env = loadConfig(project.configPath).environments.find((e) => e.name === 'dev')!;
  fake.stackName = 'TapCi-shop-dev';
  fake.account = env.account;
  fake.region = env.region;
  fake.nextTemplate = Template.fromStack(buildCiRolesApp(env, githubIdentity('acme/shop', 'main'), PROVIDER_ARN, false).stack).toJSON() as never;
  fake.outcome = { kind: 'success', outputs: { PlanRoleArn: ROLE('plan'), DeployRoleArn: ROLE('deploy'), CiProvider: 'github', CiRepository: 'acme/shop', CiBranch: 'main' } };
  // The bootstrap bucket holds nothing yet: toolkit-lib uploads the roles stack's template, which a test reads.
  fake.s3.on(ListObjectsV2Command).resolves({ Contents: [], KeyCount: 0 });
  fake.iam.on(ListOpenIDConnectProvidersCommand).callsFake(() => ({ OpenIDConnectProviderList: providers.map((p) => ({ Arn: p.arn })) }));
  fake.iam.on(GetOpenIDConnectProviderCommand).callsFake((i: { OpenIDConnectProviderArn?: string }) => {
    const p = providers.find((x) => x.arn === i.OpenIDConnectProviderArn);
    if (!p) throw Object.assign(new Error('not found'), { name: 'NoSuchEntityException' });
    return { Url: GITHUB, ClientIDList: p.clientIds, Tags: p.tags };
  });
  fake.iam.on(CreateOpenIDConnectProviderCommand).callsFake((i: { Url?: string; ClientIDList?: string[]; Tags?: Provider['tags'] }) => {
    const arn = `arn:aws:iam::${DEV_ACCOUNT}:oidc-provider/${(i.Url ?? '').replace('https://', '')}`;
    if (providers.some((p) => p.arn === arn)) throw Object.assign(new Error('Provider with url already exists.'), { name: 'EntityAlreadyExistsException' });
    providers.push({ arn, clientIds: i.ClientIDList ?? [], tags: i.Tags ?? [] });
    return { OpenIDConnectProviderArn: arn };
  });
  fake.iam.on(AddClientIDToOpenIDConnectProviderCommand).callsFake((i: { OpenIDConnectProviderArn?: string; ClientID?: string }) => {
    providers.find((p) => p.arn === i.OpenIDConnectProviderArn)!.clientIds.push(i.ClientID ?? '');
    return {};
  });
});
afterEach(() => fake.restore());

/** An S3 upload's body as text (toolkit-lib hands the SDK a Buffer or a stream). */
async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body as Uint8Array).toString();
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

const bootstrap = (...extra: string[]) => runTapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', ...extra], { cwd: project.dir, env: testEnv() });
const resultOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('bootstrap --ci github', () => {
  it('creates the provider once (tagged, the audience, no thumbprint), deploys the roles stack, prints the role ARNs', async () => {
    const r = await bootstrap('--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(fake.iam.commandCalls(CreateOpenIDConnectProviderCommand).map((c) => c.args[0].input)).toEqual([
      { Url: `https://${GITHUB}`, ClientIDList: ['sts.amazonaws.com'], Tags: expect.arrayContaining([{ Key: SINGLETON_TAG, Value: `oidc-provider:${GITHUB}` }]) },
    ]);
    const changeSets = fake.cfn.commandCalls(CreateChangeSetCommand).map((c) => c.args[0].input).filter((i) => i.StackName === 'TapCi-shop-dev');
    expect(changeSets).toHaveLength(1);
    expect(changeSets[0].Capabilities).toEqual(expect.arrayContaining(['CAPABILITY_NAMED_IAM']));
    expect(resultOf(r.stdout)).toMatchObject({
      ok: true,
      command: 'bootstrap',
      ci: {
        provider: 'github',
        repository: 'acme/shop',
        branch: 'main',
        oidcProvider: { arn: PROVIDER_ARN, status: 'created' },
        stack: 'TapCi-shop-dev',
        stackStatus: 'deployed',
        roles: { plan: ROLE('plan'), deploy: ROLE('deploy') },
        trust: { plan: ['repo:acme/shop:pull_request', 'repo:acme/shop:ref:refs/heads/main'], deploy: ['repo:acme/shop:ref:refs/heads/main'] },
      },
    });
    // What was deployed (the template toolkit-lib uploaded for the change set) trusts the provider bootstrap made.
    const put = fake.s3.commandCalls(PutObjectCommand).find((c) => changeSets[0].TemplateURL?.endsWith(`/${c.args[0].input.Key}`));
    const template = JSON.parse(await bodyText(put?.args[0].input.Body));
    const trust = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role').map((r) => r.Properties.AssumeRolePolicyDocument.Statement[0]);
    expect(trust.map((t) => [t.Principal.Federated, t.Condition.StringEquals[`${GITHUB}:sub`]])).toEqual([
      [PROVIDER_ARN, ['repo:acme/shop:pull_request', 'repo:acme/shop:ref:refs/heads/main']],
      [PROVIDER_ARN, 'repo:acme/shop:ref:refs/heads/main'],
    ]);
  });

  it('a second bootstrap finds the provider and reuses it: no create, and the human output lists the ARNs', async () => {
    providers.push({ arn: PROVIDER_ARN, clientIds: ['sts.amazonaws.com'], tags: [{ Key: SINGLETON_TAG, Value: `oidc-provider:${GITHUB}` }] });
    const r = await bootstrap('--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(fake.iam.commandCalls(CreateOpenIDConnectProviderCommand)).toHaveLength(0);
    expect(r.stdout).toContain(`OIDC provider  ${PROVIDER_ARN}  found, reused`);
    expect(r.stdout).toContain(ROLE('deploy'));
    expect(r.stdout).toContain('trusts aud sts.amazonaws.com, sub repo:acme/shop:ref:refs/heads/main');
  });

  it("a provider set up outside tapctl without the pipeline's audience: the audience is added, the others kept", async () => {
    providers.push({ arn: PROVIDER_ARN, clientIds: ['https://github.com/acme'], tags: [] });
    const r = await bootstrap('--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(fake.iam.commandCalls(AddClientIDToOpenIDConnectProviderCommand).map((c) => c.args[0].input)).toEqual([{ OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'sts.amazonaws.com' }]);
    expect(providers[0].clientIds).toEqual(['https://github.com/acme', 'sts.amazonaws.com']);
    expect(fake.iam.commandCalls(CreateOpenIDConnectProviderCommand)).toHaveLength(0);
    expect(resultOf(r.stdout).ci.oidcProvider.status).toBe('repaired');
  });

  it('adding the audience fails: the error says it was repairing the provider, not creating it', async () => {
    providers.push({ arn: PROVIDER_ARN, clientIds: ['https://github.com/acme'], tags: [] });
    fake.iam.on(AddClientIDToOpenIDConnectProviderCommand).rejects(Object.assign(new Error('User: me is not authorized to perform: iam:AddClientIDToOpenIDConnectProvider'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = await bootstrap('--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("repairing the account's IAM OIDC identity provider for GitHub Actions");
    expect(r.stderr).not.toContain("creating the account's IAM OIDC identity provider");
  });

  it('the provider line is not brackets in brackets', async () => {
    const r = await bootstrap('--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`(${GITHUB}): created: ${PROVIDER_ARN} (created by tapctl bootstrap)`);
    expect(r.stderr).not.toMatch(/\)\)/);
  });

  it('another bootstrap created the provider a moment before: EntityAlreadyExists is read again, not a failure', async () => {
    // The first list sees nothing; the create then finds the provider made by the other run.
    let lists = 0;
    fake.iam.on(ListOpenIDConnectProvidersCommand).callsFake(() => {
      if (lists++ === 0) {
        providers.push({ arn: PROVIDER_ARN, clientIds: ['sts.amazonaws.com'], tags: [{ Key: SINGLETON_TAG, Value: `oidc-provider:${GITHUB}` }] });
        return { OpenIDConnectProviderList: [] };
      }
      return { OpenIDConnectProviderList: providers.map((p) => ({ Arn: p.arn })) };
    });
    const r = await bootstrap('--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(providers).toHaveLength(1);
    expect(resultOf(r.stdout).ci.oidcProvider).toMatchObject({ arn: PROVIDER_ARN, raced: true });
  });

  it('CloudFormation that never finishes the roles stack: progress lines while waiting, then exit 1 at the bound', async () => {
    // The stack operation never ends, though every poll is answered: toolkit-lib's silence bound never fires.
    fake.outcome = { kind: 'hang' };
    const r = await runTapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--yes', '--json'], { cwd: project.dir, env: testEnv({ TAPCTL_CI_ROLES_WAIT_MS: '2000' }) });
    expect(r.code, r.stderr).toBe(1);
    const error = resultOf(r.stdout).error;
    expect(error.message).toContain('TapCi-shop-dev did not finish within 2 s; tapctl stopped waiting (CloudFormation carries on with it)');
    expect(error.hint).toContain('aws cloudformation describe-stacks --stack-name TapCi-shop-dev');
    expect(r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'phase' && e.phase === 'ci-roles').length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/still waiting for CloudFormation on TapCi-shop-dev \(\d+ s; /);
  });

  it('a bad TAPCTL_CI_ROLES_WAIT_MS is exit 2 before any AWS call', async () => {
    const r = await runTapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--yes'], { cwd: project.dir, env: testEnv({ TAPCTL_CI_ROLES_WAIT_MS: 'soon' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TAPCTL_CI_ROLES_WAIT_MS');
    expect(Object.values(fake.callCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('without a terminal and without --yes: exit 3 before any AWS call', async () => {
    const r = await bootstrap('--json');
    expect(r.code).toBe(3);
    expect(resultOf(r.stdout).error.message).toContain('bootstrap --ci creates IAM roles a CI pipeline can assume: that needs approval, and there is no terminal to ask');
    expect(Object.values(fake.callCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('CI variables are never an approval: GITHUB_ACTIONS=true and CI=true without --yes still refuse', async () => {
    const r = await runTapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop'], { cwd: project.dir, env: testEnv({ CI: 'true', GITHUB_ACTIONS: 'true' }) });
    expect(r.code).toBe(3);
    expect(Object.values(fake.callCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("a denied IAM call: exit 1 saying the CDK bootstrap is done and naming the provider's permissions", async () => {
    fake.iam.on(ListOpenIDConnectProvidersCommand).rejects(Object.assign(new Error('User: arn:aws:sts::111111111111:assumed-role/dev/me is not authorized to perform: iam:ListOpenIDConnectProviders'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = await bootstrap('--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CDK bootstrap of 111111111111\/us-east-1 is done, but the CI roles of 'dev' are not/);
    expect(r.stderr).toMatch(/iam:ListOpenIDConnectProviders/);
    expect(fake.cfn.commandCalls(CreateChangeSetCommand).filter((c) => c.args[0].input.StackName === 'TapCi-shop-dev')).toHaveLength(0);
  });
});

describe('bootstrap --ci: an existing TapCi stack that trusts someone else', () => {
  const existing = (outputs: Record<string, string>) => {
    fake.stack = { status: 'CREATE_COMPLETE', template: fake.nextTemplate, outputs: { PlanRoleArn: ROLE('plan'), DeployRoleArn: ROLE('deploy'), ...outputs } };
    providers.push({ arn: PROVIDER_ARN, clientIds: ['sts.amazonaws.com'], tags: [{ Key: SINGLETON_TAG, Value: `oidc-provider:${GITHUB}` }] });
  };
  const changed = () => fake.cfn.commandCalls(CreateChangeSetCommand).length + fake.iam.commandCalls(CreateOpenIDConnectProviderCommand).length + fake.iam.commandCalls(AddClientIDToOpenIDConnectProviderCommand).length;

  it.each([
    ['another repository', ['--repo', 'acme/other'], 'repository acme/shop -> acme/other'],
    ['the same repository in another case (IAM compares sub exactly)', ['--repo', 'Acme/Shop'], 'repository acme/shop -> Acme/Shop'],
    ['another branch', ['--repo', 'acme/shop', '--branch', 'trunk'], 'branch main -> trunk'],
  ])('%s: exit 3 naming what it was and would be, also with --yes; nothing changed', async (_, argv, says) => {
    existing({ CiProvider: 'github', CiRepository: 'acme/shop', CiBranch: 'main', CiIssuer: GITHUB });
    const r = await runTapctl(['bootstrap', '--env', 'dev', '--ci', 'github', ...argv, '--yes', '--json'], { cwd: project.dir, env: testEnv() });
    expect(r.code, r.stderr).toBe(3);
    const error = resultOf(r.stdout).error;
    expect(error.message).toContain("the CI roles of 'dev' (TapCi-shop-dev) trust github acme/shop, branch main");
    expect(error.message).toContain(says);
    expect(error.hint).toContain('--replace-trust');
    expect(changed()).toBe(0);
  });

  it('another CI or GitLab instance: refused the same way', async () => {
    existing({ CiProvider: 'gitlab', CiRepository: 'grp/sub/app', CiBranch: 'main', CiIssuer: 'gitlab.example.com' });
    const gh = await runTapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--yes'], { cwd: project.dir, env: testEnv() });
    expect(gh.code).toBe(3);
    expect(gh.stderr).toContain('CI gitlab -> github');
    const host = await runTapctl(['bootstrap', '--env', 'dev', '--ci', 'gitlab', '--project', 'grp/sub/app', '--yes'], { cwd: project.dir, env: testEnv() });
    expect(host.code).toBe(3);
    expect(host.stderr).toContain('issuer gitlab.example.com -> gitlab.com');
    expect(changed()).toBe(0);
  });

  it('--replace-trust: re-pointed, said as a warning, and the previous trust in the result', async () => {
    existing({ CiProvider: 'github', CiRepository: 'acme/old', CiBranch: 'main', CiIssuer: GITHUB });
    const r = await bootstrap('--replace-trust', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--replace-trust: the CI roles of \'dev\' (TapCi-shop-dev) trust github acme/old, branch main; this run would make them trust github acme/shop, branch main');
    expect(resultOf(r.stdout).ci.previousTrust).toEqual({ provider: 'github', repository: 'acme/old', branch: 'main', issuerHost: GITHUB });
  });

  it('the same trust again: no refusal, no previous trust', async () => {
    existing({ CiProvider: 'github', CiRepository: 'acme/shop', CiBranch: 'main', CiIssuer: GITHUB });
    const r = await bootstrap('--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r.stdout).ci.previousTrust).toBeUndefined();
  });
});

describe('bootstrap --ci: what it says about the account', () => {
  it("--previews names the other environments of the account: pull requests reach them through the CDK deploy role", () => {
    const envs = loadConfig(project.configPath).environments;
    const dev = envs.find((e) => e.name === 'dev')!;
    expect(previewAccountWarning(dev, envs)).toBe(`--previews: pull requests can change any stack of account ${DEV_ACCOUNT} through its CDK deploy role, 'staging' included; keep there only environments a pull request may change`);
    expect(previewAccountWarning(envs.find((e) => e.name === 'prod')!, envs)).toBeUndefined();
  });
});

describe('bootstrap --ci: production', () => {
  it('GitHub production: a loud warning naming the GitHub environment settings tapctl cannot check', () => {
    const envs = loadConfig(project.configPath).environments;
    const prod = envs.find((e) => e.name === 'prod')!;
    const said = productionEnvironmentWarning(prod, githubIdentity('acme/mall', 'main'));
    expect(said).toContain("trusts any job of acme/mall that runs in the GitHub environment 'prod', from any branch");
    expect(said).toContain('Settings > Environments > prod: Deployment branches and tags: "Selected branches" with main only');
    expect(productionEnvironmentWarning(envs.find((e) => e.name === 'dev')!, githubIdentity('acme/mall', 'main'))).toBeUndefined();
  });

  it('the shared-account warning is said when bootstrapping production itself too, naming the others', () => {
    const shared = tempProject(sampleConfig({ environments: { dev: { account: DEV_ACCOUNT, region: 'us-east-1' }, prod: { account: DEV_ACCOUNT, region: 'us-west-2' } } }));
    try {
      const envs = loadConfig(shared.configPath).environments;
      expect(sharedAccountWarning(envs.find((e) => e.name === 'prod')!, envs)).toBe(`production environment 'prod' shares account ${DEV_ACCOUNT} with 'dev': their deploy roles assume the same CDK deploy role, which can deploy 'prod' too, around the CI's production protection; keep production in an account of its own`);
      expect(sharedAccountWarning(envs.find((e) => e.name === 'dev')!, envs)).toContain("'dev' shares account");
    } finally {
      shared.cleanup();
    }
  });

  it('bootstrap --env prod --ci github prints the warning on stderr', async () => {
    const shared = tempProject(sampleConfig({ environments: { dev: { account: DEV_ACCOUNT, region: 'us-east-1' }, prod: { account: DEV_ACCOUNT, region: 'us-east-1' } } }));
    try {
      providers.push({ arn: PROVIDER_ARN, clientIds: ['sts.amazonaws.com'], tags: [{ Key: SINGLETON_TAG, Value: `oidc-provider:${GITHUB}` }] });
      const prodEnv = loadConfig(shared.configPath).environments.find((e) => e.name === 'prod')!;
      fake.stackName = 'TapCi-shop-prod';
      fake.nextTemplate = Template.fromStack(buildCiRolesApp(prodEnv, githubIdentity('acme/shop', 'main'), PROVIDER_ARN, false).stack).toJSON() as never;
      const r = await runTapctl(['bootstrap', '--env', 'prod', '--ci', 'github', '--repo', 'acme/shop', '--yes'], { cwd: shared.dir, env: testEnv() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("Settings > Environments > prod: Deployment branches and tags");
      expect(r.stderr).toContain("production environment 'prod' shares account");
    } finally {
      shared.cleanup();
    }
  });
});

describe('bootstrap --ci: refusals before any AWS call', () => {
  it('--previews while production shares the account: exit 3', async () => {
    const shared = tempProject(sampleConfig({ environments: { dev: { account: DEV_ACCOUNT, region: 'us-east-1' }, prod: { account: DEV_ACCOUNT, region: 'us-west-2' } } }));
    try {
      const r = await runTapctl(['bootstrap', '--env', 'dev', '--ci', 'github', '--repo', 'acme/shop', '--previews', '--yes'], { cwd: shared.dir, env: testEnv() });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("production environment 'prod' is in the same account (111111111111)");
      expect(Object.values(fake.callCounts()).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      shared.cleanup();
    }
  });

  it.each([
    [['--ci', 'github'], /--ci github needs --repo <owner\/name>/],
    [['--ci', 'github', '--repo', 'acme/*'], /--repo 'acme\/\*' holds a wildcard/],
    [['--ci', 'github', '--repo', 'acme/shop', '--branch', '*'], /--branch '\*' holds a wildcard/],
    [['--ci', 'github', '--repo', 'acme/shop', '--branch', 'refs/heads/main'], /--branch 'refs\/heads\/main' is a full ref/],
    [['--ci', 'gitlab', '--repo', 'acme/shop'], /--repo only applies with --ci github, not --ci gitlab/],
    [['--ci', 'gitlab', '--project', 'acme/shop', '--previews'], /--previews is for GitHub/],
    [['--repo', 'acme/shop'], /--repo only applies with --ci/],
    [['--replace-trust'], /--replace-trust only applies with --ci/],
    [['--ci', 'bitbucket'], /--ci/],
  ])('bootstrap --env dev %j --yes: exit 2', async (argv, message) => {
    const r = await runTapctl(['bootstrap', '--env', 'dev', ...argv, '--yes'], { cwd: project.dir, env: testEnv() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(Object.values(fake.callCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
