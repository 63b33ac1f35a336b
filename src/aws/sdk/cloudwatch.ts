// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-cloudwatch (aws/sdk.ts says why).
export {
  CloudWatchClient,
  DescribeAlarmsCommand,
} from '@aws-sdk/client-cloudwatch';
