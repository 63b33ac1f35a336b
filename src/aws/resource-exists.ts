/** Cheap existence checks for resources a stack leaves behind (retained on delete). */
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export async function bucketExists(clients: AwsClients, bucket: string): Promise<boolean> {
  const { HeadBucketCommand } = await loadSdk('@aws-sdk/client-s3');
  try {
    await (await clients.s3()).send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket' || status === 404) return false;
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
