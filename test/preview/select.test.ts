/**
 * `--env <preview>` on any command: the name tapctl.config.yaml lacks is looked up among the project's previews
 * (the stack listing and its tags faked at the SDK boundary) and derived from its source; anything else is a
 * clear exit 2 naming the previews there are.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject } from '../helpers/project.js';
import { FakeStacks, HOUR, record } from './fake-stacks.js';

const project = tempProject(sampleConfig());
afterAll(() => project.cleanup());
let aws: FakeStacks;
beforeEach(() => {
  aws = new FakeStacks();
});
afterEach(() => aws.restore());

const env = cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake' });
const tapctl = (argv: string[], e: NodeJS.ProcessEnv = env) => runTapctl(argv, { cwd: project.dir, env: e });
const result = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('--env <preview>', () => {
  it('config --env shows the preview as derived from its source and its tags', async () => {
    aws.addPreview(record('pr-1', 20 * HOUR, { branch: 'feature/x' }));
    const r = await tapctl(['config', '--env', 'pr-1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(result(r.stdout)).toMatchObject({
      ok: true,
      name: 'pr-1',
      kind: 'development',
      suffix: 'pr-1',
      account: '111111111111',
      region: 'us-east-1',
      protection: { retainData: false, deletionProtection: false, terminationProtection: false },
      database: { readers: 0 },
      container: { minTasks: 1, maxTasks: 1 },
      names: { stack: 'TapStack-shop-pr-1', ecsCluster: 'shop-cluster-pr-1' },
      preview: { source: 'dev', branch: 'feature/x' },
    });
  });

  it('a configured environment costs no AWS call', async () => {
    aws.addPreview(record('pr-1', HOUR));
    const r = await tapctl(['config', '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(aws.cfn.calls()).toHaveLength(0);
  });

  it('an unknown name is exit 2 with the previews there are; other projects, other accounts and untagged stacks are none of them', async () => {
    aws.addPreview(record('pr-1', HOUR));
    aws.addPreview(record('pr-2', HOUR));
    aws.addPreview(record('pr-3', HOUR), { project: 'other' });
    aws.addPreview(record('pr-4', HOUR), { account: '333333333333' });
    aws.add('TapStack-shop-pr-5', { 'tapctl:project': 'shop' });
    for (const name of ['pr-404', 'pr-3', 'pr-4', 'pr-5']) {
      const r = await tapctl(['status', '--env', name]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`✖ there is no environment '${name}' in tapctl.config.yaml, and no preview '${name}' in 111111111111/us-east-1, 111111111111/us-west-2`);
      expect(r.stderr).toContain('hint: environments: dev, staging, prod; previews: pr-1, pr-2 (tapctl env list)');
    }
    // Every page of every non-production account and region was read (two per page here).
    expect(aws.listings()).toBeGreaterThanOrEqual(4 * 2 * 3);
  });

  it("a preview whose source is gone, or is production now, is exit 2 saying why and how to delete it", async () => {
    aws.addPreview(record('pr-1', HOUR, { source: 'qa' }));
    aws.addPreview(record('pr-2', HOUR, { source: 'prod' }));
    const gone = await tapctl(['status', '--env', 'pr-1']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("✖ preview 'pr-1' (stack TapStack-shop-pr-1 in 111111111111/us-east-1) cannot be used: its source 'qa' is no environment of tapctl.config.yaml any more");
    expect(gone.stderr).toContain('aws cloudformation delete-stack --stack-name TapStack-shop-pr-1 --region us-east-1');
    const production = await tapctl(['deploy', '--env', 'pr-2', '--yes']);
    expect(production.code).toBe(2);
    expect(production.stderr).toContain("cannot be used: its source 'prod' is a production environment now");
  });

  it('a preview whose expiry tag is unreadable is still derived from its name and source (taken as expired), so destroy can delete it (qa3 P2 #3)', async () => {
    const entry = aws.addPreview(record('pr-10', HOUR));
    entry.tags['tapctl:expires'] = 'soon-ish';
    const r = await tapctl(['config', '--env', 'pr-10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = result(r.stdout);
    expect(doc).toMatchObject({ name: 'pr-10', names: { stack: 'TapStack-shop-pr-10' }, preview: { source: 'dev' } });
    // Expired at its stack's creation: never a made-up future expiry.
    expect(Date.parse(doc.preview.expiresAt)).toBe(Date.parse(doc.preview.createdAt));
  });

  it("a preview in another account or region than its source is not used", async () => {
    aws.addPreview(record('pr-1', HOUR), { region: 'us-west-2' });
    const r = await tapctl(['config', '--env', 'pr-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("it is in 111111111111/us-west-2, but its source 'dev' is configured in 111111111111/us-east-1");
  });

  it('a name no preview can have is answered without AWS', async () => {
    const r = await tapctl(['config', '--env', 'Dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("✖ there is no environment 'Dev' in tapctl.config.yaml; did you mean 'dev'?");
    expect(aws.cfn.calls()).toHaveLength(0);
  });

  it('without credentials the previews cannot be listed: exit 2, saying so', async () => {
    // As the SDK answers when its credential chain finds nothing (the mock stands in for the chain).
    aws.cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const r = await tapctl(['config', '--env', 'pr-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/✖ there is no environment 'pr-1' in tapctl.config.yaml, and previews could not be listed \(no AWS credentials found/);
  });

  it('--region may confirm a preview\'s region, never redirect it', async () => {
    aws.addPreview(record('pr-1', HOUR));
    const r = await tapctl(['config', '--env', 'pr-1', '--region', 'eu-west-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("environment 'pr-1' is in us-east-1, but --region says 'eu-west-1'");
  });
});

describe('env list', () => {
  const rows = async () => {
    const r = await tapctl(['env', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return { r, doc: result(r.stdout) as { environments: Array<Record<string, unknown>> } };
  };

  it("a configured environment's stack tagged as a preview is shown once, as that environment, never as a preview sweep deletes (qa3 P2 #11)", async () => {
    aws.add('TapStack-shop-dev', { 'tapctl:project': 'shop', 'tapctl:preview': 'dev', 'tapctl:source': 'dev', 'tapctl:created': new Date(Date.now() - 2 * HOUR).toISOString(), 'tapctl:expires': new Date(Date.now() - HOUR).toISOString() });
    const { doc } = await rows();
    const dev = doc.environments.filter((e) => e.name === 'dev');
    expect(dev).toEqual([expect.objectContaining({ origin: 'config', stack: 'TapStack-shop-dev', note: expect.stringContaining("it is environment 'dev' of tapctl.config.yaml: env sweep never deletes it") })]);
    expect(JSON.stringify(doc)).not.toContain('sweep deletes it');
  });

  it('a preview with an unreadable expiry: its source shown, and the note says what sweep really does (qa3 P2 #3, P3 #13)', async () => {
    aws.addPreview(record('pr-10', HOUR)).tags['tapctl:expires'] = 'soon-ish';
    const { doc } = await rows();
    expect(doc.environments.find((e) => e.name === 'pr-10')).toMatchObject({ origin: 'preview', source: 'dev', expired: true, note: expect.stringContaining('taken as expired, env sweep deletes it') });
  });
});
