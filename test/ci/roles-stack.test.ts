/**
 * The CI roles of an environment (TapCi-<project>-<suffix>), asserted in the synthesized template: who may assume
 * each role (the provider, StringEquals on the whole aud and sub, never a wildcard) and what it may do (least
 * privilege: the plan role never executes a change set nor assumes the CDK deploy role; neither reads the app's
 * secrets or opens ECS Exec). cdk-nag runs on the stack: no finding is left unexplained.
 */
import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { githubIdentity, gitlabIdentity, parseBranch, parseGitHubRepository, parseGitLabHost, parseGitLabProject, type CiIdentity } from '../../src/ci/identity.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { buildCiRolesApp, ciRoleArns } from '../../src/infra/ci-roles-stack.js';
import { resolvedEnv } from '../infra/fixtures.js';

const GITHUB_PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';

interface Role {
  readonly trust: Record<string, any>;
  readonly statements: Array<Record<string, any>>;
  readonly name: string;
}

/** The template's roles by logical ID prefix (PlanRole, DeployRole, PreviewRole), with their trust and policy. */
function synthRoles(env: ResolvedEnvironment, identity: CiIdentity, previews = false, provider = GITHUB_PROVIDER): { template: Template; roles: Record<string, Role>; stack: ReturnType<typeof buildCiRolesApp>['stack'] } {
  const { stack } = buildCiRolesApp(env, identity, provider, previews);
  const template = Template.fromStack(stack);
  const roles: Record<string, Role> = {};
  for (const [id, r] of Object.entries<any>(template.findResources('AWS::IAM::Role'))) {
    const kind = id.replace(/Role.*$/, '').toLowerCase();
    roles[kind] = { trust: r.Properties.AssumeRolePolicyDocument, statements: r.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement), name: r.Properties.RoleName };
  }
  return { template, roles, stack };
}

const actionsOf = (role: Role) => role.statements.flatMap((s) => [s.Action].flat() as string[]);
const resourcesOf = (role: Role, action: string) => role.statements.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat() as string[]);

describe('trust: one provider, StringEquals on the whole aud and sub', () => {
  const dev = resolvedEnv('dev');
  const prod = resolvedEnv('prod');

  it('GitHub dev: the plan role trusts pull requests and the main branch of the repository, the deploy role its main branch, nothing else', () => {
    const { roles } = synthRoles(dev, githubIdentity('acme/shop', 'main'));
    expect(Object.keys(roles).sort()).toEqual(['deploy', 'plan']);
    expect(roles.plan.trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: GITHUB_PROVIDER },
        // Pull requests, and the protected branch where production's plan runs before its approval.
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': ['repo:acme/shop:pull_request', 'repo:acme/shop:ref:refs/heads/main'] } },
      },
    ]);
    expect(roles.deploy.trust.Statement[0].Condition).toEqual({ StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/shop:ref:refs/heads/main' } });
  });

  it("GitHub production: the deploy role trusts only the GitHub environment of its name (its reviewers approve), not the branch", () => {
    const { roles } = synthRoles(prod, githubIdentity('acme/shop', 'release'), false, 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com');
    expect(roles.deploy.trust.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toBe('repo:acme/shop:environment:prod');
    expect(roles.deploy.trust.Statement[0].Principal).toEqual({ Federated: 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com' });
  });

  it('GitLab: both roles trust the protected branch of the project, with the instance URL as the audience', () => {
    const { roles } = synthRoles(dev, gitlabIdentity('acme/platform/shop', 'main', 'gitlab.example.com'), false, 'arn:aws:iam::111111111111:oidc-provider/gitlab.example.com');
    for (const role of [roles.plan, roles.deploy]) {
      expect(role.trust.Statement[0].Condition).toEqual({ StringEquals: { 'gitlab.example.com:aud': 'https://gitlab.example.com', 'gitlab.example.com:sub': 'project_path:acme/platform/shop:ref_type:branch:ref:main' } });
    }
  });

  it('every trust statement in every template: a federated principal, never *, never StringLike, no wildcard in a value', () => {
    const cases: Array<[ResolvedEnvironment, CiIdentity, boolean]> = [
      [dev, githubIdentity('acme/shop', 'main'), true],
      [prod, githubIdentity('acme/shop', 'main'), false],
      [dev, gitlabIdentity('acme/shop', 'main'), false],
    ];
    for (const [env, id, previews] of cases) {
      const { roles } = synthRoles(env, id, previews);
      for (const role of Object.values(roles)) {
        for (const s of role.trust.Statement) {
          expect(Object.keys(s.Principal)).toEqual(['Federated']);
          expect(Object.keys(s.Condition)).toEqual(['StringEquals']);
          expect(JSON.stringify(s.Condition)).not.toMatch(/[*?]/);
        }
      }
    }
  });

  it('the role names and ARNs are the ones ci init computes before the stack exists', () => {
    const { roles } = synthRoles(dev, githubIdentity('acme/shop', 'main'));
    const arns = ciRoleArns(dev);
    expect(arns.plan).toBe(`arn:aws:iam::111111111111:role/tapctl/${roles.plan.name}`);
    expect(arns.deploy).toBe(`arn:aws:iam::111111111111:role/tapctl/${roles.deploy.name}`);
  });
});

describe('permissions: least privilege', () => {
  const env = resolvedEnv('dev', { container: { secrets: ['STRIPE_KEY'] } });
  const { roles, template } = synthRoles(env, githubIdentity('acme/shop', 'main'), true);
  const cdk = (kind: string) => `arn:aws:iam::111111111111:role/cdk-hnb659fds-${kind}-role-111111111111-us-east-1`;

  it('plan: reads only: no change set of any kind, no role passed; of the CDK roles only the lookup role', () => {
    const actions = actionsOf(roles.plan);
    // Any same-repository pull request may assume it: creating a change set would pass the CDK execution role
    // (AdministratorAccess by default) to CloudFormation. Pull requests' diffs compare templates instead.
    expect(actions.filter((a) => /ChangeSet/.test(a))).toEqual([]);
    expect(actions).not.toContain('iam:PassRole');
    expect(JSON.stringify(roles.plan.statements)).not.toContain('cfn-exec');
    // Not the file-publishing role: it writes any key of the assets bucket, where a pull request could plant the
    // content of an asset main deploys later (CDK skips an upload whose key already exists).
    expect(resourcesOf(roles.plan, 'sts:AssumeRole')).toEqual([cdk('lookup')]);
    expect(actions.filter((a) => /^ssm:(Put|Delete)/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^ecr:(Put|Upload|InitiateLayer|CompleteLayer)/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^iam:/.test(a) && a !== 'iam:GetRole')).toEqual([]);
  });

  it("deploy: the four CDK bootstrap roles, the environment's own change sets, ledger and repository", () => {
    expect(resourcesOf(roles.deploy, 'sts:AssumeRole').sort()).toEqual([cdk('deploy'), cdk('file-publishing'), cdk('image-publishing'), cdk('lookup')].sort());
    const execute = JSON.stringify(resourcesOf(roles.deploy, 'cloudformation:ExecuteChangeSet'));
    expect(execute).toContain('stack/TapStack-tap-dev/*');
    expect(JSON.stringify(resourcesOf(roles.deploy, 'ssm:PutParameter'))).toContain('parameter/tapctl/tap/dev/*');
    expect(JSON.stringify(resourcesOf(roles.deploy, 'ecr:PutImage'))).toContain('repository/tap-app-dev');
  });

  it("no role reads a secret's value, changes a secret, opens ECS Exec or makes keys; DescribeSecret only on the environment's names", () => {
    for (const role of Object.values(roles)) {
      const actions = actionsOf(role);
      expect(actions.some((a) => a === '*' || a.endsWith(':*'))).toBe(false);
      for (const forbidden of ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret', 'ecs:ExecuteCommand', 'ssm:StartSession', 'iam:CreateAccessKey', 'iam:CreateUser', 'sts:AssumeRoleWithWebIdentity']) {
        expect(actions).not.toContain(forbidden);
      }
    }
    expect(JSON.stringify(resourcesOf(roles.plan, 'secretsmanager:DescribeSecret'))).toContain('secret:tapctl/tap/dev/*');
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
  });

  it("images are read in the environment's own repository (and a pinned ECR one), not every repository of the account", () => {
    for (const role of [roles.plan, roles.deploy]) expect(resourcesOf(role, 'ecr:BatchGetImage')).toEqual(['arn:aws:ecr:us-east-1:111111111111:repository/tap-app-dev']);
    const pinned = resolvedEnv('dev', { container: { image: { repository: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/base/app', tag: 'v1' } } });
    expect(resourcesOf(synthRoles(pinned, githubIdentity('acme/shop', 'main')).roles.plan, 'ecr:BatchGetImage').sort()).toEqual([
      'arn:aws:ecr:eu-west-1:222222222222:repository/base/app',
      'arn:aws:ecr:us-east-1:111111111111:repository/tap-app-dev',
    ]);
    const hub = resolvedEnv('dev', { container: { image: { repository: 'nginx', tag: '1.27' } } });
    expect(resourcesOf(synthRoles(hub, githubIdentity('acme/shop', 'main')).roles.plan, 'ecr:BatchGetImage')).toEqual(['arn:aws:ecr:us-east-1:111111111111:repository/tap-app-dev']);
  });

  it('preview: only the pr-* stacks, ledgers and repositories of the project', () => {
    expect(resourcesOf(roles.preview, 'ecr:BatchGetImage')).toEqual(['arn:aws:ecr:us-east-1:111111111111:repository/tap-app-pr-*']);
    expect(JSON.stringify(resourcesOf(roles.preview, 'cloudformation:ExecuteChangeSet'))).toContain('stack/TapStack-tap-pr-*/*');
    expect(JSON.stringify(resourcesOf(roles.preview, 'ssm:PutParameter'))).toContain('parameter/tapctl/tap/pr-*/*');
    expect(JSON.stringify(roles.preview.statements)).not.toContain('TapStack-tap-dev');
  });

  it('each role is an output the pipeline reads; sessions last at most 2 hours', () => {
    template.hasOutput('PlanRoleArn', Match.anyValue());
    template.hasOutput('DeployRoleArn', Match.anyValue());
    template.hasOutput('PreviewRoleArn', Match.anyValue());
    template.allResourcesProperties('AWS::IAM::Role', { MaxSessionDuration: 7200, Path: '/tapctl/' });
  });

  it('cdk-nag: no error left; each wildcard resource is suppressed with its reason', () => {
    const { app, stack } = buildCiRolesApp(env, githubIdentity('acme/shop', 'main'), GITHUB_PROVIDER, true);
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => String(e.entry.data).slice(0, 200))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});

describe('inputs that would widen a trust: exit 2 before anything runs', () => {
  it.each([
    [() => parseGitHubRepository('acme/*'), /wildcard/],
    [() => parseGitHubRepository('acme/sh?p'), /wildcard/],
    [() => parseGitHubRepository('acme'), /expected owner\/name/],
    [() => parseGitHubRepository('https://github.com/acme/shop'), /expected owner\/name/],
    [() => parseGitLabProject('acme/*'), /wildcard/],
    [() => parseGitLabProject('shop'), /group\/name/],
    [() => parseBranch('release/*'), /wildcard/],
    [() => parseBranch('main branch'), /not a branch name/],
    [() => parseBranch('feature/../main'), /not a branch name/],
    [() => parseGitLabHost('https://gitlab.example.com'), /not a host name/],
    [() => parseGitLabHost('*.example.com'), /wildcard/],
  ])('%#', (parse, message) => {
    expect(parse).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }));
  });

  it('a full ref for --branch is refused with the branch name to give; a wildcard host hint names --gitlab-host', () => {
    expect(() => parseBranch('refs/heads/main')).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('is a full ref'), hint: '--branch main' }));
    expect(() => parseBranch('refs/tags/v1')).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('is a full ref') }));
    expect(() => parseGitLabHost('*.example.com')).toThrow(expect.objectContaining({ hint: expect.stringContaining('e.g. --gitlab-host gitlab.example.com') }));
    expect(() => parseGitLabHost('*.example.com')).toThrow(expect.objectContaining({ hint: expect.not.stringContaining('--repo') }));
    // A branch whose name merely starts with "refs" is a branch.
    expect(parseBranch('refsheads')).toBe('refsheads');
  });

  it('exact names pass as they are', () => {
    expect(parseGitHubRepository('acme-co/shop.web_2')).toBe('acme-co/shop.web_2');
    expect(parseGitLabProject('acme/platform/shop')).toBe('acme/platform/shop');
    expect(parseBranch('release/2026.11')).toBe('release/2026.11');
  });
});
