import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { suppressNag, type NagSuppression } from '../../src/infra/nag-suppressions.js';

const suppressions: NagSuppression[] = [
  { id: 'AwsSolutions-EC23', reason: 'Public load balancer by design.' },
  { id: 'AwsSolutions-IAM5', reason: 'Only this wildcard is needed.', appliesTo: ['Resource::*', { regex: '/^Action::s3:.*$/g' }] },
];

/** A construct with an L1 default child and a second L1 below it. */
function tree(stack: Stack, id: string): { parent: Construct; main: CfnResource; child: CfnResource } {
  const parent = new Construct(stack, id);
  const main = new CfnResource(parent, 'Resource', { type: 'AWS::SNS::Topic' });
  const child = new CfnResource(parent, 'Policy', { type: 'AWS::SNS::TopicPolicy' });
  return { parent, main, child };
}

describe('suppressNag', () => {
  it('writes exactly the metadata cdk-nag NagSuppressions writes', () => {
    // GIVEN two identical constructs
    const stack = new Stack();
    const ours = tree(stack, 'Ours');
    const theirs = tree(stack, 'Theirs');

    // WHEN one is suppressed with our helper and the other with cdk-nag's own, twice (to merge and dedupe)
    suppressNag(ours.parent, suppressions, { applyToChildren: true });
    suppressNag(ours.parent, suppressions.slice(0, 1), { applyToChildren: true });
    NagSuppressions.addResourceSuppressions(theirs.parent, suppressions as never, true);
    NagSuppressions.addResourceSuppressions(theirs.parent, suppressions.slice(0, 1) as never, true);

    // THEN the metadata is identical on every resource
    expect(ours.main.getMetadata('cdk_nag')).toEqual(theirs.main.getMetadata('cdk_nag'));
    expect(ours.child.getMetadata('cdk_nag')).toEqual(theirs.child.getMetadata('cdk_nag'));
    expect(ours.main.getMetadata('cdk_nag')).toEqual({
      rules_to_suppress: [
        { reason: 'Public load balancer by design.', id: 'AwsSolutions-EC23' },
        {
          reason: 'Only this wildcard is needed.',
          id: 'AwsSolutions-IAM5',
          applies_to: ['Resource::*', { regex: '/^Action::s3:.*$/g' }],
        },
      ],
    });
  });

  it('suppresses only the default child unless applyToChildren is set', () => {
    // GIVEN a construct with two L1 resources
    const { parent, main, child } = tree(new Stack(), 'Target');
    // WHEN
    suppressNag(parent, suppressions.slice(0, 1));
    // THEN
    expect(main.getMetadata('cdk_nag')).toBeDefined();
    expect(child.getMetadata('cdk_nag')).toBeUndefined();
  });

  it.each([
    [{ id: 'AwsSolutions-L1', reason: 'too short' }, /at least 10 characters/],
    [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'a finding in the id' }, /appliesTo/],
    [{ id: 'AwsSolutions-L1', reason: 'a reason with \u2192 an arrow' }, /Latin-1/],
  ])('refuses a suppression cdk-nag would reject or encode: %o', (bad, message) => {
    const { parent } = tree(new Stack(), 'Target');
    expect(() => suppressNag(parent, [bad])).toThrow(message);
  });
});
