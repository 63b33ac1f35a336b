import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Encryption } from '../../src/infra/constructs/encryption.js';
import { ACCOUNTS, REGION, bareStack } from './fixtures.js';

function synth(removalPolicy?: RemovalPolicy): Template {
  const stack = bareStack();
  new Encryption(stack, 'Encryption', { aliasName: 'alias/tap-master-key-dev', ...(removalPolicy ? { removalPolicy } : {}) });
  return Template.fromStack(stack);
}

describe('Encryption', () => {
  it('creates a rotating key with the spec description and the configured alias (§3)', () => {
    // GIVEN / WHEN
    const template = synth();
    // THEN
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'KMS key for e-commerce infrastructure encryption',
      EnableKeyRotation: true,
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/tap-master-key-dev' });
  });

  it('lets the regional CloudWatch Logs service use the key for this account only (§3, failure #23)', () => {
    const template = synth();
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'Allow CloudWatch Logs to use the key',
            Effect: 'Allow',
            Principal: { Service: `logs.${REGION}.amazonaws.com` },
            Action: Match.arrayEquals([
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:CreateGrant',
              'kms:DescribeKey',
            ].sort()),
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNTS.dev}:*` } },
          },
        ]),
      },
    });
  });

  it('retains the key by default', () => {
    const [key] = Object.values(synth().findResources('AWS::KMS::Key'));
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties.PendingWindowInDays).toBeUndefined();
  });

  it('schedules a destroyed key for deletion after the shortest waiting period', () => {
    const [key] = Object.values(synth(RemovalPolicy.DESTROY).findResources('AWS::KMS::Key'));
    expect(key.DeletionPolicy).toBe('Delete');
    expect(key.Properties.PendingWindowInDays).toBe(7);
  });
});
