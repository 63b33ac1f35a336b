/**
 * What tapctl refuses to do, against the AWS API emulator, and proof that nothing changed: the wrong account,
 * a missing bootstrap, no terminal and no --yes, and a stack left in ROLLBACK_COMPLETE (then recovered).
 * Each scenario starts from an empty emulator.
 */
import { CreateRepositoryCommand, DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, expect, it } from 'vitest';
import { e2eSuite, EMULATED_ACCOUNT, resetEmulator, Scenario } from './harness.js';

const STACK = 'TapStack-shop-dev';
const REPOSITORY = 'shop-app-dev';

e2eSuite(import.meta.url, 'e2e-aws: refusals', () => {
  beforeEach(() => resetEmulator());

  it('the wrong account: every AWS-touching command exits 3 and the deployed stack stays as it was', async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    const deployed = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(deployed.code, deployed.output).toBe(0);
    const before = { stack: await s.aws.stack(STACK), changeSets: await s.aws.changeSetIds(STACK), template: await s.aws.template(STACK) };

    // The emulator answers as account 123456789012 whatever the credentials: the config now names another, with
    // a change pending, so a deploy that got past the account check would have something to do.
    s.editConfig((doc) => {
      doc.setIn(['environments', 'dev', 'account'], '111111111111');
      doc.setIn(['defaults', 'logRetentionDays'], 14);
    });
    for (const args of [
      ['deploy', '--env', 'dev', '--yes'],
      ['diff', '--env', 'dev'],
      ['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'wrong-account', '--deploy', '--yes'],
      ['destroy', '--env', 'dev', '--yes'],
      ['bootstrap', '--env', 'dev'],
      ['status', '--env', 'dev'],
    ]) {
      const r = await s.tapctl(args);
      expect(r.code, `${args.join(' ')}\n${r.output}`).toBe(3);
      expect(r.stderr).toContain(`refusing to touch account ${EMULATED_ACCOUNT}: environment 'dev' belongs to account 111111111111`);
    }

    const after = await s.aws.stack(STACK);
    expect(after?.StackStatus).toBe('CREATE_COMPLETE');
    expect(after?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
    expect(await s.aws.changeSetIds(STACK)).toEqual(before.changeSets);
    expect(await s.aws.template(STACK)).toEqual(before.template);
    expect(await s.aws.images(REPOSITORY)).toEqual([]);
    expect(await s.currentRelease()).toBeUndefined();
  });

  it('no bootstrap: deploy stops at its preflight (exit 1) naming the command that fixes it, and creates nothing', async () => {
    const s = await Scenario.init();
    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toContain(`CDK bootstrap is missing in account ${EMULATED_ACCOUNT}, region us-east-1`);
    expect(r.stderr).toContain('tapctl bootstrap --env dev');
    expect(await s.aws.stackNames()).toEqual([]);
    expect(await s.aws.repositoryNames()).toEqual([]);
    await expect(s.aws.ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  it('no terminal and no --yes: deploy, destroy and push-image --deploy refuse (exit 3) before touching anything', async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    const stacks = await s.aws.stackNames();

    const deploy = await s.tapctl(['deploy', '--env', 'dev']);
    expect(deploy.code, deploy.output).toBe(3);
    expect(deploy.stderr).toContain('there is no terminal to ask; nothing was checked or changed');
    expect(deploy.stderr).toContain('--yes');
    const push = await s.tapctl(['push-image', '--env', 'dev', '--builder', 'buildah', '--tag', 'no-yes', '--deploy']);
    expect(push.code, push.output).toBe(3);
    expect(push.stderr).toContain('refusing to push and deploy without approval: there is no terminal to ask on');
    expect(await s.aws.stackNames()).toEqual(stacks);
    expect(stacks).not.toContain(STACK);

    // With a stack to delete, destroy still needs its confirmation.
    expect((await s.tapctl(['deploy', '--env', 'dev', '--yes'])).code).toBe(0);
    const before = await s.aws.stack(STACK);
    const destroy = await s.tapctl(['destroy', '--env', 'dev']);
    expect(destroy.code, destroy.output).toBe(3);
    expect(destroy.stderr).toContain('needs confirmation, and there is no terminal to ask; nothing was touched');
    expect((await s.aws.stack(STACK))?.StackId).toBe(before?.StackId);
    expect((await s.aws.stack(STACK))?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('a first create that fails leaves ROLLBACK_COMPLETE; once the cause is fixed, deploy --yes deletes it and creates the stack', async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    // A repository with the stack's physical name already exists, so the stack's own cannot be created.
    await s.aws.ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));

    const failed = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(failed.code, failed.output).toBe(1);
    expect(failed.stderr).toMatch(/root cause: RegistryECRRepository\w+ \(AWS::ECR::Repository\) CREATE_FAILED: .*'shop-app-dev' already exists/);
    expect(failed.stderr).toContain('ROLLBACK_COMPLETE: the first create failed and was rolled back');
    const rolledBack = await s.aws.stack(STACK);
    expect(rolledBack?.StackStatus).toBe('ROLLBACK_COMPLETE');

    // Without --yes off a terminal the failed stack is not deleted.
    const unapproved = await s.tapctl(['deploy', '--env', 'dev']);
    expect(unapproved.code, unapproved.output).toBe(3);
    expect((await s.aws.stack(STACK))?.StackId).toBe(rolledBack?.StackId);

    // The user removes the repository in the way; the next deploy replaces the failed stack.
    await s.aws.ecr.send(new DeleteRepositoryCommand({ repositoryName: REPOSITORY, force: true }));
    const recovered = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(recovered.code, recovered.output).toBe(0);
    expect(recovered.stderr).toContain(`stack ${STACK} is ROLLBACK_COMPLETE (its first create failed); it must be deleted before it can be created again: deleting it (--yes)`);
    const created = await s.aws.stack(STACK);
    expect(created?.StackStatus).toBe('CREATE_COMPLETE');
    expect(created?.StackId).not.toBe(rolledBack?.StackId);
    expect(await s.aws.repositoryNames()).toContain(REPOSITORY);
  });
});
