// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-cloudformation (aws/sdk.ts says why).
export {
  CloudFormationClient,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListImportsCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
