// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-rds (aws/sdk.ts says why).
export {
  DescribeDBClustersCommand,
  DescribeDBEngineVersionsCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
