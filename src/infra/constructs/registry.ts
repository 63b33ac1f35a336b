/**
 * tapstack.md §5.1: the ECR repository push-image pushes to and the service pulls from.
 *
 * Its tags are immutable (IMMUTABLE_WITH_EXCLUSION, https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html):
 * a tag names one image for good, so a release recorded by tag and digest stays true and a CI retry cannot
 * overwrite the image an older release (and a rollback to it) runs. The one exclusion is `latest`, which
 * `push-image --also-latest` moves to each new image for people who pull by hand; tapctl never deploys it
 * (validate refuses pinning it, I2).
 */
import cdk = require('aws-cdk-lib');
import RemovalPolicy = cdk.RemovalPolicy;
import ecr = require('aws-cdk-lib/aws-ecr');
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { RELEASES_KEPT } from '../../release/retention.js';

/** The only tag that may move to another image (push-image --also-latest). */
export const MUTABLE_TAGS = ['latest'] as const;

export interface ContainerRegistryProps {
  readonly repositoryName: string;
  readonly encryptionKey: kms.IKey;
  /**
   * Images kept; older ones expire. The release ledger keeps as many releases (release/retention.ts).
   *
   * @default RELEASES_KEPT (10)
   */
  readonly maxImageCount?: number;
  /**
   * Keep the repository and its images when the stack is deleted. Off, the repository is emptied and deleted
   * (failure-lessons.md L1).
   *
   * @default true
   */
  readonly retainData?: boolean;
}

/** A private, KMS-encrypted repository scanned on push. */
export class ContainerRegistry extends Construct {
  public readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const retain = props.retainData ?? true;
    const keep = props.maxImageCount ?? RELEASES_KEPT;
    this.repository = new ecr.Repository(this, 'ECRRepository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: MUTABLE_TAGS.map((tag) => ecr.ImageTagMutabilityExclusionFilter.wildcard(tag)),
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      lifecycleRules: [
        { rulePriority: 1, description: `Keep only ${keep} most recent images`, maxImageCount: keep },
      ],
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Only valid with DESTROY; ECR refuses to delete a repository that still holds images.
      emptyOnDelete: !retain,
    });
  }
}
