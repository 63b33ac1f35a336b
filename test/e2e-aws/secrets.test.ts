/**
 * `tapctl secrets` against the AWS API emulator: a value set from stdin is stored encrypted with the
 * environment's key and tagged, `list --json` shows it without the value, a deploy gives it to the container by
 * ARN, and the value appears nowhere: not in any output, not under .tapctl/ or anywhere in the project, not in the
 * synthesized or the deployed template, not in the release ledger.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { beforeAll, expect, it } from 'vitest';
import { e2eSuite, emulator, REGION, resetEmulator, Scenario, type TapctlRun } from './harness.js';

const STACK = 'TapStack-shop-dev';
const VALUE = 'sk_live_e2e-VALUE-MUST-NOT-LEAK-7f3a9c';
const NAME = 'tapctl/shop/dev/STRIPE_KEY';

e2eSuite(import.meta.url, 'e2e-aws: secrets set from stdin, list, and the value nowhere else', () => {
  let s: Scenario;
  let sm: SecretsManagerClient;
  const runs: TapctlRun[] = [];
  const tapctl = async (args: string[], input?: string) => {
    const r = await s.tapctl(args, input === undefined ? {} : { input });
    runs.push(r);
    return r;
  };

  beforeAll(async () => {
    await resetEmulator();
    s = await Scenario.init();
    sm = new SecretsManagerClient({ endpoint: emulator().awsEndpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    expect((await tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
  });

  it('before the first deploy there is no key to encrypt with: exit 2, deploy first', async () => {
    const r = await tapctl(['secrets', 'set', '--env', 'dev', 'STRIPE_KEY'], VALUE);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain('deploy first (tapctl deploy --env dev)');
  });

  it("secrets set reads the value from stdin and stores it with the environment's KMS key and tapctl's tags", async () => {
    const deployed = await tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(deployed.code, deployed.output).toBe(0);
    const r = await tapctl(['secrets', 'set', '--env', 'dev', 'STRIPE_KEY', '--json'], `${VALUE}\n`);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, command: 'secrets set', action: 'set', name: 'STRIPE_KEY', secretName: NAME, outcome: 'created', referenced: false });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: NAME }));
    expect(described.KmsKeyId).toBe((await s.aws.outputs(STACK)).KMSKeyArn);
    expect(described.Tags).toEqual(expect.arrayContaining([{ Key: 'ManagedBy', Value: 'tapctl' }, { Key: 'Project', Value: 'shop' }, { Key: 'Environment', Value: 'development' }]));
    // What the container will read is exactly what was piped, without echo's newline.
    expect((await sm.send(new GetSecretValueCommand({ SecretId: NAME }))).SecretString).toBe(VALUE);
  });

  it('list --json shows the name, its version and when it changed, never the value', async () => {
    const r = await tapctl(['secrets', 'list', '--env', 'dev', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, command: 'secrets list', action: 'list', prefix: 'tapctl/shop/dev/' });
    expect(r.result!.secrets).toEqual([expect.objectContaining({ name: 'STRIPE_KEY', secretName: NAME, status: 'unused', referenced: false, versions: 1, currentVersion: expect.any(String), changedAt: expect.any(String) })]);
  });

  it('a deploy gives it to the container by ARN (the service waits for an image, so no task reads it yet)', async () => {
    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'container'], doc.createNode({ secrets: ['STRIPE_KEY'] })));
    const r = await tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.output).toBe(0);
    const arn = (await sm.send(new DescribeSecretCommand({ SecretId: NAME }))).ARN!;
    const definition = await s.aws.resource(STACK, 'AWS::ECS::TaskDefinition');
    expect(definition.Properties?.ContainerDefinitions[0].Secrets).toContainEqual({ Name: 'STRIPE_KEY', ValueFrom: arn });
    const list = await tapctl(['secrets', 'list', '--env', 'dev', '--json']);
    expect(list.result!.secrets[0]).toMatchObject({ name: 'STRIPE_KEY', status: 'set', referenced: true });
  });

  it('the value is nowhere: not in any output, not in the project or .tapctl/, not in any template, not in the ledger', async () => {
    for (const r of runs) expect(r.stdout + r.stderr, r.output).not.toContain('VALUE-MUST-NOT-LEAK');
    const files = walk(s.dir);
    expect(files.some((f) => f.includes('/.tapctl/'))).toBe(true);
    for (const f of files) expect(readFileSync(f).includes('VALUE-MUST-NOT-LEAK'), f).toBe(false);
    expect(JSON.stringify(await s.aws.template(STACK))).not.toContain('VALUE-MUST-NOT-LEAK');
    const ledger = await s.aws.ssm.send(new GetParametersByPathCommand({ Path: '/tapctl/', Recursive: true }));
    expect(JSON.stringify(ledger.Parameters ?? [])).not.toContain('VALUE-MUST-NOT-LEAK');
  });

  it('unset is refused while the config gives it to the container (exit 3), and schedules the deletion once it does not', async () => {
    const refused = await tapctl(['secrets', 'unset', '--env', 'dev', '--yes', 'STRIPE_KEY']);
    expect(refused.code, refused.output).toBe(3);
    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'container'], doc.createNode({ secrets: [] })));
    expect((await tapctl(['deploy', '--env', 'dev', '--yes'])).code).toBe(0);
    const r = await tapctl(['secrets', 'unset', '--env', 'dev', '--yes', 'STRIPE_KEY', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ action: 'unset', outcome: 'scheduled' });
    expect((await sm.send(new DescribeSecretCommand({ SecretId: NAME }))).DeletedDate).toBeInstanceOf(Date);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
