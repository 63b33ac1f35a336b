/**
 * tapstack.md §5.1: the ECR repository push-image pushes to and the service pulls from.
 */
import cdk = require('aws-cdk-lib');
import RemovalPolicy = cdk.RemovalPolicy;
import ecr = require('aws-cdk-lib/aws-ecr');
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ContainerRegistryProps {
  readonly repositoryName: string;
  readonly encryptionKey: kms.IKey;
  /**
   * Images kept; older ones expire.
   *
   * @default 10
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
    const keep = props.maxImageCount ?? 10;
    this.repository = new ecr.Repository(this, 'ECRRepository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
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
