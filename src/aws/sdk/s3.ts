// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-s3 (aws/sdk.ts says why).
export {
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
