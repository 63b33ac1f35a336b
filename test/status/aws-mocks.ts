/**
 * A deployed environment behind aws-sdk-client-mock (style.md pattern 9): the real SDK clients, their `send`
 * answered here. `healthyEnvironment()` is the baseline; scenarios override single answers.
 */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, type TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DBClusterNotFoundFault, DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeParameterStore } from '../helpers/fake-ssm.js';
import { DEV_ACCOUNT } from '../helpers/project.js';

export const STACK = 'TapStack-shop-dev';
/** Real time: the document's relative times ("30 min ago") are computed against the clock. */
export const NOW = new Date();
export const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const TD = (rev: number) => `arn:aws:ecs:us-east-1:${DEV_ACCOUNT}:task-definition/shop-app-dev:${rev}`;
export const REPO = `${DEV_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev`;

export const OUTPUTS: Record<string, string> = {
  VpcId: 'vpc-0123',
  ALBDNSName: 'shop-alb-dev-123.us-east-1.elb.amazonaws.com',
  CloudFrontURL: 'https://d111111abcdef8.cloudfront.net',
  APIGatewayURL: 'https://abc123.execute-api.us-east-1.amazonaws.com/development/',
  ECSClusterName: 'shop-cluster-dev',
  ECSServiceName: 'shop-service-dev',
  ECRRepositoryURI: REPO,
  DatabaseEndpoint: 'shop-db-dev.cluster-abc.us-east-1.rds.amazonaws.com',
};

export function stack(overrides: Partial<Stack> = {}): Stack {
  return {
    StackName: STACK,
    StackId: `arn:aws:cloudformation:us-east-1:${DEV_ACCOUNT}:stack/${STACK}/1`,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: minutesAgo(600),
    LastUpdatedTime: minutesAgo(30),
    EnableTerminationProtection: false,
    Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    ...overrides,
  };
}

export function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'ecs-svc/100',
    status: 'PRIMARY',
    taskDefinition: TD(7),
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'ECS deployment ecs-svc/100 completed.',
    createdAt: minutesAgo(40),
    updatedAt: minutesAgo(30),
    ...overrides,
  };
}

export function service(overrides: Partial<Service> = {}): Service {
  return {
    serviceName: 'shop-service-dev',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deployments: [deployment()],
    events: [
      { id: 'e2', createdAt: minutesAgo(29), message: '(service shop-service-dev) has reached a steady state.' },
      { id: 'e1', createdAt: minutesAgo(35), message: '(service shop-service-dev) has started 2 tasks.' },
    ],
    ...overrides,
  };
}

export function alarm(key: string, overrides: Partial<MetricAlarm> = {}): MetricAlarm {
  return { AlarmName: `shop-dev-${key}`, StateValue: 'OK', StateUpdatedTimestamp: minutesAgo(120), StateReason: 'Threshold Crossed: 2 datapoints were not greater than the threshold', ...overrides };
}

export const ALARM_KEYS = [
  'ecs-high-cpu', 'ecs-high-memory', 'db-high-connections', 'db-high-cpu', 'alb-unhealthy-targets', 'alb-5xx-errors',
  'api-4xx-errors', 'api-5xx-errors', 'api-high-latency', 'lambda-errors', 'lambda-throttles',
];

export function healthyTargets(): TargetHealthDescription[] {
  return ['10.0.1.10', '10.0.2.10'].map((Id) => ({ Target: { Id, Port: 3000 }, TargetHealth: { State: 'healthy' } }));
}

/** Mocks every client status uses with a healthy, deployed environment. Call `reset()` after each test. */
export function healthyEnvironment() {
  const cfn = mockClient(CloudFormationClient);
  const sts = mockClient(STSClient);
  const ecs = mockClient(ECSClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  const rds = mockClient(RDSClient);
  const cw = mockClient(CloudWatchClient);
  const ssm = mockClient(SSMClient);
  // The release ledger: empty unless a test seeds it.
  const ledger = new FakeParameterStore(DEV_ACCOUNT);
  ledger.install(ssm);

  sts.on(GetCallerIdentityCommand).resolves({ Account: DEV_ACCOUNT, Arn: `arn:aws:sts::${DEV_ACCOUNT}:assumed-role/dev/me` });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack()] });
  ecs.on(DescribeServicesCommand).resolves({ services: [service()], failures: [] });
  ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:task/1', 'arn:task/2'] });
  ecs.on(DescribeTasksCommand).resolves({
    tasks: ['arn:task/1', 'arn:task/2'].map((taskArn) => ({ taskArn, taskDefinitionArn: TD(7), containers: [{ name: 'app', imageDigest: DIGEST_A }] })),
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake(async (input: { taskDefinition: string }) => ({
    taskDefinition: { taskDefinitionArn: input.taskDefinition, containerDefinitions: [{ name: 'app', essential: true, image: `${REPO}:v${input.taskDefinition.split(':').pop()}` }] },
  }));
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupName: 'shop-tg-dev', TargetGroupArn: 'arn:aws:elasticloadbalancing:tg/shop-tg-dev/1' }] });
  elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: healthyTargets() });
  rds.on(DescribeDBClustersCommand).resolves({
    DBClusters: [
      {
        DBClusterIdentifier: 'shop-db-dev',
        Status: 'available',
        Engine: 'aurora-postgresql',
        EngineVersion: '16.4',
        Endpoint: 'shop-db-dev.cluster-abc.us-east-1.rds.amazonaws.com',
        ReaderEndpoint: 'shop-db-dev.cluster-ro-abc.us-east-1.rds.amazonaws.com',
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 2 },
        DBClusterMembers: [
          { DBInstanceIdentifier: 'shop-db-dev-reader', IsClusterWriter: false },
          { DBInstanceIdentifier: 'shop-db-dev-writer', IsClusterWriter: true },
        ],
      },
    ],
  });
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: ['shop-db-dev-writer', 'shop-db-dev-reader'].map((id) => ({ DBInstanceIdentifier: id, DBInstanceStatus: 'available', DBInstanceClass: 'db.serverless' })),
  });
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: ALARM_KEYS.map((k) => alarm(k)) });

  const all = [cfn, sts, ecs, elb, rds, cw, ssm];
  return { cfn, sts, ecs, elb, rds, cw, ssm, ledger, reset: () => all.forEach((m) => m.restore()) };
}

/** The errors AWS really sends, as the SDK surfaces them. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

export { DBClusterNotFoundFault };
