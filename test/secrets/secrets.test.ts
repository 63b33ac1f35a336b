/**
 * `tapctl secrets set|list|unset` against mocked AWS (aws-sdk-client-mock on the real clients): each verb, each
 * refusal, and that a value goes in and never comes out: not in stdout, stderr or --json, and never read back.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, PutSecretValueCommand, RestoreSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Prompter } from '../../src/cli/prompter.js';
import { cleanEnv, runTapctl, type CliRun } from '../helpers/cli.js';
import { DEV_ACCOUNT, sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { FakeSecrets } from './fake-secrets.js';

const KEY = `arn:aws:kms:us-east-1:${DEV_ACCOUNT}:key/1111-2222`;
const VALUE = 'sk_live_THIS-MUST-NEVER-BE-PRINTED-0123456789';
const NAME = 'tapctl/shop/dev/STRIPE_KEY';
const TD = `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task-definition/shop-app-dev:9`;

let project: TempProject;
let fake: FakeSecrets;
const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const ecs = mockClient(ECSClient);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const run = (argv: string[], options: { input?: string; tty?: boolean; prompter?: Prompter } = {}) =>
  runTapctl(['secrets', ...argv], { cwd: project.dir, env: cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake', TAPCTL_POLL_INTERVAL_MS: '1' }), input: options.input ?? '', ...options });
/** No trace of the value anywhere a person or a log sees. */
const noValue = (r: CliRun) => expect(r.stdout + r.stderr).not.toContain('THIS-MUST-NEVER');

/** Running tasks of the service, started at these times. */
function tasks(...started: Date[]): void {
  const arns = started.map((_, i) => `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task/shop-cluster-dev/${String(i).repeat(32)}`);
  ecs.on(ListTasksCommand).resolves({ taskArns: arns });
  ecs.on(DescribeTasksCommand).resolves({ tasks: arns.map((taskArn, i) => ({ taskArn, lastStatus: 'RUNNING', startedAt: started[i], taskDefinitionArn: TD })) });
}

beforeAll(() => {
  const config = sampleConfig();
  (config.environments as Record<string, Record<string, unknown>>).dev.container = { secrets: ['STRIPE_KEY', 'SMTP_PASSWORD'] };
  project = tempProject(config);
});
afterAll(() => project.cleanup());
beforeEach(() => {
  fake = new FakeSecrets();
  sts.on(GetCallerIdentityCommand).resolves({ Account: DEV_ACCOUNT, Arn: `arn:aws:sts::${DEV_ACCOUNT}:assumed-role/dev/me` });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'TapStack-shop-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'KMSKeyArn', OutputValue: KEY }] }] });
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'shop-service-dev', status: 'ACTIVE', deployments: [{ status: 'PRIMARY', taskDefinition: TD, rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 }] }] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', secrets: [] }] } });
  tasks();
});
afterEach(() => {
  fake.restore();
  sts.reset();
  cfn.reset();
  ecs.reset();
});

describe('secrets set', () => {
  it("GIVEN a value on stdin THEN a new secret, encrypted with the environment's key, tagged; the value shown nowhere", async () => {
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: `${VALUE}\n` });
    expect(r.code, r.stderr).toBe(0);
    const create = fake.sm.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(create).toMatchObject({ Name: NAME, KmsKeyId: KEY, Tags: [{ Key: 'Project', Value: 'shop' }, { Key: 'Environment', Value: 'development' }, { Key: 'ManagedBy', Value: 'tapctl' }] });
    // echo's newline is dropped; nothing else.
    expect(fake.secrets.get(NAME)!.values).toEqual([VALUE]);
    expect(r.stderr).toContain(`created ${NAME}`);
    noValue(r);
  });

  it('GIVEN --json THEN the result names the secret and its version, never the value', async () => {
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY', '--json'], { input: VALUE });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout.trim());
    expect(result).toMatchObject({ type: 'result', ok: true, command: 'secrets set', action: 'set', name: 'STRIPE_KEY', secretName: NAME, outcome: 'created', referenced: true, version: expect.any(String) });
    expect(result.arn).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:${DEV_ACCOUNT}:secret:${NAME}-\\w{6}$`));
    noValue(r);
  });

  it('GIVEN an existing secret THEN a new version; GIVEN one scheduled for deletion THEN it is restored first', async () => {
    fake.add(NAME, 'old', { kmsKeyId: KEY });
    const updated = await run(['set', '--env', 'dev', 'STRIPE_KEY', '--json'], { input: VALUE });
    expect(JSON.parse(updated.stdout.trim()).outcome).toBe('updated');
    expect(fake.secrets.get(NAME)!.values).toEqual(['old', VALUE]);

    fake.secrets.get(NAME)!.deleted = new Date();
    const restored = await run(['set', '--env', 'dev', 'STRIPE_KEY', '--json'], { input: 'newer' });
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout.trim()).outcome).toBe('restored');
    const order = fake.sm.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(order.indexOf('RestoreSecretCommand')).toBeLessThan(order.lastIndexOf('PutSecretValueCommand'));
    expect(fake.secrets.get(NAME)!.deleted).toBeUndefined();
  });

  it('GIVEN a secret of that name that tapctl did not create THEN exit 3, nothing written', async () => {
    fake.add(NAME, 'theirs', { managed: false });
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: VALUE });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('was not created by tapctl');
    expect(fake.sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('GIVEN the value the secret already holds THEN "unchanged": no new version, no rollout, the value shown nowhere', async () => {
    fake.add(NAME, VALUE, { kmsKeyId: KEY, changed: minutesAgo(120) });
    tasks(minutesAgo(60));
    const r = await run(['set', '--env', 'dev', '--deploy', '--yes', 'STRIPE_KEY', '--json'], { input: `${VALUE}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ outcome: 'unchanged', staleTasks: 0, version: fake.secrets.get(NAME)!.versions[0] });
    const human = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: VALUE });
    expect(human.stderr).toContain(`unchanged: ${NAME} already holds this value`);
    noValue(human);
    expect(fake.sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(fake.secrets.get(NAME)!.versions).toHaveLength(1);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    noValue(r);
    // A different value is a new version, as before.
    const changed = await run(['set', '--env', 'dev', 'STRIPE_KEY', '--json'], { input: 'another' });
    expect(JSON.parse(changed.stdout.trim()).outcome).toBe('updated');
    expect(fake.secrets.get(NAME)!.versions).toHaveLength(2);
  });

  it('GIVEN the current value cannot be read to compare THEN a new version anyway, saying why', async () => {
    fake.add(NAME, VALUE, { kmsKeyId: KEY });
    fake.sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY', '--json'], { input: VALUE });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ outcome: 'updated', notCompared: 'reading the current value is denied to these credentials' });
    expect(fake.secrets.get(NAME)!.versions).toHaveLength(2);
    noValue(r);
  });

  it("GIVEN a secret of that name encrypted with another KMS key THEN exit 3 naming both keys and the fix, nothing written", async () => {
    const other = `arn:aws:kms:us-east-1:${DEV_ACCOUNT}:key/9999-old`;
    fake.add(NAME, 'old', { kmsKeyId: other });
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: VALUE });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`refusing to store ${NAME}: ${NAME} is encrypted with ${other}, not with the environment's key ${KEY}`);
    expect(r.stderr).toContain(`aws secretsmanager update-secret --secret-id ${NAME} --kms-key-id ${KEY}`);
    expect(fake.sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(fake.sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(fake.secrets.get(NAME)!.kmsKeyId).toBe(other);

    // No key named: the AWS managed key aws/secretsmanager, which the execution role cannot use either.
    fake.secrets.get(NAME)!.kmsKeyId = undefined;
    const managed = await run(['set', '--env', 'dev', 'STRIPE_KEY', '--json'], { input: VALUE });
    expect(managed.code).toBe(3);
    expect(JSON.parse(managed.stdout.trim()).error.message).toContain('encrypted with the AWS managed key aws/secretsmanager');
  });

  it('GIVEN no deploy yet (no KMSKeyArn) THEN exit 2: deploy first', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id TapStack-shop-dev does not exist'), { name: 'ValidationError' }));
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: VALUE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'dev' has no KMS key to encrypt the secret with yet: stack TapStack-shop-dev is not deployed");
    expect(r.stderr).toContain('deploy first (tapctl deploy --env dev)');
    expect(fake.sm.calls()).toHaveLength(0);
  });

  it('GIVEN running tasks started before the change THEN it says they keep the old value until the next rollout', async () => {
    tasks(minutesAgo(60), minutesAgo(30));
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY', '--json'], { input: VALUE });
    expect(JSON.parse(r.stdout.trim()).staleTasks).toBe(2);
    const human = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: VALUE });
    expect(human.stderr).toContain('2 running tasks keep the old value of STRIPE_KEY until the next rollout: tapctl secrets set --env dev --deploy STRIPE_KEY rolls them now');
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('GIVEN a name the config does not give the container THEN stored, with a warning saying how to give it', async () => {
    const r = await run(['set', '--env', 'dev', 'WEBHOOK_SECRET'], { input: VALUE });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("the container does not receive WEBHOOK_SECRET yet: add it to container.secrets of 'dev'");
  });

  it('GIVEN --deploy --yes THEN the service rolls (forceNewDeployment) and it reports when no task runs the old value', async () => {
    fake.add(NAME, 'old', { kmsKeyId: KEY, changed: minutesAgo(120) });
    // Before the roll two old tasks run; once it completed, two new ones.
    let rolled = false;
    ecs.on(UpdateServiceCommand).callsFake(async () => {
      rolled = true;
      return { service: { deployments: [{ status: 'PRIMARY', taskDefinition: TD, rolloutState: 'IN_PROGRESS' }] } };
    });
    ecs.on(ListTasksCommand).callsFake(async () => ({ taskArns: ['arn:t/a', 'arn:t/b'] }));
    ecs.on(DescribeTasksCommand).callsFake(async () => ({ tasks: ['a', 'b'].map((id) => ({ taskArn: `arn:t/${id}`, startedAt: rolled ? new Date(Date.now() + 1000) : minutesAgo(60) })) }));
    const r = await run(['set', '--env', 'dev', '--deploy', '--yes', 'STRIPE_KEY', '--json'], { input: VALUE });
    expect(r.code, r.stderr).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'shop-cluster-dev', service: 'shop-service-dev', forceNewDeployment: true });
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ staleTasks: 0, rollout: { taskDefinitionArn: TD, runningCount: 2, noStaleTaskAt: expect.any(String) } });
    noValue(r);
  });

  it('GIVEN a file with a byte-order mark on stdin (a Windows editor) THEN the mark is dropped, said once, never stored', async () => {
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: `\uFEFF${VALUE}\r\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.secrets.get(NAME)!.values).toEqual([VALUE]);
    expect(r.stderr).toContain('dropped the byte-order mark (U+FEFF) at the start of standard input');
    noValue(r);
  });

  it('GIVEN a hidden prompt at a terminal THEN its answer is stored and never echoed', async () => {
    const asked: string[] = [];
    const prompter: Prompter = {
      input: async () => '',
      confirm: async () => true,
      select: async () => {
        throw new Error('no select');
      },
      checkbox: async () => [],
      password: async (q) => (asked.push(q.message), VALUE),
    };
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { tty: true, prompter });
    expect(r.code, r.stderr).toBe(0);
    expect(asked).toEqual(['Value of STRIPE_KEY (hidden):']);
    expect(fake.secrets.get(NAME)!.values).toEqual([VALUE]);
    noValue(r);
  });
});

describe('secrets set: refusals', () => {
  it.each([
    [['set', '--env', 'dev', 'STRIPE_KEY', VALUE], 'printf %s "$VALUE" | tapctl secrets set --env dev STRIPE_KEY'],
    [['set', '--env', 'dev', `STRIPE_KEY=${VALUE}`], 'printf %s "$VALUE" | tapctl secrets set --env dev STRIPE_KEY'],
    [['set', '--env', 'dev', '--value', VALUE, 'STRIPE_KEY'], 'printf %s "$VALUE" | tapctl secrets set --env dev NAME'],
    [['set', '--env', 'dev', `--valeu=${VALUE}`, 'STRIPE_KEY'], 'tapctl <command> --help'],
  ])('a value on the command line (%#) is exit 2 showing the right form, without the value, before any AWS call', async (argv, form) => {
    for (const json of [false, true]) {
      const r = await run(json ? [...argv.slice(0, 3), '--json', ...argv.slice(3)] : argv, { input: VALUE });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain(json ? form.replace(/"/g, '\\"') : form);
      noValue(r);
    }
    expect(sts.calls()).toHaveLength(0);
  });

  it.each([
    ['stripe_key', ''],
    [VALUE, ''],
  ])('a NAME that is not a secret name (%#) is exit 2 and not echoed (it may be a value)', async (name) => {
    const r = await run(['set', '--env', 'dev', name], { input: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a secret name (not shown, in case it is a value)');
    noValue(r);
  });

  it('an empty value on stdin is exit 2, before any AWS call', async () => {
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: '\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the value of STRIPE_KEY is empty');
    expect(sts.calls()).toHaveLength(0);
  });

  it('a value over 64 KiB is exit 2', async () => {
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: 'x'.repeat(70_000) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('over 65,536 bytes');
  });

  it('credentials for another account: exit 3, nothing stored', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/x/y' });
    const r = await run(['set', '--env', 'dev', 'STRIPE_KEY'], { input: VALUE });
    expect(r.code).toBe(3);
    expect(fake.sm.calls()).toHaveLength(0);
  });

  it('--deploy without a terminal or --yes is exit 3 before anything; --deploy of a name the config does not give is exit 2', async () => {
    const noYes = await run(['set', '--env', 'dev', '--deploy', 'STRIPE_KEY'], { input: VALUE });
    expect(noYes.code).toBe(3);
    expect(noYes.stderr).toContain('needs approval, and there is no terminal to ask; nothing was stored');
    const unused = await run(['set', '--env', 'dev', '--deploy', '--yes', 'OTHER_KEY'], { input: VALUE });
    expect(unused.code).toBe(2);
    expect(unused.stderr).toContain('container.secrets of \'dev\' does not name it');
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('secret NAME rules: one rule, stated and enforced alike by the config, set, unset and list', () => {
  it('set refuses a name the container already gets, or an AWS_ one, in the words of rule K1 (exit 2, before any AWS call)', async () => {
    for (const [name, words] of [['NODE_ENV', 'secret NODE_ENV would replace the NODE_ENV the container already gets from tapctl'], ['AWS_SECRET_ACCESS_KEY', 'secret AWS_SECRET_ACCESS_KEY starts with AWS_, which the AWS runtime and SDKs read for themselves']]) {
      const r = await run(['set', '--env', 'dev', name], { input: VALUE });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(words);
      noValue(r);
    }
    expect(sts.calls()).toHaveLength(0);
    // The config says it in the same words.
    const { appSecretRules } = await import('../../src/config/rules/app-secrets.js');
    const issues = appSecretRules({ name: 'dev', kind: 'development', container: { secrets: ['NODE_ENV'], exec: false } } as never, {} as never);
    expect(issues.map((i) => i.message)).toContain('secret NODE_ENV would replace the NODE_ENV the container already gets from tapctl');
  });

  it('one statement of the form everywhere: 128 characters at most (set and unset), as the schema says', async () => {
    const long = `A${'B'.repeat(128)}`;
    for (const verb of ['set', 'unset']) {
      const r = await run([verb, '--env', 'dev', '--yes', long], { input: VALUE });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('an upper-case environment variable name: A-Z, 0-9 and _, starting with a letter, at most 128 characters');
    }
  });

  it('unset removes a secret stored under a reserved name (so it is never stuck); list marks such names and ones made outside tapctl', async () => {
    fake.add('tapctl/shop/dev/PORT', 'x');
    fake.add('tapctl/shop/dev/lower-case', 'x');
    const list = await run(['list', '--env', 'dev', '--json']);
    const secrets = JSON.parse(list.stdout.trim()).secrets as Array<{ name: string; nameProblem?: string }>;
    expect(secrets.find((x) => x.name === 'PORT')?.nameProblem).toContain('secret PORT would replace the PORT the container already gets from tapctl; delete it with');
    expect(secrets.find((x) => x.name === 'lower-case')?.nameProblem).toContain('its name is not an upper-case environment variable name');
    expect(secrets.find((x) => x.name === 'lower-case')?.nameProblem).toContain('aws secretsmanager delete-secret --secret-id tapctl/shop/dev/lower-case --region us-east-1');
    expect(secrets.find((x) => x.name === 'STRIPE_KEY')?.nameProblem).toBeUndefined();
    const human = await run(['list', '--env', 'dev']);
    expect(human.stdout).toMatch(/PORT .*not usable: secret PORT would replace/);
    const unset = await run(['unset', '--env', 'dev', '--yes', '--now', 'PORT']);
    expect(unset.code, unset.stderr).toBe(0);
    expect(fake.secrets.has('tapctl/shop/dev/PORT')).toBe(false);
  });
});

describe('secrets list', () => {
  it('shows names, versions and when each changed, the config names not set, and scheduled deletions; never a value', async () => {
    fake.add(NAME, VALUE, { changed: new Date('2026-11-20T10:00:00Z') });
    fake.add('tapctl/shop/dev/OLD_TOKEN', VALUE, { deleted: new Date('2026-11-28T00:00:00Z') });
    // Another environment's and another project's secrets are not listed.
    fake.add('tapctl/shop/prod/STRIPE_KEY', VALUE);
    fake.add('tapctl/shop/devx/STRIPE_KEY', VALUE);
    const r = await run(['list', '--env', 'dev', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim());
    expect(result).toMatchObject({ command: 'secrets list', action: 'list', prefix: 'tapctl/shop/dev/' });
    expect(result.secrets.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['OLD_TOKEN:pending-deletion', 'SMTP_PASSWORD:missing', 'STRIPE_KEY:set']);
    expect(result.secrets[2]).toMatchObject({ changedAt: '2026-11-20T10:00:00.000Z', versions: 1, currentVersion: expect.any(String), referenced: true });
    expect(result.secrets[0].deletionDate).toBe('2026-12-05T00:00:00.000Z');
    const human = await run(['list', '--env', 'dev']);
    expect(human.stdout).toMatch(/STRIPE_KEY\s+v\S+\s+2026-11-20 10:00\s+set/);
    expect(human.stdout).toContain('missing: the config gives it to the container, and it is not set');
    noValue(r);
    noValue(human);
    expect(fake.sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});

describe('secrets unset', () => {
  it('GIVEN --yes THEN deletion is scheduled with a 7-day recovery window; --now deletes at once', async () => {
    fake.add('tapctl/shop/dev/OLD_TOKEN', VALUE);
    const r = await run(['unset', '--env', 'dev', '--yes', 'OLD_TOKEN', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.sm.commandCalls(DeleteSecretCommand)[0].args[0].input).toMatchObject({ RecoveryWindowInDays: 7 });
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ action: 'unset', outcome: 'scheduled', deletionDate: expect.any(String) });

    const now = await run(['unset', '--env', 'dev', '--yes', '--now', 'OLD_TOKEN', '--json']);
    expect(fake.sm.commandCalls(DeleteSecretCommand)[1].args[0].input).toMatchObject({ ForceDeleteWithoutRecovery: true });
    expect(JSON.parse(now.stdout.trim()).outcome).toBe('deleted');
    expect(fake.secrets.has('tapctl/shop/dev/OLD_TOKEN')).toBe(false);
  });

  it('GIVEN a name the config still gives the container of a deployed stack THEN exit 3, nothing deleted', async () => {
    fake.add(NAME, VALUE, { kmsKeyId: KEY });
    const r = await run(['unset', '--env', 'dev', '--yes', 'STRIPE_KEY']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('container.secrets still gives it to the container');
    expect(fake.sm.commandCalls(DeleteSecretCommand)).toHaveLength(0);
  });

  it('GIVEN the environment was destroyed THEN unset removes a secret the config still names (no dead end), saying a later deploy needs it', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id TapStack-shop-dev does not exist'), { name: 'ValidationError' }));
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
    fake.add(NAME, VALUE, { kmsKeyId: KEY });
    const r = await run(['unset', '--env', 'dev', '--yes', '--now', 'STRIPE_KEY', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: true, outcome: 'deleted', secretName: NAME });
    expect(r.stderr).toContain("container.secrets of 'dev' still names STRIPE_KEY; stack TapStack-shop-dev is not deployed");
    expect(fake.secrets.has(NAME)).toBe(false);
  });

  it("GIVEN the running service's task definition still reads it THEN exit 3, nothing deleted", async () => {
    const secret = fake.add('tapctl/shop/dev/OLD_TOKEN', VALUE);
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', secrets: [{ name: 'OLD_TOKEN', valueFrom: secret.arn }] }] } });
    const r = await run(['unset', '--env', 'dev', '--yes', 'OLD_TOKEN']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("the service's task definition shop-app-dev:9 still reads it");
    expect(fake.sm.commandCalls(DeleteSecretCommand)).toHaveLength(0);
  });

  it('without --yes and without a terminal: exit 3; a secret that does not exist: exit 2', async () => {
    expect((await run(['unset', '--env', 'dev', 'OLD_TOKEN'])).code).toBe(3);
    const missing = await run(['unset', '--env', 'dev', '--yes', 'NOPE']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("there is no secret NOPE in 'dev'");
    expect(fake.sm.commandCalls(RestoreSecretCommand)).toHaveLength(0);
  });
});
