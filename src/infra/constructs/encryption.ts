/**
 * tapstack.md §3: the customer-managed KMS key of the platform.
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import RemovalPolicy = cdk.RemovalPolicy;
import Stack = cdk.Stack;
import iam = require('aws-cdk-lib/aws-iam');
import kms = require('aws-cdk-lib/aws-kms');
import { Construct } from 'constructs';

export interface EncryptionProps {
  /** Alias of the key, `alias/...` (from the config's physical names). */
  readonly aliasName: string;
  /**
   * Description of the key.
   *
   * @default 'KMS key for e-commerce infrastructure encryption'
   */
  readonly description?: string;
  /**
   * What happens to the key when it leaves the stack. With DESTROY the key is scheduled for deletion after the
   * shortest waiting period KMS allows (7 days), so a torn-down development environment stops costing soon.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The master key: secrets, Aurora storage, ECR, log groups and the alert topic are encrypted with it. */
export class Encryption extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'MasterKey', {
      description: props.description ?? 'KMS key for e-commerce infrastructure encryption',
      enableKeyRotation: true,
      alias: props.aliasName,
      removalPolicy,
      ...(removalPolicy === RemovalPolicy.DESTROY ? { pendingWindow: Duration.days(7) } : {}),
    });

    // failure-lessons.md #23 / rule A5: a KMS-encrypted log group is only created if the regional Logs service
    // may use the key, and only for log groups of this account and region.
    const { region, account, partition } = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'Allow CloudWatch Logs to use the key',
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:*` },
        },
      }),
    );
  }
}
