// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-kms (aws/sdk.ts says why).
export {
  DescribeKeyCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
