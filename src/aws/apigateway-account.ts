/**
 * API Gateway's CloudWatch Logs role: an account singleton (account-singletons.ts). API Gateway keeps one
 * `cloudwatchRoleArn` per account and region, which every REST API's execution and access logging uses
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html); without it a stage with
 * logging on fails to deploy (failure-lessons.md #19).
 *
 * tapctl's own role is one IAM role for the whole account (IAM is global), `/tapctl/tapctl-apigateway-cloudwatch-logs`,
 * with the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy; each region's setting points at it.
 *
 * IAM: finding it calls apigateway:GET on /account, iam:GetRole and cloudformation:DescribeStackResources (who
 * owns the role the setting names); creating it iam:CreateRole, iam:TagRole, iam:AttachRolePolicy, iam:PassRole
 * and apigateway:PATCH on /account.
 */
import { OperationError } from '../cli/errors.js';
import type { AwsClients } from './clients.js';
import { ownerFromTags, partitionOf, singletonTags, type AccountSingleton, type SingletonOwner, type SingletonState } from './account-singletons.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export const APIGATEWAY_ROLE_ID = 'apigateway-cloudwatch-role';
export const APIGATEWAY_ROLE_NAME = 'tapctl-apigateway-cloudwatch-logs';
export const APIGATEWAY_ROLE_PATH = '/tapctl/';

export interface ApiGatewayRole {
  readonly roleArn: string;
}

export interface ApiGatewayRoleOptions {
  /**
   * A role IAM has just created is not usable by API Gateway for some seconds ("The role ARN does not have
   * required permissions set to API Gateway"): UpdateAccount is retried after each of these waits.
   */
  readonly propagationDelaysMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
}

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** The role name at the end of a role ARN (after its path). */
export function roleNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The singleton for the region the clients are for. */
export function apiGatewayCloudWatchRole(region: string, options: ApiGatewayRoleOptions = {}): AccountSingleton<ApiGatewayRole> {
  const partition = partitionOf(region);
  const policyArn = `arn:${partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`;
  const delays = options.propagationDelaysMs ?? [2_000, 4_000, 8_000, 8_000, 8_000];
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  return {
    id: APIGATEWAY_ROLE_ID,
    what: "the account's API Gateway CloudWatch Logs role",
    scope: 'region',
    docs: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html',
    permissions: {
      find: ['apigateway:GET (/account)', 'iam:GetRole', 'cloudformation:DescribeStackResources'],
      create: ['iam:CreateRole', 'iam:TagRole', 'iam:AttachRolePolicy', 'iam:PassRole', 'apigateway:PATCH (/account)'],
    },
    alreadyExists: ['EntityAlreadyExistsException', 'EntityAlreadyExists'],
    removal: `aws apigateway update-account --patch-operations op=remove,path=/cloudwatchRoleArn --region <region> (each region), then aws iam detach-role-policy --role-name ${APIGATEWAY_ROLE_NAME} --policy-arn ${policyArn} and aws iam delete-role --role-name ${APIGATEWAY_ROLE_NAME}`,

    async find(clients): Promise<SingletonState<ApiGatewayRole>> {
      const roleArn = await accountRoleArn(clients);
      if (!roleArn) return { kind: 'missing', detail: `account has no API Gateway CloudWatch role in ${region}` };
      const role = await getRole(clients, roleNameOf(roleArn));
      if (!role) return { kind: 'broken', detail: `the account's API Gateway setting in ${region} names role ${roleArn}, which no longer exists (deleted with the stack that created it?): execution logging of every REST API there fails` };
      const owner = ownerFromTags(role.Tags, APIGATEWAY_ROLE_ID, await stackOwning(clients, roleNameOf(roleArn)));
      const by = owner.kind === 'tapctl' ? 'created by tapctl bootstrap' : owner.kind === 'stack' ? `a resource of stack ${owner.stackName}` : 'set up outside tapctl';
      return { kind: 'present', value: { roleArn }, owner, detail: `${roleArn} (${by})` };
    },

    async create(clients): Promise<ApiGatewayRole> {
      const roleArn = (await getRole(clients, APIGATEWAY_ROLE_NAME))?.Arn ?? (await createRole(clients));
      const iam = await loadSdk('@aws-sdk/client-iam');
      await (await clients.iam()).send(new iam.AttachRolePolicyCommand({ RoleName: APIGATEWAY_ROLE_NAME, PolicyArn: policyArn }));
      const { UpdateAccountCommand } = await loadSdk('@aws-sdk/client-api-gateway');
      const apigw = await clients.apiGateway();
      for (let attempt = 0; ; attempt++) {
        try {
          await apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: roleArn }] }));
          return { roleArn };
        } catch (e) {
          const propagating = awsErrorName(e) === 'BadRequestException' && /role ARN does not have required permissions|cannot be assumed|trust/i.test((e as Error).message ?? '');
          if (!propagating || attempt >= delays.length) throw e;
          await sleep(delays[attempt]);
        }
      }
    },
  };

  /** Creates tapctl's role; when another bootstrap created it a moment ago (EntityAlreadyExists), reads that one. */
  async function createRole(clients: AwsClients): Promise<string> {
    const { CreateRoleCommand } = await loadSdk('@aws-sdk/client-iam');
    let out;
    try {
      out = await (await clients.iam()).send(
      new CreateRoleCommand({
        RoleName: APIGATEWAY_ROLE_NAME,
        Path: APIGATEWAY_ROLE_PATH,
        AssumeRolePolicyDocument: TRUST_POLICY,
        Description: 'API Gateway writes execution and access logs of every REST API in this account with this role (tapctl account singleton; no environment owns it)',
        Tags: singletonTags(APIGATEWAY_ROLE_ID),
      }),
      );
    } catch (e) {
      const raced = awsErrorName(e) === 'EntityAlreadyExists' || awsErrorName(e) === 'EntityAlreadyExistsException' ? await getRole(clients, APIGATEWAY_ROLE_NAME) : undefined;
      if (raced?.Arn) return raced.Arn;
      throw e;
    }
    if (!out.Role?.Arn) throw new OperationError(`IAM created role ${APIGATEWAY_ROLE_NAME} but did not answer its ARN`, { code: 'aws' });
    return out.Role.Arn;
  }
}

/** The `cloudwatchRoleArn` of API Gateway's account settings, or undefined when none is set. */
export async function accountRoleArn(clients: AwsClients): Promise<string | undefined> {
  const { GetAccountCommand } = await loadSdk('@aws-sdk/client-api-gateway');
  try {
    const out = await (await clients.apiGateway()).send(new GetAccountCommand({}));
    return out.cloudwatchRoleArn || undefined;
  } catch (e) {
    throw explainAwsError(e, "reading API Gateway's account settings");
  }
}

async function getRole(clients: AwsClients, roleName: string) {
  const { GetRoleCommand } = await loadSdk('@aws-sdk/client-iam');
  try {
    return (await (await clients.iam()).send(new GetRoleCommand({ RoleName: roleName }))).Role;
  } catch (e) {
    if (awsErrorName(e) === 'NoSuchEntityException' || awsErrorName(e) === 'NoSuchEntity') return undefined;
    throw explainAwsError(e, `reading IAM role ${roleName}`);
  }
}

/** The stack whose resource the role is (its physical ID is the role name), else owned by someone else. */
async function stackOwning(clients: AwsClients, roleName: string): Promise<SingletonOwner> {
  const { DescribeStackResourcesCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  try {
    const out = await (await clients.cloudFormation()).send(new DescribeStackResourcesCommand({ PhysicalResourceId: roleName }));
    const stackName = out.StackResources?.[0]?.StackName;
    return stackName ? { kind: 'stack', stackName } : { kind: 'other' };
  } catch (e) {
    // "Stack for <id> does not exist": no stack holds a resource with that physical ID.
    if (awsErrorName(e) === 'ValidationError' && /does not exist/i.test((e as Error).message ?? '')) return { kind: 'other' };
    throw explainAwsError(e, `finding which stack owns IAM role ${roleName}`);
  }
}
