/**
 * Cheap existence checks for resources a stack leaves behind (retained on delete), by name or physical ID: one
 * read call each, never a list of the account. "Not found" is an answer; any other failure (access denied, an
 * endpoint that is not AWS) is thrown as the TapctlError explainAwsError makes of it, never taken for "absent".
 */
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/**
 * What is there under a name:
 * - present: it exists (in this account);
 * - absent: nothing has the name;
 * - pending-deletion: it exists but is scheduled for deletion (a secret, a KMS key): the name stays taken until then;
 * - other-account: the name is taken by someone else (S3 bucket names are global).
 */
export type Presence = 'present' | 'absent' | 'pending-deletion' | 'other-account';

const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export async function bucketExists(clients: AwsClients, bucket: string): Promise<boolean> {
  return (await bucketPresence(clients, bucket)) === 'present';
}

/** HeadBucket: 404 nobody has it, 403 another account has it (bucket names are global). */
export async function bucketPresence(clients: AwsClients, bucket: string): Promise<Presence> {
  const { HeadBucketCommand } = await loadSdk('@aws-sdk/client-s3');
  try {
    await (await clients.s3()).send(new HeadBucketCommand({ Bucket: bucket }));
    return 'present';
  } catch (e) {
    if (awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket' || status(e) === 404) return 'absent';
    if (status(e) === 403 && awsErrorName(e) !== 'ExpiredToken') return 'other-account';
    throw explainAwsError(e, `checking S3 bucket ${bucket}`);
  }
}

export async function dbClusterExists(clients: AwsClients, identifier: string): Promise<boolean> {
  const { DescribeDBClustersCommand } = await loadSdk('@aws-sdk/client-rds');
  try {
    const out = await (await clients.rds()).send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }));
    return (out.DBClusters ?? []).length > 0;
  } catch (e) {
    if (awsErrorName(e) === 'DBClusterNotFoundFault') return false;
    throw explainAwsError(e, `checking Aurora cluster ${identifier}`);
  }
}

export async function dbInstanceExists(clients: AwsClients, identifier: string): Promise<boolean> {
  const { DescribeDBInstancesCommand } = await loadSdk('@aws-sdk/client-rds');
  try {
    const out = await (await clients.rds()).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    return (out.DBInstances ?? []).length > 0;
  } catch (e) {
    if (awsErrorName(e) === 'DBInstanceNotFoundFault') return false;
    throw explainAwsError(e, `checking RDS instance ${identifier}`);
  }
}

/** DescribeLogGroups by prefix, then the exact name (the API has no get-by-name). */
export async function logGroupExists(clients: AwsClients, name: string): Promise<boolean> {
  const { DescribeLogGroupsCommand } = await loadSdk('@aws-sdk/client-cloudwatch-logs');
  try {
    const out = await (await clients.cloudWatchLogs()).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 }));
    return (out.logGroups ?? []).some((g) => g.logGroupName === name);
  } catch (e) {
    if (awsErrorName(e) === 'ResourceNotFoundException') return false;
    throw explainAwsError(e, `checking log group ${name}`);
  }
}

/** DescribeSecret by name or ARN: a secret scheduled for deletion keeps its name until the window ends. */
export async function secretPresence(clients: AwsClients, secretId: string): Promise<Presence> {
  const { DescribeSecretCommand } = await loadSdk('@aws-sdk/client-secrets-manager');
  try {
    const out = await (await clients.secretsManager()).send(new DescribeSecretCommand({ SecretId: secretId }));
    return out.DeletedDate ? 'pending-deletion' : 'present';
  } catch (e) {
    if (awsErrorName(e) === 'ResourceNotFoundException') return 'absent';
    throw explainAwsError(e, `checking secret ${secretId}`);
  }
}

/** DescribeKey by key ID, ARN or `alias/<name>`: a key pending deletion is not usable but still there. */
export async function kmsKeyPresence(clients: AwsClients, keyId: string): Promise<Presence> {
  const { DescribeKeyCommand } = await loadSdk('@aws-sdk/client-kms');
  try {
    const out = await (await clients.kms()).send(new DescribeKeyCommand({ KeyId: keyId }));
    return out.KeyMetadata?.KeyState === 'PendingDeletion' || out.KeyMetadata?.KeyState === 'PendingReplicaDeletion' ? 'pending-deletion' : 'present';
  } catch (e) {
    if (awsErrorName(e) === 'NotFoundException') return 'absent';
    throw explainAwsError(e, `checking KMS key ${keyId}`);
  }
}
