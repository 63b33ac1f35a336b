/**
 * env sweep's choices, with AWS faked at the SDK boundary (the stack listing, each stack's tags, STS) and the
 * deletion through sweep's destroy seam: expired, branch gone, not a preview, another project's, another
 * account's, a configured environment's stack, a delete that fails and is retried, a second run that does
 * nothing. test/preview/sweep-destroy.test.ts runs the real destroy flow.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/cli/errors.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { runEnvSweep, sweepDecision, type SweepDeps } from '../../src/preview/sweep-flow.js';
import { testContext } from '../image/harness.js';
import { tempProject } from '../helpers/project.js';
import { FakeStacks, HOUR, NOW, record } from './fake-stacks.js';

const project = tempProject();
afterAll(() => project.cleanup());

let aws: FakeStacks;
beforeEach(() => {
  aws = new FakeStacks();
});
afterEach(() => aws.restore());

/** A destroy seam that deletes in the fake, and fails for the names in `failing` (once each). */
function destroyer(failing: Set<string> = new Set()) {
  const destroyed: ResolvedEnvironment[] = [];
  const destroy: SweepDeps['destroy'] = async (_ctx, env) => {
    destroyed.push(env);
    const stack = aws.byName(env.names.stack)!;
    if (failing.delete(env.name)) {
      stack.status = 'DELETE_FAILED';
      throw new OperationError(`deletion of ${env.names.stack} failed: DELETE_FAILED (a bucket is not empty)`, { code: 'destroy-failed' });
    }
    stack.status = 'DELETE_COMPLETE';
    return { retained: [], ledgerEnded: `/tapctl/shop/${env.suffix}/` };
  };
  return { destroy, destroyed };
}

async function sweep(options: { liveBranches?: string[]; dryRun?: boolean; yes?: boolean } = {}, deps: Partial<SweepDeps> = {}) {
  const { ctx, stderr } = testContext({ cwd: project.dir, yes: options.yes ?? true });
  const result = await runEnvSweep(ctx, { ...(options.liveBranches ? { liveBranches: options.liveBranches } : {}), dryRun: Boolean(options.dryRun) }, { now: () => NOW, ...deps });
  return { result, stderr: stderr.text };
}

const names = (items: ReadonlyArray<{ name: string }>) => items.map((i) => i.name).sort();

describe('env sweep', () => {
  it('deletes the expired, the failed and the branch-gone previews of this project, and nothing else; a failure is retried; a third run does nothing', async () => {
    aws.addPreview(record('pr-1', -2 * HOUR));
    aws.addPreview(record('pr-2', 20 * HOUR, { branch: 'feature/live' }));
    aws.addPreview(record('pr-3', 20 * HOUR, { branch: 'feature/gone' }));
    aws.addPreview(record('pr-4', 20 * HOUR));
    aws.addPreview(record('pr-6', 20 * HOUR), { status: 'DELETE_FAILED' });
    aws.addPreview(record('pr-7', -HOUR), { status: 'DELETE_IN_PROGRESS' });
    // Not this project's previews, whatever else they say: never touched.
    aws.addPreview(record('pr-9', -HOUR), { project: 'other' });
    aws.add('TapStack-shop-pr-8', { 'tapctl:project': 'shop', 'tapctl:expires': new Date(NOW - HOUR).toISOString() });
    aws.add('TapStack-shop-dev', { Project: 'shop' });
    aws.addPreview(record('pr-5', -HOUR), { account: '333333333333' });

    const failing = new Set(['pr-3']);
    const first = destroyer(failing);
    const run1 = await sweep({ liveBranches: ['main', 'feature/live'] }, { destroy: first.destroy });
    expect(names(run1.result.deleted)).toEqual(['pr-1', 'pr-6']);
    expect(run1.result.deleted.find((d) => d.name === 'pr-1')).toMatchObject({ reason: 'expired', detail: expect.stringMatching(/^expired 2h ago/), ledgerEnded: '/tapctl/shop/pr-1/' });
    expect(run1.result.deleted.find((d) => d.name === 'pr-6')).toMatchObject({ reason: 'delete-failed' });
    expect(run1.result.failed).toEqual([expect.objectContaining({ name: 'pr-3', reason: 'branch-gone', detail: "branch 'feature/gone' is not live", error: expect.objectContaining({ message: expect.stringContaining('DELETE_FAILED') }) })]);
    expect(names(run1.result.kept)).toEqual(['pr-2', 'pr-4']);
    expect(run1.result.kept.find((k) => k.name === 'pr-4')?.detail).toBe('expires in 20h, no branch recorded');
    expect(names(run1.result.inProgress)).toEqual(['pr-7']);
    expect(run1.result.refused).toEqual([]);
    // Each destroy got the preview as derived from its source: never another stack.
    expect(first.destroyed.map((e) => e.names.stack).sort()).toEqual(['TapStack-shop-pr-1', 'TapStack-shop-pr-3', 'TapStack-shop-pr-6']);
    expect(first.destroyed.every((e) => e.kind === 'development' && e.preview?.source === 'dev' && !e.protection.retainData)).toBe(true);

    // The next run: the failed one is tried again (its stack is DELETE_FAILED, still tagged), the one that was
    // being deleted has gone.
    aws.byName('TapStack-shop-pr-7')!.status = 'DELETE_COMPLETE';
    const second = destroyer();
    const run2 = await sweep({ liveBranches: ['main', 'feature/live'] }, { destroy: second.destroy });
    expect(run2.result.deleted).toEqual([expect.objectContaining({ name: 'pr-3', reason: 'delete-failed' })]);
    expect(run2.result.failed).toEqual([]);

    const third = destroyer();
    const run3 = await sweep({ liveBranches: ['main', 'feature/live'] }, { destroy: third.destroy });
    expect(third.destroyed).toEqual([]);
    expect(run3.result).toMatchObject({ deleted: [], failed: [], refused: [], inProgress: [] });
    expect(names(run3.result.kept)).toEqual(['pr-2', 'pr-4']);
    // Untouched, all along.
    for (const stack of ['TapStack-other-pr-9', 'TapStack-shop-pr-8', 'TapStack-shop-dev']) expect(aws.byName(stack)?.status).toBe('CREATE_COMPLETE');
    expect(aws.stacks.find((s) => s.account === '333333333333')?.status).toBe('CREATE_COMPLETE');
  });

  it('a preview left in REVIEW_IN_PROGRESS (a create never executed) is deleted once an hour old; a younger one waits (qa3 P2 #8)', async () => {
    // The fake's stacks were created 5 h ago.
    aws.addPreview(record('pr-43', 20 * HOUR), { status: 'REVIEW_IN_PROGRESS' });
    const { destroy, destroyed } = destroyer();
    const { result } = await sweep({}, { destroy });
    expect(destroyed.map((e) => e.name)).toEqual(['pr-43']);
    expect(result.deleted).toEqual([expect.objectContaining({ name: 'pr-43', reason: 'abandoned', detail: expect.stringContaining('REVIEW_IN_PROGRESS for 5h') })]);
    expect(result.inProgress).toEqual([]);

    const young = { name: 'pr-44', stackName: 'TapStack-shop-pr-44', stackId: 'id', account: '111111111111', region: 'us-east-1', status: 'REVIEW_IN_PROGRESS', stackCreatedAt: new Date(NOW - 10 * 60_000).toISOString(), stack: {} as never };
    expect(sweepDecision(young, [], NOW)).toMatchObject({ action: 'wait', detail: expect.stringContaining('deleted once 1h old') });
  });

  it('a preview with an unreadable expiry tag is deleted through destroy, once: not failed every run (qa3 P2 #3)', async () => {
    aws.addPreview(record('pr-10', 20 * HOUR)).tags['tapctl:expires'] = 'soon-ish';
    const { destroy, destroyed } = destroyer();
    const first = await sweep({}, { destroy });
    expect(destroyed.map((e) => e.name)).toEqual(['pr-10']);
    expect(first.result.deleted).toEqual([expect.objectContaining({ name: 'pr-10', reason: 'expired', detail: expect.stringContaining('no readable expiry') })]);
    expect(first.result.failed).toEqual([]);
    const second = await sweep({}, { destroy });
    expect(second.result).toMatchObject({ deleted: [], failed: [] });
  });

  it('without --live-branches, a preview is judged by its expiry alone', async () => {
    aws.addPreview(record('pr-3', 20 * HOUR, { branch: 'feature/gone' }));
    const { destroy, destroyed } = destroyer();
    const { result } = await sweep({}, { destroy });
    expect(destroyed).toEqual([]);
    expect(result.kept).toEqual([expect.objectContaining({ name: 'pr-3', detail: 'expires in 20h' })]);
  });

  it('--dry-run lists what it would delete and deletes nothing, without --yes', async () => {
    aws.addPreview(record('pr-1', -HOUR));
    const { destroy, destroyed } = destroyer();
    const { result } = await sweep({ dryRun: true, yes: false }, { destroy });
    expect(result).toMatchObject({ dryRun: true, deleted: [expect.objectContaining({ name: 'pr-1', reason: 'expired' })] });
    expect(destroyed).toEqual([]);
  });

  it('refuses without --yes and without a terminal (exit 3), before any AWS call', async () => {
    aws.addPreview(record('pr-1', -HOUR));
    const { destroy, destroyed } = destroyer();
    await expect(sweep({ yes: false }, { destroy })).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('needs confirmation, and there is no terminal') });
    expect(destroyed).toEqual([]);
    expect(aws.cfn.calls().length + aws.sts.calls().length).toBe(0);
  });

  it('an empty --live-branches list is refused (exit 2): it would sweep every preview with a branch', async () => {
    await expect(sweep({ liveBranches: [] })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('lists no branch') });
    expect(aws.cfn.calls().length).toBe(0);
  });

  it('credentials for another account: refused (exit 3), nothing listed or deleted', async () => {
    aws.addPreview(record('pr-1', -HOUR));
    aws.callerAccount = '999999999999';
    const { destroy, destroyed } = destroyer();
    await expect(sweep({}, { destroy })).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('the credentials are for none of the accounts') });
    expect(destroyed).toEqual([]);
    expect(aws.listings()).toBe(0);
  });

  it("a stack that is a configured environment's is refused whatever its tags say", async () => {
    aws.add('TapStack-shop-dev', { 'tapctl:project': 'shop', 'tapctl:preview': 'dev', 'tapctl:source': 'dev', 'tapctl:created': new Date(NOW - HOUR).toISOString(), 'tapctl:expires': new Date(NOW - HOUR).toISOString() });
    const { destroy, destroyed } = destroyer();
    const { result } = await sweep({}, { destroy });
    expect(destroyed).toEqual([]);
    expect(result.refused).toEqual([expect.objectContaining({ stack: 'TapStack-shop-dev', detail: expect.stringContaining("is environment 'dev' of tapctl.config.yaml") })]);
  });

  it('a stack whose tags changed since the listing is not touched', async () => {
    aws.addPreview(record('pr-1', -HOUR));
    const moved = aws.addPreview(record('pr-2', -HOUR));
    // While pr-1 is deleted, someone re-tags pr-2's stack: it is no preview any more.
    const { destroy: base, destroyed } = destroyer();
    const destroy: SweepDeps['destroy'] = async (ctx, env) => {
      if (env.name === 'pr-1') moved.tags = { Project: 'shop' };
      return base(ctx, env);
    };
    const { result } = await sweep({}, { destroy });
    expect(destroyed.map((e) => e.name)).toEqual(['pr-1']);
    expect(result.refused).toEqual([expect.objectContaining({ name: 'pr-2', detail: expect.stringContaining('is no longer preview') })]);
  });

  it('a preview whose source environment is gone from the config is listed as not deleted, with the way to delete it', async () => {
    aws.addPreview(record('pr-1', -HOUR, { source: 'qa' }));
    const { destroy, destroyed } = destroyer();
    const { result } = await sweep({}, { destroy });
    expect(destroyed).toEqual([]);
    expect(result.failed).toEqual([
      expect.objectContaining({
        name: 'pr-1',
        error: expect.objectContaining({ code: 'not-derivable', message: expect.stringContaining("its source 'qa' is no environment of tapctl.config.yaml"), hint: 'aws cloudformation delete-stack --stack-name TapStack-shop-pr-1 --region us-east-1' }),
      }),
    ]);
  });

  it('a preview with an unreadable expiry counts as expired', async () => {
    aws.add('TapStack-shop-pr-1', { 'tapctl:project': 'shop', 'tapctl:preview': 'pr-1', 'tapctl:source': 'dev', 'tapctl:created': 'yesterday', 'tapctl:expires': 'never' });
    const { result } = await sweep({ dryRun: true });
    expect(result.deleted).toEqual([expect.objectContaining({ name: 'pr-1', reason: 'expired', detail: expect.stringContaining('no readable expiry') })]);
  });
});
