/**
 * What tapctl refuses to do, against the AWS API emulator, and proof that nothing changed: the wrong account,
 * a missing bootstrap, no terminal and no --yes, and a stack left in ROLLBACK_COMPLETE (then recovered).
 * Each scenario starts from an empty emulator.
 */
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { CreateChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { CreateRepositoryCommand, DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, expect, it } from 'vitest';
import { e2eSuite, EMULATED_ACCOUNT, resetEmulator, Scenario } from './harness.js';

const STACK = 'TapStack-shop-dev';
const REPOSITORY = 'shop-app-dev';
const TARGET_GROUP = 'shop-tg-dev';

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

  it('a create that would collide with a leftover repository is refused before CloudFormation (exit 3), naming it', async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    // A repository with the stack's physical name already exists (left by an earlier destroy, or made by hand).
    await s.aws.ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
    const r = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.output).toBe(3);
    expect(r.stderr).toContain(`- ECR repository ${REPOSITORY}: delete with aws ecr delete-repository --repository-name ${REPOSITORY} --force --region us-east-1`);
    expect(await s.aws.stack(STACK)).toBeUndefined();
  });

  it('a first create that fails is explained by its root cause and known cause, and leaves ROLLBACK_COMPLETE', async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    // A target group with the stack's physical name already exists, so the stack's own cannot be created. (Not a
    // leftover a destroy keeps, so preflight does not look for it: CloudFormation finds it.)
    const vpcId = (await s.aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.find((v) => v.IsDefault)?.VpcId;
    await s.aws.elbv2.send(new CreateTargetGroupCommand({ Name: TARGET_GROUP, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip' }));

    const failed = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(failed.code, failed.output).toBe(1);
    // Emulator: moto reports the name collision on the listener rule that uses the target group.
    expect(failed.stderr).toMatch(/root cause: \w+ \(AWS::ElasticLoadBalancingV2::\w+\) CREATE_FAILED: A target group with the specified name already exists/);
    // The explainer recognises "already exists": a name taken by a leftover or another stack.
    expect(failed.stderr).toMatch(/known cause \(name taken\): a resource with this name is left from an earlier stack/);
    expect(failed.stderr).toContain('ROLLBACK_COMPLETE: the first create failed and was rolled back');
    expect((await s.aws.stack(STACK))?.StackStatus).toBe('ROLLBACK_COMPLETE');
  });

  it('a stack left in ROLLBACK_COMPLETE: kept without --yes off a terminal; deploy --yes deletes it and creates the stack', async () => {
    const s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    // Emulator: moto's rollback keeps what a failed create of the whole stack had made, and its target groups
    // outlive the stack, so the failed first create is made here with a one-resource template whose repository
    // name is taken; then the name is freed.
    await s.aws.ecr.send(new CreateRepositoryCommand({ repositoryName: 'blocker' }));
    const template = { Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'blocker' } } } };
    // Through a change set, as tapctl creates stacks: the emulator then records the failure as AWS does.
    await s.aws.cfn.send(new CreateChangeSetCommand({ StackName: STACK, ChangeSetName: 'first', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template) }));
    await s.aws.cfn.send(new ExecuteChangeSetCommand({ StackName: STACK, ChangeSetName: 'first' }));
    const rolledBack = await s.aws.stack(STACK);
    expect(rolledBack?.StackStatus).toBe('ROLLBACK_COMPLETE');
    await s.aws.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'blocker', force: true }));

    // Without --yes off a terminal the failed stack is not deleted.
    const unapproved = await s.tapctl(['deploy', '--env', 'dev']);
    expect(unapproved.code, unapproved.output).toBe(3);
    expect((await s.aws.stack(STACK))?.StackId).toBe(rolledBack?.StackId);

    const recovered = await s.tapctl(['deploy', '--env', 'dev', '--yes']);
    expect(recovered.code, recovered.output).toBe(0);
    expect(recovered.stderr).toContain(`stack ${STACK} is ROLLBACK_COMPLETE (its first create failed); it must be deleted before it can be created again: deleting it (--yes)`);
    const created = await s.aws.stack(STACK);
    expect(created?.StackStatus).toBe('CREATE_COMPLETE');
    expect(created?.StackId).not.toBe(rolledBack?.StackId);
    expect(await s.aws.repositoryNames()).toContain(REPOSITORY);
  });
});
