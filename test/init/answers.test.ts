/** Gathering init's answers: questions on a terminal, flags everywhere, and errors that name the flag. */
import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/cli/errors.js';
import type { Prompter } from '../../src/cli/prompter.js';
import { gatherAnswers, type AnswerSource, type InitFlags } from '../../src/init/answers.js';
import { parseEnvironments, parsePort, projectNameFromFolder } from '../../src/init/validators.js';
import { scriptedPrompter, silentPrompter } from './scripted-prompter.js';

const DIR = '/work/projects/My_Shop';
const FULL: InitFlags = { project: 'shop', account: '123456789012', email: 'ops@shop.io' };

const source = (overrides: Partial<AnswerSource> & { prompter?: Prompter } = {}): AnswerSource => ({
  interactive: false,
  yes: false,
  prompter: silentPrompter,
  dir: DIR,
  ...overrides,
});

/** The UsageError a promise rejects with (fails the test when it resolves or throws something else). */
async function usageError(p: Promise<unknown>): Promise<UsageError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(ExitCode.Usage);
  return error as UsageError;
}

describe('gatherAnswers on a terminal', () => {
  it('asks every question in order, offering the defaults, and Enter takes them', async () => {
    // project, preset, envs, account, prod account, region, email, engine, arch, port
    const prompter = scriptedPrompter([undefined, undefined, undefined, '123456789012', undefined, undefined, 'ops@shop.io', undefined, undefined, undefined]);
    const answers = await gatherAnswers({}, source({ interactive: true, prompter }));

    expect(prompter.asked.map((q) => [q.kind, q.default])).toEqual([
      ['input', 'my-shop'],
      ['select', 'ecommerce'],
      ['input', 'dev,staging,prod'],
      ['input', undefined],
      ['input', '123456789012'],
      ['input', 'us-east-1'],
      ['input', undefined],
      ['select', 'aurora-postgresql'],
      ['select', 'x86_64'],
      ['input', '3000'],
    ]);
    expect(prompter.asked[1].choices).toEqual(['ecommerce', 'catalog-api', 'rds-postgres']);
    expect(prompter.asked[3].message).toMatch(/account ID .* for dev, staging$/);
    expect(prompter.asked[4].message).toMatch(/account ID for prod$/);
    expect(answers).toEqual({
      project: 'my-shop',
      preset: 'ecommerce',
      environments: [
        { name: 'dev', kind: 'development', account: '123456789012', region: 'us-east-1' },
        { name: 'staging', kind: 'staging', account: '123456789012', region: 'us-east-1' },
        { name: 'prod', kind: 'production', account: '123456789012', region: 'us-east-1' },
      ],
      email: 'ops@shop.io',
      engine: 'aurora-postgresql',
      architecture: 'x86_64',
      port: 3000,
    });
  });

  it('asks again after a bad answer, saying what is wrong', async () => {
    const prompter = scriptedPrompter([
      'Shop!', 'shop', // project
      'catalog-api',
      'dev,prod',
      '1234', '123456789012', // account
      '210987654321', // prod account
      'useast1', 'eu-west-1', // region
      'nobody', 'ops@example.com', 'ops@shop.io', // email: example.com is refused because prod exists
      'aurora-mysql',
      'x86_64', // the only choice offered for catalog-api: Fargate Spot runs x86_64 only (rule CS3)
      '70000', '8080', // port
    ]);
    const answers = await gatherAnswers({}, source({ interactive: true, prompter }));

    const rejected = prompter.asked.map((q) => q.rejected);
    expect(rejected[0]).toEqual([expect.stringMatching(/'Shop!' is not a valid project name/)]);
    expect(rejected[3]).toEqual([expect.stringMatching(/'1234' is not an AWS account ID: expected 12 digits/)]);
    expect(rejected[5]).toEqual([expect.stringMatching(/'useast1' is not an AWS region/)]);
    expect(rejected[6]).toEqual([expect.stringMatching(/'nobody' is not an email address/), expect.stringMatching(/production environments refuse example addresses/)]);
    expect(prompter.asked.find((q) => q.message === 'CPU architecture of the service')?.choices).toEqual(['x86_64']);
    expect(rejected[9]).toEqual([expect.stringMatching(/'70000' is not a port/)]);
    expect(answers).toMatchObject({ project: 'shop', preset: 'catalog-api', email: 'ops@shop.io', engine: 'aurora-mysql', architecture: 'x86_64', port: 8080 });
    expect(answers.environments).toEqual([
      { name: 'dev', kind: 'development', account: '123456789012', region: 'eu-west-1' },
      { name: 'prod', kind: 'production', account: '210987654321', region: 'eu-west-1' },
    ]);
  });

  it('asks only what the flags leave open', async () => {
    const prompter = scriptedPrompter(['ops@shop.io']);
    const answers = await gatherAnswers(
      { project: 'shop', preset: 'ecommerce', envs: 'dev', account: '123456789012', engine: 'aurora-postgresql', arch: 'x86_64', port: '3000' },
      source({ interactive: true, prompter, region: 'us-west-2' }),
    );
    expect(prompter.asked.map((q) => q.message)).toEqual(['Email address for alarm notifications']);
    expect(answers.environments).toEqual([{ name: 'dev', kind: 'development', account: '123456789012', region: 'us-west-2' }]);
  });

  it('with --yes asks only the questions that have no default (account, email)', async () => {
    const prompter = scriptedPrompter(['123456789012', 'ops@shop.io']);
    const answers = await gatherAnswers({}, source({ interactive: true, yes: true, prompter }));
    expect(prompter.asked.map((q) => q.message)).toEqual([expect.stringMatching(/account ID/), 'Email address for alarm notifications']);
    expect(answers.project).toBe('my-shop');
  });

  it('never asks the engine for rds-postgres, which is PostgreSQL', async () => {
    const prompter = scriptedPrompter([undefined, 'rds-postgres', 'dev', '123456789012', undefined, 'ops@shop.io', undefined, undefined]);
    const answers = await gatherAnswers({}, source({ interactive: true, prompter }));
    expect(prompter.asked.map((q) => q.message)).not.toContain('Database engine');
    expect(answers.engine).toBe('aurora-postgresql');
  });

  it('rejects a prompted value its prompter let through, naming the flag', async () => {
    const prompter = scriptedPrompter(['shop', 'ecommerce', 'dev', 'not-an-account'], { ignoreValidate: true });
    const e = await usageError(gatherAnswers({}, source({ interactive: true, prompter })));
    expect(e.message).toMatch(/^--account: 'not-an-account' is not an AWS account ID/);
  });

  it('checks every flag before the first question', async () => {
    const prompter = scriptedPrompter([]);
    const e = await usageError(gatherAnswers({ port: 'http' }, source({ interactive: true, prompter })));
    expect(e.message).toMatch(/^--port: 'http' is not a port/);
    expect(prompter.asked).toEqual([]);
  });
});

describe('gatherAnswers without a terminal', () => {
  it('takes the flags and the defaults, and asks nothing', async () => {
    const answers = await gatherAnswers(FULL, source());
    expect(answers).toMatchObject({ project: 'shop', preset: 'ecommerce', engine: 'aurora-postgresql', architecture: 'x86_64', port: 3000 });
    expect(answers.environments.map((e) => `${e.name}:${e.kind}:${e.region}`)).toEqual(['dev:development:us-east-1', 'staging:staging:us-east-1', 'prod:production:us-east-1']);
  });

  it('fails with exit 2 naming --account when it is missing, without asking', async () => {
    const e = await usageError(gatherAnswers({ email: 'ops@shop.io' }, source()));
    expect(e.message).toMatch(/^--account is required: there is no terminal to ask/);
    expect(e.hint).toMatch(/--account <12-digit account id>/);
  });

  it('names both --account and --email when both are missing', async () => {
    const e = await usageError(gatherAnswers({}, source()));
    expect(e.message).toMatch(/^--account and --email are required/);
  });

  it('--no-interactive on a terminal behaves the same (the source says not interactive)', async () => {
    const e = await usageError(gatherAnswers({ account: '123456789012' }, source({ interactive: false, yes: true })));
    expect(e.message).toMatch(/^--email is required/);
  });

  it.each<[InitFlags, string | undefined, RegExp]>([
    [{ ...FULL, account: '12345' }, undefined, /^--account: '12345' is not an AWS account ID: expected 12 digits/],
    [{ ...FULL, account: '12345678901a' }, undefined, /^--account: .* is not an AWS account ID/],
    [{ ...FULL, prodAccount: '1' }, undefined, /^--prod-account: '1' is not an AWS account ID/],
    [{ ...FULL, email: 'ops-at-shop.io' }, undefined, /^--email: 'ops-at-shop.io' is not an email address/],
    [{ ...FULL, email: 'ops@example.com' }, undefined, /^--email: .*production environments refuse example addresses/],
    [{ ...FULL, project: 'My Shop' }, undefined, /^--project: 'My Shop' is not a valid project name: use 2-20 lower-case letters/],
    [{ ...FULL, project: 'a-very-long-project-name' }, undefined, /^--project: .* is not a valid project name/],
    [{ ...FULL, preset: 'ecomerce' }, undefined, /^--preset: 'ecomerce' is not a preset: .*did you mean ecommerce\?/],
    [{ ...FULL, envs: ' , ' }, undefined, /^--envs: give at least one environment name/],
    [{ ...FULL, envs: 'dev,Dev' }, undefined, /^--envs: 'dev' and 'Dev' would share every resource name/],
    [{ ...FULL, envs: '1st' }, undefined, /^--envs: '1st' is not an environment name/],
    [{ ...FULL, envs: 'qa_1' }, undefined, /^--envs: environment 'qa_1' of project 'shop' makes a name AWS refuses/],
    [{ ...FULL, project: 'marketplace-checkout', envs: 'feature-branch-01' }, undefined, /^--envs: .*load balancer name .* AWS allows at most 32/],
    [{ ...FULL, engine: 'postgres' }, undefined, /^--engine: 'postgres' is not a database engine: choose aurora-postgresql, aurora-mysql/],
    [{ ...FULL, preset: 'rds-postgres', engine: 'aurora-mysql' }, undefined, /^--engine: the rds-postgres preset is PostgreSQL/],
    [{ ...FULL, arch: 'amd64' }, undefined, /^--arch: 'amd64' is not a CPU architecture: choose x86_64, arm64/],
    [{ ...FULL, preset: 'catalog-api', arch: 'arm64' }, undefined, /^--arch: the catalog-api preset runs its tasks on Fargate Spot, which runs x86_64 only/],
    [{ ...FULL, port: '0' }, undefined, /^--port: '0' is not a port/],
    [{ ...FULL, port: '3000.5' }, undefined, /^--port: '3000.5' is not a port/],
    [{ ...FULL, envs: 'dev,staging', prodAccount: '210987654321' }, undefined, /^--prod-account: none of dev, staging is a production environment/],
    [FULL, 'us-east', /^--region: 'us-east' is not an AWS region/],
  ])('refuses %j (region %s) with exit 2 naming the flag', async (flags, region, message) => {
    const e = await usageError(gatherAnswers(flags, source({ region })));
    expect(e.message).toMatch(message);
  });

  it('accepts an example.com address when no environment is production (validate only warns there)', async () => {
    const answers = await gatherAnswers({ ...FULL, envs: 'dev', email: 'ops@example.com' }, source());
    expect(answers.email).toBe('ops@example.com');
  });

  it('gives production environments --prod-account and the others --account', async () => {
    const answers = await gatherAnswers({ ...FULL, envs: 'dev,production', prodAccount: '210987654321' }, source());
    expect(answers.environments.map((e) => e.account)).toEqual(['123456789012', '210987654321']);
  });
});

describe('validators', () => {
  it.each([
    ['My_Shop', 'my-shop'],
    ['shop', 'shop'],
    ['2024 Storefront', 'storefront'],
    ['a-rather-long-folder-name-indeed', 'a-rather-long-folder'],
    ['abcdefghijklmnopqrs-tuv', 'abcdefghijklmnopqrs'],
    ['x', 'shop'],
    ['---', 'shop'],
    ['', 'shop'],
  ])('projectNameFromFolder(%j) is %j', (folder, expected) => {
    expect(projectNameFromFolder(folder)).toBe(expected);
  });

  it('parseEnvironments trims names and infers each kind', () => {
    expect(parseEnvironments(' dev , qa,prod ')).toEqual({
      ok: true,
      value: [
        { name: 'dev', kind: 'development' },
        { name: 'qa', kind: 'staging' },
        { name: 'prod', kind: 'production' },
      ],
    });
  });

  it('parsePort takes whole numbers from 1 to 65535 only', () => {
    expect(parsePort('65535')).toEqual({ ok: true, value: 65535 });
    expect(parsePort('65536').ok).toBe(false);
    expect(parsePort('-1').ok).toBe(false);
    expect(parsePort('').ok).toBe(false);
  });
});
