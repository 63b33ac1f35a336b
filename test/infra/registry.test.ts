import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { ContainerRegistry } from '../../src/infra/constructs/registry.js';
import { RELEASES_KEPT } from '../../src/release/retention.js';
import { bareStack, getAtt } from './fixtures.js';

function synth(retainData?: boolean): { template: Template; keyId: string } {
  const stack = bareStack();
  const key = new kms.Key(stack, 'Key');
  new ContainerRegistry(stack, 'Registry', {
    repositoryName: 'tap-app-dev',
    encryptionKey: key,
    ...(retainData === undefined ? {} : { retainData }),
  });
  return { template: Template.fromStack(stack), keyId: stack.getLogicalId(key.node.defaultChild as kms.CfnKey) };
}

describe('ContainerRegistry', () => {
  it('creates a KMS-encrypted repository, scanned on push, keeping 10 images (§5.1)', () => {
    // GIVEN / WHEN
    const { template, keyId } = synth();
    // THEN
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'tap-app-dev',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: getAtt(keyId, 'Arn') },
    });
    const [repo] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText)).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: 'Keep only 10 most recent images',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
          action: { type: 'expire' },
        },
      ],
    });
  });

  it('keeps as many images as the release ledger keeps releases: one number', () => {
    const [repo] = Object.values(synth().template.findResources('AWS::ECR::Repository'));
    expect(JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules[0].selection.countNumber).toBe(RELEASES_KEPT);
  });

  it("makes tags immutable, except 'latest' (push-image --also-latest moves it; nothing deploys it)", () => {
    synth().template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' }],
    });
  });

  it('retains the repository by default, and never empties a retained one', () => {
    const [repo] = Object.values(synth().template.findResources('AWS::ECR::Repository'));
    expect(repo.DeletionPolicy).toBe('Retain');
    expect(repo.Properties.EmptyOnDelete).toBeFalsy();
  });

  it('empties and deletes the repository when data is not retained', () => {
    const [repo] = Object.values(synth(false).template.findResources('AWS::ECR::Repository'));
    expect(repo.DeletionPolicy).toBe('Delete');
    expect(repo.Properties.EmptyOnDelete).toBe(true);
  });
});
