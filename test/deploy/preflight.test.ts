/** deploy's preflight checks and --dry-run plan, on the real synthesized stack against the faked AWS. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writePushedImage } from '../../src/state/work-dir.js';
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
    for (const check of ['account', 'bootstrap', 'stack', 'image', 'database engine']) expect(r.stderr).toMatch(new RegExp(`– ${check} {2}no credentials`));
    expect(r.stdout).toMatch(/Plan for 'dev' \(TapStack-shop-dev\)/);
    // Binary units, as tapctl synth prints them.
    expect(r.stdout).toMatch(/template\s+\d+ resources, \d+\.\d KiB \(over the 51,200-byte inline limit/);
    expect(r.stdout).toMatch(/resources\s+.*EC2 \d+/);
    expect(r.stdout).toMatch(/outputs\s+.*CloudFrontURL/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
    // Whether the account is bootstrapped could not be checked: the next steps say so, in order.
    expect(r.stdout).toMatch(/Next:\n  tapctl bootstrap --env dev   \(once per account and region: not checked, no credentials\)\n  tapctl deploy --env dev\n  tapctl push-image --env dev --deploy/);
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
  it('deploys the image push-image recorded when the config names none, and stops if ECR does not have it', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    writePushedImage(f.project.dir, 'dev', { repositoryUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag: 'v7', digest, platform: 'linux/amd64', pushedAt: new Date().toISOString() });
    try {
      fake.deployedAsIs();
      fake.images = ['v6'];
      const missing = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/image 111111111111.dkr.ecr.us-east-1.amazonaws.com\/shop-app-dev:v7@sha256:a+ is not in ECR repository shop-app-dev/);
      expect(missing.stderr).toMatch(/hint: push it first: tapctl push-image --env dev/);
      // The synthesized stack runs the recorded image (a copy of the frozen config, not the config itself).
      const synthesized = readFileSync(`${f.project.dir}/.tapctl/dev/cdk.out/TapStack-shop-dev.template.json`, 'utf8');
      expect(synthesized).toContain(digest);

      fake.images = [digest];
      const found = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--dry-run']);
      expect(found.code, found.stderr).toBe(0);
      expect(found.stderr).toMatch(/✔ image {2}.*:v7@sha256:a+ \(from push-image\)/);
    } finally {
      // Later tests deploy without an image again.
      (await import('node:fs')).rmSync(`${f.project.dir}/.tapctl/dev/image.json`);
    }
  });

  it('checks the account API Gateway role when execution logging is on (failure-lessons #19)', async () => {
    const logging = await synthesizedProject(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, api: { loggingLevel: 'ERROR' } } }));
    try {
      aimFake(fake, logging);
      const r = await tapctl(logging, ['deploy', '--env', 'dev', '--dry-run']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/✖ API Gateway logging {2}API Gateway execution logging is on \(ERROR\), but account 111111111111 has no API Gateway CloudWatch role/);
      expect(r.stderr).toMatch(/set api.loggingLevel: OFF/);
      fake.apiGatewayRole = 'arn:aws:iam::111111111111:role/apigw-logs';
      const ok = await tapctl(logging, ['deploy', '--env', 'dev', '--dry-run']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/✔ API Gateway logging {2}account CloudWatch role arn:aws:iam::111111111111:role\/apigw-logs/);
    } finally {
      logging.project.cleanup();
    }
  });
});
