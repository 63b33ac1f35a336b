/**
 * A preview's deletion through destroy's own flow (toolkit-lib's destroy for real, AWS faked at the SDK
 * boundary by test/deploy/fake-aws.ts): `destroy --env <preview>` and `env sweep`, with the exit code and the
 * --json result of a sweep whose delete fails, its retry by the next run, and a third run that does nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { previewEnvironment } from '../../src/preview/derive.js';
import type { PreviewRecord } from '../../src/preview/record.js';
import { previewStackTags } from '../../src/preview/tags.js';
import { synthesize } from '../../src/synth/synthesize.js';
import { FakeAws } from '../deploy/fake-aws.js';
import { testEnv } from '../deploy/setup.js';
import { runTapctl } from '../helpers/cli.js';
import { DEV_ACCOUNT, tempProject, type TempProject } from '../helpers/project.js';

const HOUR = 3_600_000;
let project: TempProject;
let template: Record<string, any>;
let fake: FakeAws;
let preview: ResolvedEnvironment;

function recordOf(expiresInMs: number): PreviewRecord {
  return { name: 'pr-1', source: 'dev', creator: `arn:aws:iam::${DEV_ACCOUNT}:user/ci`, createdAt: new Date(Date.now() - HOUR).toISOString(), expiresAt: new Date(Date.now() + expiresInMs).toISOString() };
}

beforeAll(async () => {
  project = tempProject();
  const dev = loadConfig(project.configPath).environments.find((e) => e.name === 'dev')!;
  preview = previewEnvironment(dev, recordOf(-HOUR));
  const synth = await synthesize(preview, { outDir: join(mkdtempSync(join(tmpdir(), 'tapctl-preview-')), 'cdk.out') });
  template = JSON.parse(readFileSync(synth.templatePath, 'utf8'));
}, 120_000);
afterAll(() => project.cleanup());

beforeEach(() => {
  fake = new FakeAws();
  fake.stackName = 'TapStack-shop-pr-1';
  fake.stack = { status: 'CREATE_COMPLETE', template, tags: previewStackTags('shop', recordOf(-HOUR)) };
  // The account's listing (DescribeStacks without a name): the preview, and the dev stack, which is no preview.
  const describe = (fake as unknown as { describeStack(name: string): { Stacks: unknown[] } }).describeStack.bind(fake);
  fake.cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    if (input.StackName) return describe(input.StackName);
    const own = fake.stack && fake.stack.status !== 'DELETE_COMPLETE' ? describe(fake.stackName).Stacks : [];
    return { Stacks: [...own, { StackName: 'TapStack-shop-dev', StackId: `arn:aws:cloudformation:us-east-1:${DEV_ACCOUNT}:stack/TapStack-shop-dev/1`, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Tags: [{ Key: 'Project', Value: 'shop' }] }] };
  });
});
afterEach(() => fake.restore());

const tapctl = (argv: string[]) => runTapctl(argv, { cwd: project.dir, env: testEnv() });
/** The stacks DeleteStack was called for, by name (toolkit-lib names them by ARN). */
const deletes = () => fake.cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input.StackName?.replace(/^arn:.*:stack\/([^/]+)\/.*$/, '$1'));

describe('deleting a preview', () => {
  it('destroy --env <preview> finds it by its tags, deletes its stack and marks its release ledger ended', async () => {
    const r = await tapctl(['destroy', '--env', 'pr-1', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, command: 'destroy', status: 'destroyed', stack: 'TapStack-shop-pr-1', retained: [], ledgerEnded: '/tapctl/shop/pr-1/' });
    expect(deletes()).toEqual(['TapStack-shop-pr-1']);
    expect(fake.parameters.params.has('/tapctl/shop/pr-1/ended')).toBe(true);
  });

  it('env sweep: a failed delete is exit 1 with the preview listed; the next run deletes it; the one after does nothing', async () => {
    // The first DeleteStack is denied; later ones delete the stack.
    let denied = false;
    fake.cfn.on(DeleteStackCommand).callsFake(() => {
      if (!denied) {
        denied = true;
        throw Object.assign(new Error('User: ci is not authorized to perform: cloudformation:DeleteStack'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      }
      fake.stack = { status: 'DELETE_COMPLETE' };
      return {};
    });
    const first = await tapctl(['env', 'sweep', '--yes', '--json']);
    expect(first.code, first.stderr).toBe(1);
    const failed = JSON.parse(first.stdout.trim().split('\n').at(-1)!);
    expect(failed).toMatchObject({ ok: false, command: 'env sweep', error: { code: 'sweep-failed', exitCode: 1, message: '1 of 1 previews were not deleted: pr-1' } });
    expect(failed.error.details.failed).toEqual([expect.objectContaining({ name: 'pr-1', reason: 'expired', error: expect.objectContaining({ message: expect.stringContaining('DeleteStack') }) })]);
    expect(fake.stack?.status).toBe('CREATE_COMPLETE');

    const second = await tapctl(['env', 'sweep', '--yes', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, command: 'env sweep', deleted: [{ name: 'pr-1', reason: 'expired', retained: [], ledgerEnded: '/tapctl/shop/pr-1/' }], failed: [] });
    expect(fake.stack?.status).toBe('DELETE_COMPLETE');
    expect(fake.parameters.params.has('/tapctl/shop/pr-1/ended')).toBe(true);

    const third = await tapctl(['env', 'sweep', '--yes']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('no previews: nothing to sweep');
    // Only the preview's stack was ever asked to go: twice (the failure, then the retry).
    expect(deletes()).toEqual(['TapStack-shop-pr-1', 'TapStack-shop-pr-1']);
  });

  it('a preview that has not expired is kept, and says when it will be swept', async () => {
    fake.stack!.tags = previewStackTags('shop', recordOf(5 * HOUR));
    const r = await tapctl(['env', 'sweep', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Kept \(1\)\n {2}· pr-1 {2}TapStack-shop-pr-1 · expires in 4h 59m/);
    expect(deletes()).toEqual([]);
  });
});
