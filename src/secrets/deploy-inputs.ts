/**
 * Deploy's check of what the running tasks got when they started, run between the image resolution and synthesis:
 *
 * - the app secrets (container.secrets): each one's full ARN from Secrets Manager (DescribeSecret) goes into
 *   synthesis like the image does (ResolvedEnvironment.deployInputs); a secret that is not set fails the deploy
 *   when it will run tasks (they could not start), and is a warning while the service waits for its first image;
 * - ECS Exec (container.exec): a task started before it was enabled has no exec agent, whatever the service says.
 *
 * A deploy never reports "no changes" while tasks run a secret value older than the secret's last change (a task
 * reads its secrets when it starts), or run without the ECS Exec the config asks for: it then sets a new
 * ForceNewDeployment nonce, so the template changes and CloudFormation rolls the service. Otherwise the deployed
 * nonce is kept, so that nothing changes for nothing. A rollback changes the task definition anyway: its new tasks
 * start with both, and its template may change nothing else.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import type { Template } from '../aws/stack-details.js';
import { UsageError } from '../cli/errors.js';
import type { DeployInputs, ResolvedEnvironment } from '../config/resolve.js';
import type { CheckList } from '../deploy/checks.js';
import { runningTasks } from '../ecs/running-tasks.js';
import { startedBefore } from './stale-tasks.js';
import { describeAppSecret, foreignKeyRefusal } from './store.js';
import { rightForm } from './value-input.js';

export interface AppSecretsInput {
  /** The environment as it will be deployed (image resolved). */
  readonly env: ResolvedEnvironment;
  readonly clients: AwsClients;
  /** Credentials for the right account: AWS may be asked. */
  readonly awsChecked: boolean;
  /** The stack is deployed and settled: its template and its service can be read. */
  readonly stackReady: boolean;
  /** The deploy will run tasks (an image is resolved). */
  readonly runsTasks: boolean;
  readonly deployedTemplate: () => Promise<Template | undefined>;
  /** A rollback changes the task definition anyway, and may change nothing else. */
  readonly rollback: boolean;
}

/** Reports the `app secrets` and `ECS Exec` check lines (when the config asks for them); returns the environment to synthesize. */
export async function checkAppSecrets(checks: CheckList, input: AppSecretsInput): Promise<ResolvedEnvironment> {
  const { env } = input;
  const names = env.container.secrets;
  const exec = env.container.exec;
  if (!input.awsChecked) {
    if (names.length) checks.report('skip', 'app secrets', 'not checked without AWS: the template names their partial ARNs');
    return env;
  }
  const deployedNonce = input.stackReady ? rolloutNonceOf(await input.deployedTemplate()) : undefined;
  if (names.length === 0 && !exec) return deployedNonce ? withDeployInputs(env, { secretArns: {}, rolloutNonce: deployedNonce }) : env;

  // One read of the running tasks serves both checks.
  let tasks: Task[] | undefined;
  const running = async () => (tasks ??= input.stackReady ? await runningTasks(input.clients, env.names.ecsCluster, env.names.ecsService) : []);
  const secretArns: Record<string, string> = {};
  let roll = false;

  if (names.length) {
    await checks.run('app secrets', async () => {
      const missing: string[] = [];
      let latest: { name: string; at: Date } | undefined;
      // The environment's key, once the stack made it: a secret another key encrypts could not be read by the
      // tasks' execution role (it may decrypt with this key only); refused (exit 3), as secrets set refuses it.
      const key = input.stackReady ? await environmentKeyArn(input.clients, env.names.stack) : undefined;
      for (const name of names) {
        const secret = await describeAppSecret(input.clients, env, name);
        if (!secret || secret.deletionDate) {
          missing.push(`${name}${secret?.deletionDate ? ' (scheduled for deletion)' : ''}`);
          continue;
        }
        if (key) {
          const refusal = await foreignKeyRefusal(input.clients, secret, key, `refusing to give ${name} to the tasks of '${env.name}'`, 'then deploy again');
          if (refusal) throw refusal;
        }
        secretArns[name] = secret.arn;
        const at = new Date(secret.changedAt ?? 0);
        if (!latest || at > latest.at) latest = { name, at };
      }
      const first = missing[0]?.split(' ')[0] ?? '';
      if (missing.length && input.runsTasks) {
        throw new UsageError(`container.secrets of '${env.name}' names ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set: its tasks could not start`, {
          hint: `${rightForm(env.name, first)}, then deploy again (tapctl secrets list --env ${env.name} shows them)`,
        });
      }
      const stale = latest ? startedBefore(await running(), latest.at) : [];
      const set = `${Object.keys(secretArns).length} of ${names.length} set`;
      if (missing.length) return checks.report('warn', 'app secrets', `${set}; ${missing.join(', ')} not set: fine while no task runs, set before the first image (${rightForm(env.name, first)})`);
      if (stale.length && !input.rollback) {
        roll = true;
        return checks.report('warn', 'app secrets', `${set}; ${count(stale.length)} started before ${latest!.name} changed (${latest!.at.toISOString()}): this deploy rolls the service`);
      }
      checks.report('pass', 'app secrets', `${set}${stale.length ? '; the rollback starts new tasks, which read the current values' : '; no running task holds an older value'}`);
    });
  }
  if (exec && input.stackReady) {
    await checks.run('ECS Exec', async () => {
      const without = (await running()).filter((t) => t.enableExecuteCommand !== true);
      if (without.length && !input.rollback) {
        roll = true;
        return checks.report('warn', 'ECS Exec', `${count(without.length)} started before ECS Exec was enabled (container.exec): this deploy rolls the service`);
      }
      checks.report('pass', 'ECS Exec', without.length ? 'the rollback starts new tasks with ECS Exec' : 'every running task has it');
    });
  }
  // A fresh nonce each time tasks are found stale: a roll that did not happen (or failed) is tried again.
  const rolloutNonce = roll ? `rollout-${new Date().toISOString()}` : deployedNonce;
  return withDeployInputs(env, { secretArns, ...(rolloutNonce ? { rolloutNonce } : {}) });
}

/** The KMSKeyArn output of the deployed stack, or undefined (a stack from before the output, or none). */
async function environmentKeyArn(clients: AwsClients, stackName: string): Promise<string | undefined> {
  const { describeStack, stackOutputs } = await import('../aws/stack.js');
  const stack = await describeStack(clients, stackName);
  return stack ? stackOutputs(stack).KMSKeyArn : undefined;
}

const count = (n: number) => `${n} running task${n === 1 ? '' : 's'}`;

/** A copy of `env` (frozen, like the original) with what the deploy resolved from AWS. */
export function withDeployInputs(env: ResolvedEnvironment, deployInputs: DeployInputs): ResolvedEnvironment {
  return Object.freeze({ ...env, deployInputs: Object.freeze({ ...deployInputs, secretArns: Object.freeze({ ...deployInputs.secretArns }) }) }) as ResolvedEnvironment;
}

/** The ForceNewDeployment nonce of the template's ECS service, if it has one. */
export function rolloutNonceOf(template: Template | undefined): string | undefined {
  for (const r of Object.values(template?.Resources ?? {})) {
    if (r.Type !== 'AWS::ECS::Service') continue;
    const nonce = (r.Properties?.ForceNewDeployment as { ForceNewDeploymentNonce?: unknown } | undefined)?.ForceNewDeploymentNonce;
    if (typeof nonce === 'string') return nonce;
  }
  return undefined;
}
