/**
 * `tapctl ci init github|gitlab`: the pipeline files it writes are valid for their CI (GitHub: the offline
 * validator @action-validator/core, GitHub's workflow schema; GitLab: parsed, its structure asserted), assume
 * roles with OIDC only (id-token: write where a role is assumed, no key anywhere), diff on pull requests with the
 * plan roles, and deploy from main in order with the deploy roles, production behind the CI's protection.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployWaves } from '../../src/ci/pipeline.js';
import { cleanEnv, runTapctl, spawnTapctl } from '../helpers/cli.js';
import { DEV_ACCOUNT, PROD_ACCOUNT, sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

const projects: TempProject[] = [];
afterEach(() => {
  while (projects.length) projects.pop()!.cleanup();
});
function project(config = sampleConfig()): TempProject {
  const p = tempProject(config);
  projects.push(p);
  return p;
}

/** Four environments: qa and staging (both staging) deploy together after dev, prod alone after them. */
const fourEnvs = () =>
  sampleConfig({
    environments: {
      dev: { account: DEV_ACCOUNT, region: 'us-east-1' },
      qa: { account: DEV_ACCOUNT, region: 'eu-west-1', kind: 'staging' },
      staging: { account: DEV_ACCOUNT, region: 'us-west-2' },
      prod: { account: PROD_ACCOUNT, region: 'us-east-1' },
    },
  });

const arn = (account: string, name: string) => `arn:aws:iam::${account}:role/tapctl/tapctl-ci-shop-${name}`;
const read = (p: TempProject, path: string) => readFileSync(join(p.dir, path), 'utf8');

/** What every generated file must never hold: a key, a secret of AWS, a cache of anything. */
function expectNoCredentials(text: string): void {
  expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AKIA[0-9A-Z]{12}/);
  // The one secret a job may name is the team's npm token (optional), never one of AWS.
  expect([...new Set([...text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]))].filter((s) => s !== 'TAPCTL_NPM_TOKEN')).toEqual([]);
  expect(text).not.toMatch(/actions\/cache|^\s+cache:/m);
}

/** The jobs of a GitHub workflow that assume a role: each must ask for the OIDC token, and only those. */
function expectIdTokenOnlyWhereAssumed(workflow: any): void {
  for (const [id, job] of Object.entries<any>(workflow.jobs)) {
    const assumes = job.steps.some((s: any) => String(s.uses ?? '').startsWith('aws-actions/configure-aws-credentials@'));
    expect(job.permissions?.['id-token'], id).toBe(assumes ? 'write' : undefined);
  }
  expect(workflow.permissions).toEqual({ contents: 'read' });
}

describe('ci init github', () => {
  let p: TempProject;
  let workflow: any;
  let text: string;
  beforeAll(async () => {
    p = tempProject(fourEnvs());
    const r = await runTapctl(['ci', 'init', 'github'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    text = read(p, '.github/workflows/tapctl.yml');
    workflow = parse(text);
    return () => p.cleanup();
  });

  it('is a valid GitHub Actions workflow (action-validator, offline)', () => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('pull requests: validate, then a diff of every environment with its plan role, in the job summary', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.jobs.diff.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs.diff.needs).toBe('validate');
    expect(workflow.jobs.diff.strategy.matrix.include.map((m: any) => [m.environment, m.role])).toEqual([
      ['dev', arn(DEV_ACCOUNT, 'dev-plan')],
      ['qa', arn(DEV_ACCOUNT, 'qa-plan')],
      ['staging', arn(DEV_ACCOUNT, 'staging-plan')],
      ['prod', arn(PROD_ACCOUNT, 'prod-plan')],
    ]);
    const run = workflow.jobs.diff.steps.at(-1).run as string;
    // The plan role creates no change set: the diff compares the templates.
    expect(run).toContain('tapctl diff --env "$TAPCTL_ENV" --template-only --yes --json > tapctl-diff.ndjson || status=$?');
    expect(run).toContain('tapctl ci summary tapctl-diff.ndjson >> "$GITHUB_STEP_SUMMARY"');
    expect(run).toMatch(/exit "\$status"$/m);
  });

  it('main: deploys in waves (dev, then qa and staging in parallel, then prod) with the deploy roles; prod through its GitHub environment', () => {
    const deploys = Object.keys(workflow.jobs).filter((j) => j.startsWith('deploy-'));
    expect(Object.keys(workflow.jobs)).toEqual(['validate', 'diff', 'deploy-1', 'deploy-2', 'plan-3', 'deploy-3']);
    expect(deploys).toEqual(['deploy-1', 'deploy-2', 'deploy-3']);
    const wave = (id: string) => workflow.jobs[id].strategy.matrix.include.map((m: any) => [m.environment, m.role]);
    expect(wave('deploy-1')).toEqual([['dev', arn(DEV_ACCOUNT, 'dev-deploy')]]);
    expect(wave('deploy-2')).toEqual([['qa', arn(DEV_ACCOUNT, 'qa-deploy')], ['staging', arn(DEV_ACCOUNT, 'staging-deploy')]]);
    expect(wave('deploy-3')).toEqual([['prod', arn(PROD_ACCOUNT, 'prod-deploy')]]);
    expect(deploys.map((j) => workflow.jobs[j].needs)).toEqual([['validate'], ['deploy-1'], ['plan-3']]);
    for (const j of deploys) {
      expect(workflow.jobs[j].if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
      expect(workflow.jobs[j].concurrency).toMatchObject({ 'cancel-in-progress': false });
      const deploy = workflow.jobs[j].steps.find((s: any) => String(s.run ?? '').includes('tapctl deploy'));
      expect(deploy.run).toContain('tapctl deploy --env "$TAPCTL_ENV" --yes --json');
    }
    expect(workflow.jobs['deploy-3'].environment).toBe('${{ matrix.environment }}');
    expect(workflow.jobs['deploy-1'].environment).toBeUndefined();
  });

  it('main: every deploy job ships the app after the infrastructure (push-image --deploy), never only the stack', () => {
    for (const j of ['deploy-1', 'deploy-2', 'deploy-3']) {
      const steps = workflow.jobs[j].steps;
      const deploy = steps.findIndex((s: any) => String(s.run ?? '').includes('tapctl deploy --env'));
      const release = steps.findIndex((s: any) => String(s.run ?? '').includes('tapctl push-image'));
      expect(release, j).toBeGreaterThan(deploy);
      expect(deploy, j).toBeGreaterThan(-1);
      expect(steps[release].run).toContain('tapctl push-image --env "$TAPCTL_ENV" --deploy --yes --json > tapctl-release.ndjson || status=$?');
      expect(steps[release].run).toContain('tapctl ci summary tapctl-release.ndjson >> "$GITHUB_STEP_SUMMARY"');
      expect(steps[release].if).toBe("matrix.app == 'push-image'");
      // The ecommerce preset runs a service in every environment.
      expect(workflow.jobs[j].strategy.matrix.include.every((m: any) => m.app === 'push-image')).toBe(true);
    }
  });

  it('production: a plan with the plan role on the branch, before the gated deploy the reviewers approve', () => {
    const plan = workflow.jobs['plan-3'];
    expect(plan.needs).toEqual(['deploy-2']);
    expect(plan.environment).toBeUndefined();
    expect(plan.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(plan.strategy.matrix.include.map((m: any) => [m.environment, m.role])).toEqual([['prod', arn(PROD_ACCOUNT, 'prod-plan')]]);
    expect(plan.steps.at(-1).run).toContain('tapctl diff --env "$TAPCTL_ENV" --template-only --yes --json > tapctl-plan.ndjson');
    expect(plan.steps.at(-1).run).toContain('tapctl ci summary tapctl-plan.ndjson >> "$GITHUB_STEP_SUMMARY"');
  });

  it('third-party code is pinned: every action by a full commit SHA, the runner by its version', () => {
    const uses = Object.values<any>(workflow.jobs).flatMap((j) => j.steps.map((s: any) => s.uses).filter(Boolean));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const j of Object.values<any>(workflow.jobs)) expect(j['runs-on']).toBe('ubuntu-24.04');
    expect(text).toMatch(/actions\/checkout@[0-9a-f]{40} # v4\.\d+\.\d+/);
  });

  it('the npm token is given to the install step alone, never to the workflow, a job, or another step', () => {
    expect(JSON.stringify(workflow.env)).not.toContain('TAPCTL_NPM_TOKEN');
    for (const [id, job] of Object.entries<any>(workflow.jobs)) {
      expect(JSON.stringify(job.env ?? {}), id).not.toContain('secrets.');
      for (const step of job.steps) {
        const holds = JSON.stringify(step.env ?? {}).includes('secrets.TAPCTL_NPM_TOKEN');
        expect(holds, `${id}: ${step.name ?? step.uses}`).toBe(String(step.name ?? '').startsWith('Install tapctl'));
      }
    }
    // npm reads it from the step's environment: it is never written into a file a later step could read.
    expect(text).not.toMatch(/npm config set/);
    expect(text).toContain('_authToken=\\${TAPCTL_NPM_TOKEN}');
  });

  it('OIDC only: id-token: write exactly where a role is assumed, no key or AWS secret, nothing cached', () => {
    expectIdTokenOnlyWhereAssumed(workflow);
    expectNoCredentials(text);
  });

  it('installs the pinned tapctl (the version that wrote it) in every job', () => {
    expect(workflow.env.TAPCTL_VERSION).toBe('0.0.0-test');
    for (const job of Object.values<any>(workflow.jobs)) {
      expect(job.steps.some((s: any) => String(s.run ?? '').includes('npm install --global --userconfig "$npmrc" "tapctl@${TAPCTL_VERSION}"'))).toBe(true);
    }
  });
});

describe('ci init github --previews', () => {
  it('a second workflow: create on push, delete on close, an hourly sweep, all with the preview role of dev', async () => {
    const p = project();
    const r = await runTapctl(['ci', 'init', 'github', '--previews', '--json'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ command: 'ci init', previews: { from: 'dev', role: arn(DEV_ACCOUNT, 'dev-preview') } });
    expect(result.next).toContain('tapctl bootstrap --env dev --ci github --repo <owner/name> --previews --yes');
    const text = read(p, '.github/workflows/tapctl-previews.yml');
    expect(validateWorkflow(text).errors).toEqual([]);
    const wf = parse(text);
    expect(wf.env.PREVIEW_ROLE).toBe(arn(DEV_ACCOUNT, 'dev-preview'));
    expect(wf.jobs.preview.steps.at(-1).run).toContain('tapctl env create "pr-${PR_NUMBER}" --from dev --yes --json > tapctl-preview.ndjson || status=$?');
    expect(wf.jobs.destroy.if).toContain("github.event.action == 'closed'");
    // Deleted only when it exists (a pull request closed before its preview has none); a list that fails fails the job.
    const destroy = wf.jobs.destroy.steps.at(-1).run as string;
    expect(destroy).toContain('tapctl env list --json > tapctl-envs.ndjson || {');
    expect(destroy).toContain('select(.origin == "preview" and .name == $name)');
    expect(destroy).toContain('tapctl destroy --env "pr-${PR_NUMBER}" --yes --json > tapctl-destroy.ndjson || status=$?');
    expect(wf.jobs.sweep.steps.at(-1).run).toContain('tapctl env sweep --yes --json > tapctl-sweep.ndjson || status=$?');
    for (const job of ['preview', 'destroy', 'sweep']) expect(wf.jobs[job].steps.at(-1).run).toContain('tapctl ci summary');
    expect(wf.on.schedule).toHaveLength(1);
    expectIdTokenOnlyWhereAssumed(wf);
    expectNoCredentials(text);
  });
});

describe('ci init gitlab', () => {
  it('a pipeline GitLab reads: ID token with the instance audience, plan then deploys on main, production manual', async () => {
    const p = project(fourEnvs());
    const r = await runTapctl(['ci', 'init', 'gitlab', '--gitlab-host', 'gitlab.example.com', '--branch', 'trunk'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    const text = read(p, '.gitlab-ci.yml');
    const ci = parse(text);
    expect(ci.stages).toEqual(['validate', 'plan', 'deploy-1', 'deploy-2', 'deploy-3']);
    expect(ci.workflow.rules.map((x: any) => x.if)).toEqual(['$CI_PIPELINE_SOURCE == "merge_request_event"', '$CI_COMMIT_BRANCH == "trunk" && $CI_PIPELINE_SOURCE == "push"']);
    expect(ci['.tapctl-aws'].id_tokens).toEqual({ TAPCTL_ID_TOKEN: { aud: 'https://gitlab.example.com' } });
    expect(ci.validate.extends).toBe('.tapctl');
    expect(ci.validate.id_tokens).toBeUndefined();
    expect(ci.plan.parallel.matrix.map((m: any) => [m.TAPCTL_ENV, m.AWS_ROLE_ARN])).toEqual([
      ['dev', arn(DEV_ACCOUNT, 'dev-plan')],
      ['qa', arn(DEV_ACCOUNT, 'qa-plan')],
      ['staging', arn(DEV_ACCOUNT, 'staging-plan')],
      ['prod', arn(PROD_ACCOUNT, 'prod-plan')],
    ]);
    const jobs = ['deploy-1', 'deploy-2', 'deploy-3'].map((id) => ci[id]);
    expect(jobs.map((j) => j.needs)).toEqual([['plan'], ['deploy-1'], ['deploy-2']]);
    expect(jobs.map((j) => j.parallel.matrix.map((m: any) => m.TAPCTL_ENV))).toEqual([['dev'], ['qa', 'staging'], ['prod']]);
    expect(jobs[2].parallel.matrix[0].AWS_ROLE_ARN).toBe(arn(PROD_ACCOUNT, 'prod-deploy'));
    expect(jobs.map((j) => j.rules[0].when)).toEqual([undefined, undefined, 'manual']);
    expect(jobs.map((j) => j.environment.deployment_tier)).toEqual(['development', 'staging', 'production']);
    // Every deploy job ships the app after the infrastructure, built with Docker in a dind service.
    for (const j of jobs) {
      const script = j.script.join('\n');
      expect(script.indexOf('tapctl push-image --env "$TAPCTL_ENV" --deploy --yes --json')).toBeGreaterThan(script.indexOf('tapctl deploy --env'));
      expect(j.parallel.matrix.every((m: any) => m.TAPCTL_APP === 'push-image')).toBe(true);
      expect(j.services).toEqual(['docker:27-dind']);
      expect(j.variables.DOCKER_HOST).toBe('tcp://docker:2375');
    }
    expect(ci.plan.script.join('\n')).toContain('tapctl diff --env "$TAPCTL_ENV" --template-only --yes --json');
    // The npm token: read by npm from the environment for the install, then unset before the job's own script.
    expect(ci['.tapctl'].before_script.join('\n')).toMatch(/--userconfig "\$npmrc".*unset TAPCTL_NPM_TOKEN/s);
    for (const j of [ci.plan, ...jobs]) {
      expect(j.extends).toBe('.tapctl-aws');
      expect(j.rules).toEqual([expect.objectContaining({ if: '$CI_COMMIT_BRANCH == "trunk" && $CI_PIPELINE_SOURCE == "push"' })]);
      expect(j.script.join("\n")).toMatch(/tapctl (diff --env "\$TAPCTL_ENV" --template-only|deploy --env "\$TAPCTL_ENV") --yes --json/);
      expect(j.artifacts.paths).toEqual(['tapctl-summary/']);
    }
    expectNoCredentials(text);
  });
});

describe('what ci init refuses (exit 2, nothing written)', () => {
  it('a pipeline file that exists is not replaced without --force; with --force it is', async () => {
    const p = project();
    const path = join(p.dir, '.gitlab-ci.yml');
    writeFileSync(path, 'mine: true\n');
    const r = await runTapctl(['ci', 'init', 'gitlab'], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ci init would overwrite .gitlab-ci.yml');
    expect(readFileSync(path, 'utf8')).toBe('mine: true\n');
    const forced = await runTapctl(['ci', 'init', 'gitlab', '--force', '--json'], { cwd: p.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout.trim()).files).toEqual([{ path: '.gitlab-ci.yml', action: 'overwritten' }]);
  });

  it.each([
    [['ci', 'init'], /needs the CI to write a pipeline for: github or gitlab \(there is no terminal to ask\)/],
    [['ci', 'init', 'githib'], /ci init knows no CI 'githib' \(did you mean 'github'\?\)/],
    [['ci', 'init', 'gitlab', '--previews'], /--previews is for GitHub/],
    [['ci', 'init', 'github', '--gitlab-host', 'gitlab.example.com'], /--gitlab-host only applies to a GitLab pipeline/],
    [['ci', 'init', 'github', '--branch', 'release/*'], /--branch 'release\/\*' holds a wildcard/],
    [['ci', 'init', 'github', '--previews', '--preview-from', 'prod'], /--preview-from 'prod': it is a production environment/],
    [['ci', 'init', 'github', '--preview-from', 'dev'], /--preview-from only applies with --previews/],
    [['ci', 'nit'], /ci has no subcommand 'nit' \(did you mean 'init'\?\)/],
  ])('tapctl %j', async (argv, message) => {
    const p = project();
    const r = await runTapctl(argv, { cwd: p.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(p.dir, '.github'))).toBe(false);
    expect(existsSync(join(p.dir, '.gitlab-ci.yml'))).toBe(false);
  });
});

describe('role ARNs read from the TapCi stacks when the credentials reach them', () => {
  // Installed per test: a mock made at collection time would answer every other test of the file too.
  let sts: AwsClientStub<STSClient>;
  let cfn: AwsClientStub<CloudFormationClient>;
  beforeEach(() => {
    sts = mockClient(STSClient);
    cfn = mockClient(CloudFormationClient);
  });
  afterEach(() => {
    sts.restore();
    cfn.restore();
  });

  it("the dev account's stack is read; prod's is not (other account): its ARNs are computed and Next names its bootstrap", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: DEV_ACCOUNT, Arn: `arn:aws:iam::${DEV_ACCOUNT}:user/me` });
    cfn.on(DescribeStacksCommand).callsFake((i: { StackName?: string }) => {
      if (i.StackName === 'TapCi-shop-staging') throw Object.assign(new Error('Stack with id TapCi-shop-staging does not exist'), { name: 'ValidationError' });
      return { Stacks: [{ StackName: i.StackName, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [
        { OutputKey: 'PlanRoleArn', OutputValue: 'arn:aws:iam::111111111111:role/tapctl/plan-from-stack' },
        { OutputKey: 'DeployRoleArn', OutputValue: 'arn:aws:iam::111111111111:role/tapctl/deploy-from-stack' },
        { OutputKey: 'CiProvider', OutputValue: 'github' },
        { OutputKey: 'CiRepository', OutputValue: 'acme/shop' },
        { OutputKey: 'CiBranch', OutputValue: 'main' },
      ] }] };
    });
    const p = project();
    const r = await runTapctl(['ci', 'init', 'github', '--json'], { cwd: p.dir, env: cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake' }) });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(result.environments.map((e: any) => [e.name, e.rolesFrom, e.roles.deploy])).toEqual([
      ['dev', 'stack', 'arn:aws:iam::111111111111:role/tapctl/deploy-from-stack'],
      ['staging', 'computed', arn(DEV_ACCOUNT, 'staging-deploy')],
      ['prod', 'computed', arn(PROD_ACCOUNT, 'prod-deploy')],
    ]);
    expect(r.stderr).toContain(`prod: TapCi-shop-prod not read: the credentials are for account ${DEV_ACCOUNT}, not ${PROD_ACCOUNT}`);
    expect(result.next.filter((n: string) => n.startsWith('tapctl bootstrap'))).toEqual([
      'tapctl bootstrap --env staging --ci github --repo <owner/name> --yes',
      'tapctl bootstrap --env prod --ci github --repo <owner/name> --yes',
    ]);
    expect(read(p, '.github/workflows/tapctl.yml')).toContain('arn:aws:iam::111111111111:role/tapctl/deploy-from-stack');
  });
});

describe('ci init against roles bootstrapped for something else', () => {
  let sts: AwsClientStub<STSClient>;
  let cfn: AwsClientStub<CloudFormationClient>;
  const withStacks = (outputs: Record<string, string>) => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: DEV_ACCOUNT, Arn: `arn:aws:iam::${DEV_ACCOUNT}:user/me` });
    cfn.on(DescribeStacksCommand).callsFake((i: { StackName?: string }) => ({
      Stacks: [{ StackName: i.StackName, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
    }));
  };
  const keys = { AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake' };
  const devOnly = () => sampleConfig({ environments: { dev: { account: DEV_ACCOUNT, region: 'us-east-1' } } });
  beforeEach(() => {
    sts = mockClient(STSClient);
    cfn = mockClient(CloudFormationClient);
  });
  afterEach(() => {
    sts.restore();
    cfn.restore();
  });

  it('GitLab: the audience is the instance the roles were bootstrapped for, when --gitlab-host is not given', async () => {
    withStacks({ CiProvider: 'gitlab', CiRepository: 'grp/sub/app', CiBranch: 'main', CiIssuer: 'gitlab.example.com' });
    const p = project(devOnly());
    const r = await runTapctl(['ci', 'init', 'gitlab', '--json'], { cwd: p.dir, env: cleanEnv(keys) });
    expect(r.code, r.stderr).toBe(0);
    expect(parse(read(p, '.gitlab-ci.yml'))['.tapctl-aws'].id_tokens.TAPCTL_ID_TOKEN.aud).toBe('https://gitlab.example.com');
  });

  it('GitLab: --gitlab-host naming another instance than the roles trust: exit 3, nothing written; --force writes it', async () => {
    withStacks({ CiProvider: 'gitlab', CiRepository: 'grp/sub/app', CiBranch: 'main', CiIssuer: 'gitlab.example.com' });
    const p = project(devOnly());
    const r = await runTapctl(['ci', 'init', 'gitlab', '--gitlab-host', 'gitlab.com'], { cwd: p.dir, env: cleanEnv(keys) });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('its CI roles trust GitLab instance gitlab.example.com, not gitlab.com');
    expect(existsSync(join(p.dir, '.gitlab-ci.yml'))).toBe(false);
    const forced = await runTapctl(['ci', 'init', 'gitlab', '--gitlab-host', 'gitlab.com', '--force'], { cwd: p.dir, env: cleanEnv(keys) });
    expect(forced.code, forced.stderr).toBe(0);
    expect(parse(read(p, '.gitlab-ci.yml'))['.tapctl-aws'].id_tokens.TAPCTL_ID_TOKEN.aud).toBe('https://gitlab.com');
  });

  it.each([
    [['ci', 'init', 'gitlab'], 'its CI roles trust github acme/shop, not gitlab'],
    [['ci', 'init', 'github', '--branch', 'trunk'], 'its deploy role trusts branch main, not trunk'],
  ])('a pipeline the roles would not let in (%j): exit 3, nothing written', async (argv, says) => {
    withStacks({ CiProvider: 'github', CiRepository: 'acme/shop', CiBranch: 'main', CiIssuer: 'token.actions.githubusercontent.com' });
    const p = project(devOnly());
    const r = await runTapctl([...argv, '--json'], { cwd: p.dir, env: cleanEnv(keys) });
    expect(r.code, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).error).toMatchObject({ message: expect.stringContaining(says), hint: expect.stringContaining('--force') });
    expect(existsSync(join(p.dir, '.github'))).toBe(false);
    expect(existsSync(join(p.dir, '.gitlab-ci.yml'))).toBe(false);
  });
});

describe('ci init and symlinks', () => {
  it.each([
    ['the pipeline file', (p: TempProject, outside: string) => { mkdirSync(join(p.dir, '.github/workflows'), { recursive: true }); symlinkSync(join(outside, 'x.yml'), join(p.dir, '.github/workflows/tapctl.yml')); }],
    ['a folder on its way', (p: TempProject, outside: string) => symlinkSync(outside, join(p.dir, '.github'))],
  ])('%s is a symlink: exit 2, also with --force, nothing written where it points', async (_, link) => {
    const p = project();
    const outside = mkdtempSync(join(tmpdir(), 'tapctl-outside-'));
    try {
      link(p, outside);
      const r = await runTapctl(['ci', 'init', 'github', '--force'], { cwd: p.dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('ci init will not write through a symlink');
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('deploy waves', () => {
  it('consecutive environments of one kind deploy together, production last whatever its place in the config', () => {
    const envs = [{ name: 'prod', kind: 'production' }, { name: 'dev', kind: 'development' }, { name: 'qa', kind: 'staging' }, { name: 'stg', kind: 'staging' }, { name: 'dev2', kind: 'development' }] as const;
    expect(deployWaves(envs).map((w) => w.map((e) => e.name))).toEqual([['dev'], ['qa', 'stg'], ['dev2'], ['prod']]);
  });
});

describe('the built binary', () => {
  it('tapctl ci init github --json in a project: exit 0, one result line, the workflow written', async () => {
    const p = project();
    const r = await spawnTapctl(['ci', 'init', 'github', '--json'], { cwd: p.dir, env: cleanEnv(), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ type: 'result', ok: true, command: 'ci init', provider: 'github', files: [{ path: '.github/workflows/tapctl.yml', action: 'created' }] });
    expect(validateWorkflow(read(p, '.github/workflows/tapctl.yml')).errors).toEqual([]);
  });
});
