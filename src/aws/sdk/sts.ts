// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-sts (aws/sdk.ts says why).
export {
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
