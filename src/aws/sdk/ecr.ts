// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-ecr (aws/sdk.ts says why).
export {
  BatchGetImageCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
