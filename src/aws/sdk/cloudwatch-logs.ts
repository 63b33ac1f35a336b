// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-cloudwatch-logs (aws/sdk.ts says why).
export {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  StartLiveTailCommand,
} from '@aws-sdk/client-cloudwatch-logs';
