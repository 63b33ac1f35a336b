// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-acm (aws/sdk.ts says why).
export {
  ACMClient,
  DescribeCertificateCommand,
} from '@aws-sdk/client-acm';
