/** deploy's preflight checks and --dry-run plan, on the real synthesized stack against the faked AWS. */
import { DescribeDBEngineVersionsCommand } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { sampleConfig } from '../helpers/project.js';
import { FakeAws } from './fake-aws.js';
import { aimFake, logicalIdOf, synthesizedProject, tapctl, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;

useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

describe('tapctl deploy --dry-run', () => {
  it('without credentials still validates, synthesizes and shows the plan, marking the AWS checks skipped (exit 0)', async () => {
    fake.missingCredentials = true;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/– credentials {2}none found: the AWS checks below are skipped \(dry run\)/);
    for (const check of ['account', 'availability zones', 'bootstrap', 'stack', 'image', 'database engine']) expect(r.stderr).toMatch(new RegExp(`– ${check} {2}no credentials`));
    expect(r.stdout).toMatch(/Plan for 'dev' \(TapStack-shop-dev\)/);
    // Binary units, as tapctl synth prints them.
    expect(r.stdout).toMatch(/template\s+\d+ resources, \d+\.\d KiB \(over the 51,200-byte inline limit/);
    expect(r.stdout).toMatch(/resources\s+.*EC2 \d+/);
    expect(r.stdout).toMatch(/outputs\s+.*CloudFrontURL/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
    // Whether the account is bootstrapped could not be checked: the next steps say so, in order. Which image
    // runs is not known without credentials, so push-image is not suggested (the deploy's own Next says it).
    expect(r.stdout).toMatch(/Next:\n  tapctl bootstrap --env dev   \(once per account and region: not checked, no credentials\)\n  tapctl deploy --env dev\n$/);
  });

  it("an account that needs bootstrapping: the plan's Next starts with bootstrap (and --json has it too)", async () => {
    fake.bootstrapVersion = undefined;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Next:\n  tapctl bootstrap --env dev\n  tapctl deploy --env dev/);
    const json = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run', '--json']);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'result', ok: false, command: 'deploy', error: { code: 'not-bootstrapped', hint: 'run tapctl bootstrap --env dev (once per account and region)' } });
  });

  it('a bootstrapped account with the stack deployed: Next is the deploy alone', async () => {
    fake.deployedAsIs();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Next:\n  tapctl deploy --env dev\n?$/);
  });

  it('with credentials compares with the deployed stack without a change set', async () => {
    const deployed = f.template();
    delete deployed.Resources[logicalIdOf(deployed, 'AWS::SNS::Topic')];
    fake.deployedAsIs();
    fake.stack!.template = deployed;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/changes\s+1 to add, 0 to change, 0 to replace, 0 to remove/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('runs every check, shows the plan, then fails with the first failed check', async () => {
    fake.bootstrapVersion = undefined;
    fake.engineVersions = ['16.6'];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✖ bootstrap {2}CDK bootstrap is missing/);
    expect(r.stderr).toMatch(/✖ database engine {2}aurora-postgresql 16.4 is not offered in us-east-1/);
    expect(r.stdout).toMatch(/Plan for 'dev'/);
    expect(r.stderr).toMatch(/hint: run tapctl bootstrap --env dev/);
  });

  it('names the zones the account has when a configured zone is not among them (DescribeAvailabilityZones, exit 2)', async () => {
    // Zone letters differ per account: this one has b, c and d, not the default a.
    fake.zoneLetters = 'bcd';
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/✖ availability zones {2}account 111111111111 has no us-east-1a in us-east-1: it has us-east-1b, us-east-1c, us-east-1d/);
    expect(r.stderr).toMatch(/list 2 of those in network.availabilityZones for 'dev'/);
    expect(fake.calls('DescribeAvailabilityZones')).toBe(1);
  });

  it('passes the zones check when the account has them', async () => {
    fake.deployedAsIs();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ availability zones {2}us-east-1a, us-east-1b \(the account has us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f\)/);
  });

  it('--json with a failed check ends with exactly one result line: the failure', async () => {
    fake.engineVersions = ['16.6'];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run', '--json']);
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'result', ok: false, error: { code: 'engine-version-unavailable', exitCode: 1 } });
    expect(events.filter((e) => e.type === 'check' && e.status === 'fail').map((e) => e.name)).toEqual(['database engine']);
  });

  it('with credentials refuses an --allow-replace ID that neither template has (exit 2)', async () => {
    fake.deployedAsIs();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run', '--allow-replace', 'Databse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--allow-replace names a resource that TapStack-shop-dev does not have: 'Databse'/);
  });

  it('--json streams check events and ends with the plan as the result', async () => {
    fake.missingCredentials = true;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'check').length).toBeGreaterThanOrEqual(9);
    expect(events.at(-1)).toMatchObject({ type: 'result', ok: true, status: 'planned', template: { needsBootstrapBucket: true } });
  });
});

describe('preflight', () => {
  it('stops when the ledger\'s pushed release is missing from ECR and nothing runs yet to keep', async () => {
    // A stack created but never run (placeholder), and a release whose image was deleted: nothing to fall back to.
    const pushed = releaseRecord(9, { outcome: 'pushed' });
    seedLedger(fake.parameters, [pushed], pushed);
    fake.deployedAsIs();
    fake.images = [];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/! image {2}none yet: the service runs 0 tasks until you run tapctl push-image --env dev \(two-phase first deploy\); release 000009's image v9@sha256:999999999999 is no longer in ECR repository shop-app-dev/);
    expect(r.stdout).toMatch(/up to date/);
  });

  it('rds-postgres: the engine check asks for RDS for PostgreSQL postgres.version, not the unused Aurora default', async () => {
    const pg = await synthesizedProject(sampleConfig({ preset: 'rds-postgres', environments: { dev: { account: '111111111111', region: 'us-east-1', network: { maxAzs: 3, natGateways: 1 } } } }));
    try {
      aimFake(fake, pg);
      fake.engineVersions = ['17.4', '17.6'];
      const r = await tapctl(pg, ['deploy', '--env', 'dev', '--dry-run']);
      expect(r.stderr).toMatch(/✖ database engine {2}postgres 17.5 is not offered in us-east-1/);
      expect(r.stderr).toMatch(/set postgres.version to one RDS offers there, e.g. 17.4, 17.6/);
      // The engine versions asked for (the leftovers check also asks RDS, for the instance identifiers it creates).
      const asked = fake.rds.commandCalls(DescribeDBEngineVersionsCommand).map((c) => c.args[0].input.Engine);
      expect(new Set(asked)).toEqual(new Set(['postgres']));
    } finally {
      pg.project.cleanup();
    }
  });

  it("checks the database capacity against the Serverless v2 limits RDS reports for the version (R4's table, confirmed)", async () => {
    const zero = await synthesizedProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', network: { natGateways: 1 }, database: { minCapacity: 0 } } } }));
    try {
      aimFake(fake, zero);
      fake.serverlessV2 = { MinCapacity: 0.5, MaxCapacity: 128 };
      const r = await tapctl(zero, ['deploy', '--env', 'dev', '--dry-run']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/✖ database engine {2}aurora-postgresql 16.4 in us-east-1 has a Serverless v2 minimum of 0.5 ACUs; database.minCapacity is 0/);
      fake.serverlessV2 = { MinCapacity: 0, MaxCapacity: 256 };
      const ok = await tapctl(zero, ['deploy', '--env', 'dev', '--dry-run']);
      expect(ok.stderr).toMatch(/✔ database engine {2}aurora-postgresql 16.4 is offered in us-east-1 \(Serverless v2 0-256 ACUs\)/);
    } finally {
      zero.project.cleanup();
    }
  });
});
