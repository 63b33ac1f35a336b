// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-ec2 (aws/sdk.ts says why).
export {
  DescribeAvailabilityZonesCommand,
  DescribeManagedPrefixListsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
