// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-elastic-load-balancing-v2 (aws/sdk.ts says why).
export {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
