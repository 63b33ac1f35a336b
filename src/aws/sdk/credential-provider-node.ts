// The default credential chain: all the bundle keeps of @aws-sdk/credential-provider-node (aws/sdk.ts says why).
export {
  defaultProvider,
} from '@aws-sdk/credential-provider-node';
