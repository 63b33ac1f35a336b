/**
 * Preview environments end to end against the AWS API emulator, every command spawned as a CI job runs it:
 * two previews created from dev (one built from the working tree with buildah and pushed, one running that
 * image by --image), one's expiry moved into the past through the SDK, env list showing both, a sweep deleting
 * only the expired one (a dry run first, a second run doing nothing), and --env addressing the one left.
 */
import { UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, expect, it } from 'vitest';
import { e2eSuite, EMULATED_ACCOUNT, resetEmulator, Scenario } from './harness.js';

const ONE = 'TapStack-shop-pr-1';
const TWO = 'TapStack-shop-pr-2';

e2eSuite(import.meta.url, 'e2e-aws: preview environments', () => {
  let s: Scenario;
  let image: string;

  beforeAll(async () => {
    await resetEmulator();
    s = await Scenario.init();
    const r = await s.tapctl(['bootstrap', '--env', 'dev']);
    expect(r.code, r.output).toBe(0);
  });

  it('env create builds the working tree into the preview\'s own repository and ends with its URL; the config is not edited', async () => {
    const config = await import('node:fs').then((fs) => fs.readFileSync(`${s.dir}/tapctl.config.yaml`, 'utf8'));
    // Emulator: no ECS task ever runs, so the rollout cannot be waited for (--no-wait); the stack's creation
    // still is. Rollout verdicts are tested with SDK mocks (test/image).
    const r = await s.tapctl(['env', 'create', 'pr-1', '--from', 'dev', '--branch', 'feature/one', '--builder', 'buildah', '--no-wait', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, command: 'env create', name: 'pr-1', status: 'created', source: 'dev', stack: ONE, image: { source: 'built' }, preview: { branch: 'feature/one' } });
    expect(r.result?.url).toMatch(/^https:\/\/.+/);
    image = r.result?.image.reference;
    expect(image).toMatch(new RegExp(`^${EMULATED_ACCOUNT}\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/shop-app-pr-1:`));

    const stack = await s.aws.stack(ONE);
    const tags = Object.fromEntries((stack?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ 'tapctl:preview': 'pr-1', 'tapctl:project': 'shop', 'tapctl:source': 'dev', 'tapctl:branch': 'feature/one', 'tapctl:expires': r.result?.preview.expiresAt });
    // Its own repository holds the image, and its own ledger the release.
    expect((await s.aws.images('shop-app-pr-1')).length).toBe(1);
    expect(await s.currentRelease('pr-1')).toMatchObject({ image: { tag: image.split(':').at(-1) } });
    expect(await import('node:fs').then((fs) => fs.readFileSync(`${s.dir}/tapctl.config.yaml`, 'utf8'))).toBe(config);
  });

  it('env create --image runs an image already pushed, in one deploy', async () => {
    const r = await s.tapctl(['env', 'create', 'pr-2', '--from', 'dev', '--image', image, '--branch', 'feature/two', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, name: 'pr-2', status: 'created', image: { source: 'image', reference: image } });
    expect((await s.aws.stack(TWO))?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('env list --json shows dev (not deployed) and both previews with their age and expiry', async () => {
    const r = await s.tapctl(['env', 'list', '--json']);
    expect(r.code, r.output).toBe(0);
    const rows = r.result?.environments as Array<Record<string, unknown>>;
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'dev', origin: 'config', status: 'NOT_DEPLOYED' }),
        expect.objectContaining({ name: 'pr-1', origin: 'preview', source: 'dev', branch: 'feature/one', status: expect.stringMatching(/_COMPLETE$/), expired: false, ageSeconds: expect.any(Number) }),
        expect.objectContaining({ name: 'pr-2', origin: 'preview', source: 'dev', branch: 'feature/two', status: 'CREATE_COMPLETE', expired: false, image }),
      ]),
    );
  });

  it('env sweep deletes only the expired preview, after a dry run that deletes nothing; a second run does nothing', async () => {
    // pr-2's expiry moved into the past, as the clock would: its stack's tag rewritten through the SDK (a
    // tag-only update of the same template). Emulator: it answers "No updates are to be performed" to such an
    // update that lists the parameters (it compares template and parameters, not tags), so they are left out:
    // the template's only parameter, CDK's BootstrapVersion, has a default.
    const stack = await s.aws.stack(TWO);
    const past = new Date(Date.now() - 60_000).toISOString();
    await s.aws.cfn.send(
      new UpdateStackCommand({
        StackName: TWO,
        UsePreviousTemplate: true,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        Tags: (stack?.Tags ?? []).map((t) => (t.Key === 'tapctl:expires' ? { Key: t.Key, Value: past } : t)),
      }),
    );
    expect((await s.aws.stack(TWO))?.Tags?.find((t) => t.Key === 'tapctl:expires')?.Value).toBe(past);

    const dry = await s.tapctl(['env', 'sweep', '--dry-run', '--json']);
    expect(dry.code, dry.output).toBe(0);
    expect(dry.result).toMatchObject({ dryRun: true, deleted: [{ name: 'pr-2', reason: 'expired' }], kept: [{ name: 'pr-1' }] });
    expect(await s.aws.stack(TWO)).toBeDefined();

    const r = await s.tapctl(['env', 'sweep', '--yes', '--json']);
    expect(r.code, r.output).toBe(0);
    expect(r.result).toMatchObject({ ok: true, command: 'env sweep', deleted: [{ name: 'pr-2', reason: 'expired', ledgerEnded: '/tapctl/shop/pr-2/' }], failed: [], kept: [{ name: 'pr-1' }] });
    expect(await s.aws.stack(TWO)).toBeUndefined();
    expect((await s.aws.stack(ONE))?.StackStatus).toMatch(/_COMPLETE$/);
    const ended = await s.aws.ssm.send(new GetParameterCommand({ Name: '/tapctl/shop/pr-2/ended' }));
    expect(JSON.parse(ended.Parameter?.Value ?? '{}')).toMatchObject({ stack: TWO });

    const again = await s.tapctl(['env', 'sweep', '--yes', '--json']);
    expect(again.code, again.output).toBe(0);
    expect(again.result).toMatchObject({ deleted: [], failed: [], kept: [{ name: 'pr-1' }] });
  });

  // pr-1 stays for the next file's reset. Emulator: its ECR ignores the repository's EmptyOnDelete, so a stack
  // whose repository holds an image (pr-1's) fails to delete there (DELETE_FAILED), and its CloudFormation API
  // answers every later DescribeStacks with an API Gateway error. That is why the expired preview is pr-2, which
  // runs pr-1's image by --image and whose own repository is empty. Deleting a preview after its image deploy is
  // covered with SDK mocks (test/preview/sweep-destroy.test.ts).
  it('--env addresses the preview that is left, and a swept one is a clear exit 2', async () => {
    const status = await s.tapctl(['status', '--env', 'pr-1', '--json']);
    expect(status.code, status.output).toBe(0);
    expect(status.result?.stack).toMatchObject({ name: ONE });

    const gone = await s.tapctl(['status', '--env', 'pr-2']);
    expect(gone.code, gone.output).toBe(2);
    expect(gone.stderr).toContain(`there is no environment 'pr-2' in tapctl.config.yaml, and no preview 'pr-2' in ${EMULATED_ACCOUNT}/us-east-1`);
    expect(gone.stderr).toContain('previews: pr-1 (tapctl env list)');

    const releases = await s.tapctl(['releases', '--env', 'pr-1', '--json']);
    expect(releases.code, releases.output).toBe(0);
    expect(releases.result).toMatchObject({ environment: 'pr-1', ledger: '/tapctl/shop/pr-1/' });
  });
});
