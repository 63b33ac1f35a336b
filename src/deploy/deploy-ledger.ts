/**
 * The release ledger's side of one deploy: record.ts's DeployRecord, given what it reads lazily (the task
 * definition the stack runs, read at most once and only when a release records it; ECS's verdict, asked once,
 * right after CloudFormation finished).
 */
import type { AwsClients } from '../aws/clients.js';
import { stackResourcePhysicalId } from '../aws/stack-details.js';
import type { CommandContext } from '../cli/context.js';
import { DeployRecord, type RolloutSeen } from '../release/record.js';
import { templateImage } from '../release/template-image.js';
import type { DeployPlan } from './plan.js';

/**
 * The ledger's side of one deploy (record.ts), or undefined when the deploy cannot know who it is (no identity).
 * The task definition the stack runs is read at most once, and only when a release records it; ECS is asked for
 * its verdict once, right after CloudFormation finished.
 */
export async function deployRecord(ctx: CommandContext, clients: AwsClients, plan: DeployPlan, rolloutSeen?: () => RolloutSeen | undefined): Promise<{ record: DeployRecord; taskDefinitionArn: () => string | undefined } | undefined> {
  if (!plan.access.identity) return undefined;
  let arn: string | undefined;
  let read = false;
  const record = new DeployRecord({
    env: plan.env,
    clients,
    image: plan.image,
    deployedBefore: await plan.deployedTemplate(),
    by: plan.access.identity.arn,
    processEnv: ctx.env,
    tapctlVersion: ctx.version,
    taskDefinitionArn: async () => {
      if (!read) [arn, read] = [await taskDefinitionArnOf(ctx, clients, plan), true];
      return arn;
    },
    ...(rolloutSeen ? { rolloutSeen } : {}),
    rolloutVerdict: async (taskDefinitionArn) => {
      const { rolloutVerdictNow } = await import('../aws/ecs-rollout.js');
      return rolloutVerdictNow(clients, { cluster: plan.env.names.ecsCluster, service: plan.env.names.ecsService, taskDefinitionArn });
    },
  });
  return { record, taskDefinitionArn: () => arn };
}

/**
 * The task definition the stack runs now (DescribeStackResource), for the ledger and the rollout wait. Best
 * effort: the deploy itself succeeded, and a release records the ARN only "when known".
 */
export async function taskDefinitionArnOf(ctx: CommandContext, clients: AwsClients, plan: DeployPlan): Promise<string | undefined> {
  const logicalId = templateImage(plan.artifact.template)?.taskDefinition;
  if (!logicalId) return undefined;
  try {
    return await stackResourcePhysicalId(clients, plan.env.names.stack, logicalId);
  } catch (e) {
    ctx.io.debug(`the task definition's ARN could not be read: ${(e as Error).message}`);
    return undefined;
  }
}

