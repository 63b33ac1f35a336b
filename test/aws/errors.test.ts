/**
 * explainAwsError's words for AWS's own refusals (qa6): credentials AWS rejects are the user's to fix (exit 2),
 * throttling and AWS's own failures say so and what to do, and the ledger's failures follow the same rules.
 */
import { describe, expect, it } from 'vitest';
import { OperationError, UsageError } from '../../src/cli/errors.js';
import { explainAwsError } from '../../src/aws/errors.js';
import { ledgerError } from '../../src/release/ledger.js';

const awsError = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'r-1' } });

describe('explainAwsError', () => {
  it.each(['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'InvalidAccessKeyId'])('%s: AWS does not accept the credentials (usage error, exit 2)', (name) => {
    const explained = explainAwsError(awsError(name, 'The security token included in the request is invalid.', 403), 'checking your AWS identity');
    expect(explained).toBeInstanceOf(UsageError);
    expect(explained.message).toBe('AWS does not accept your credentials while checking your AWS identity: The security token included in the request is invalid.');
    expect(explained.hint).toMatch(/sign in again, or check AWS_ACCESS_KEY_ID/);
  });

  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded'])('%s: throttled, and what to do', (name) => {
    const explained = explainAwsError(awsError(name, 'Rate exceeded'), 'reading stack s');
    expect(explained).toBeInstanceOf(OperationError);
    expect(explained).toMatchObject({ code: 'throttled', message: 'AWS is throttling requests while reading stack s: Rate exceeded' });
  });

  it.each(['InternalFailure', 'ServiceUnavailable', 'InternalServerError'])('%s: AWS failed on its side', (name) => {
    expect(explainAwsError(awsError(name, 'internal', 500), 'reading stack s')).toMatchObject({ code: 'aws-internal', message: `AWS failed on its side while reading stack s: ${name}: internal` });
  });

  it('an expired session reads as one sentence, whatever `what` holds', () => {
    const explained = explainAwsError(awsError('ExpiredTokenException', 'The security token included in the request is expired'), 'reading the release ledger: ssm:GetParameters on arn:x');
    expect(explained).toBeInstanceOf(UsageError);
    expect(explained.message).toBe('your AWS session has expired while reading the release ledger: ssm:GetParameters on arn:x');
  });

  it("the chain's specific words are kept; its generic ones are not repeated", () => {
    const sso = Object.assign(new Error("The SSO session token associated with profile=dev was not found or is invalid. To refresh this SSO session run 'aws sso login' with the corresponding profile."), { name: 'CredentialsProviderError' });
    expect(explainAwsError(sso, 'checking your AWS identity').message).toBe(`no AWS credentials found while checking your AWS identity: ${sso.message}`);
    const none = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(explainAwsError(none, 'checking your AWS identity').message).toBe('no AWS credentials found while checking your AWS identity');
  });
});

describe('ledgerError', () => {
  it('an expired session while reading the ledger is exit 2, as in every other command (was exit 1)', () => {
    const e = ledgerError(awsError('ExpiredTokenException', 'expired'), 'ssm:GetParametersByPath', 'arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/releases/*', 'reading');
    expect(e).toBeInstanceOf(UsageError);
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toMatch(/\(\(|\)\)/);
  });

  it('a denied call still names the action, the parameter and the policy', () => {
    const e = ledgerError(awsError('AccessDeniedException', 'not authorized'), 'ssm:PutParameter', 'arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/current', 'writing');
    expect(e).toMatchObject({ code: 'access-denied', exitCode: 1 });
    expect(e.message).toBe('AWS denied ssm:PutParameter on arn:aws:ssm:us-east-1:111111111111:parameter/tapctl/shop/dev/current: tapctl cannot write the release ledger');
  });
});
