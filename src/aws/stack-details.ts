/** What CloudFormation holds for a deployed stack beyond its description: template, resources, change sets. */
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export type Template = {
  Resources?: Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>;
  Parameters?: Record<string, { Type: string; Description?: string }>;
  [key: string]: unknown;
};

/** The template the stack was last deployed with, or undefined when it cannot be read as JSON. */
export async function deployedTemplate(clients: AwsClients, stackName: string): Promise<Template | undefined> {
  const { GetTemplateCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  try {
    const out = await (await clients.cloudFormation()).send(new GetTemplateCommand({ StackName: stackName }));
    return out.TemplateBody ? (JSON.parse(out.TemplateBody) as Template) : undefined;
  } catch (e) {
    // CDK deploys JSON; a template that is not JSON (YAML from elsewhere) simply does not compare equal.
    if (e instanceof SyntaxError) return undefined;
    throw explainAwsError(e, `reading the template of stack ${stackName}`);
  }
}

export interface StackResource {
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly type: string;
  /** CREATE_COMPLETE, DELETE_COMPLETE, DELETE_SKIPPED (kept by its policy) ... */
  readonly status?: string;
}

/** Every resource of the stack (ListStackResources pages; DescribeStackResources stops at 100). */
export async function stackResources(clients: AwsClients, stackName: string): Promise<StackResource[]> {
  const { ListStackResourcesCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  const cfn = await clients.cloudFormation();
  const resources: StackResource[] = [];
  let token: string | undefined;
  try {
    do {
      const out = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
      for (const r of out.StackResourceSummaries ?? []) {
        resources.push({ logicalId: r.LogicalResourceId ?? '', physicalId: r.PhysicalResourceId, type: r.ResourceType ?? '', ...(r.ResourceStatus ? { status: r.ResourceStatus } : {}) });
      }
      token = out.NextToken;
    } while (token);
  } catch (e) {
    throw explainAwsError(e, `listing the resources of stack ${stackName}`);
  }
  return resources;
}

/** Starts a change set that is waiting in review; CloudFormation carries on without us. */
export async function executeChangeSet(clients: AwsClients, stackName: string, changeSetName: string): Promise<void> {
  const { ExecuteChangeSetCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  try {
    await (await clients.cloudFormation()).send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
  } catch (e) {
    throw explainAwsError(e, `executing change set ${changeSetName} of stack ${stackName}`);
  }
}

/** Removes a change set that will not be executed. */
export async function deleteChangeSet(clients: AwsClients, stackName: string, changeSetName: string): Promise<void> {
  const { DeleteChangeSetCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  try {
    await (await clients.cloudFormation()).send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
  } catch (e) {
    throw explainAwsError(e, `deleting change set ${changeSetName} of stack ${stackName}`);
  }
}

/**
 * Withdraws a change set that was created and never executed (its approval was interrupted): deletes it, and the
 * stack too when the change set was its first (REVIEW_IN_PROGRESS: a stack with no resources yet, which toolkit-lib
 * also deletes when a change is declined). Returns whether the stack was deleted. Throws an explained AWS error.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets-delete.html
 */
export async function withdrawChangeSet(clients: AwsClients, stackName: string, changeSetName: string): Promise<{ stackDeleted: boolean }> {
  const { DeleteStackCommand, DescribeStacksCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  const cfn = await clients.cloudFormation();
  let status: string | undefined;
  try {
    status = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus;
  } catch (e) {
    throw explainAwsError(e, `reading stack ${stackName}`);
  }
  await deleteChangeSet(clients, stackName, changeSetName);
  if (status !== 'REVIEW_IN_PROGRESS') return { stackDeleted: false };
  try {
    await cfn.send(new DeleteStackCommand({ StackName: stackName }));
  } catch (e) {
    throw explainAwsError(e, `deleting stack ${stackName} (REVIEW_IN_PROGRESS, no resources)`);
  }
  return { stackDeleted: true };
}

/** The physical ID of one resource of a stack (a task definition's ARN ...), or undefined when it has none. */
export async function stackResourcePhysicalId(clients: AwsClients, stackName: string, logicalId: string): Promise<string | undefined> {
  const { DescribeStackResourceCommand } = await loadSdk('@aws-sdk/client-cloudformation');
  try {
    const out = await (await clients.cloudFormation()).send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
    return out.StackResourceDetail?.PhysicalResourceId || undefined;
  } catch (e) {
    throw explainAwsError(e, `reading resource ${logicalId} of stack ${stackName}`);
  }
}
