/**
 * Which log groups `tapctl logs` reads: the deployed stack's `LogGroups` output (src/infra/log-sources.ts), the
 * one reader of where each source logs. Read with the DescribeStacks call that also confirms the stack exists.
 */
import type { AwsClients } from '../aws/clients.js';
import { partitionOf } from '../aws/partition.js';
import { OperationError, UsageError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { LOG_GROUPS_OUTPUT, LOG_SOURCES, type LogGroupsOutput, type LogSource } from '../infra/log-sources.js';

export { LOG_SOURCES, type LogSource };

/** `--source`: one source, or `all` of them. */
export type SourceChoice = LogSource | 'all';
export const SOURCE_CHOICES: readonly SourceChoice[] = [...LOG_SOURCES, 'all'];

/** One log group to read, and the source it belongs to. */
export interface LogGroupRef {
  readonly source: LogSource;
  readonly logGroup: string;
}

export interface LogSources {
  /** What the output says, for every source the stack has. */
  readonly output: LogGroupsOutput;
  /** The log groups of the sources asked for. */
  readonly groups: readonly LogGroupRef[];
  /** The application container's stream prefix: a task's stream is `<prefix>/<task id>`. */
  readonly appStreamPrefix?: string;
}

const WHY_EMPTY: Readonly<Record<LogSource, string>> = {
  app: 'the service has no log group',
  api: 'API Gateway logging is off (api.loggingLevel: OFF); set it to ERROR or INFO and deploy to get API logs',
  lambda: 'the processor function has no log group',
  rotation: 'the database secret has no rotation function',
};

/**
 * The log groups of `choice` in the environment's deployed stack.
 * @throws OperationError (exit 1) when the stack is not deployed or was deployed by a tapctl without the output;
 *   UsageError (exit 2) when the preset has no such source, or it logs nowhere (API logging off).
 */
export async function readLogSources(clients: AwsClients, env: ResolvedEnvironment, choice: SourceChoice): Promise<LogSources> {
  const { describeStack, stackOutputs } = await import('../aws/stack.js');
  const stack = await describeStack(clients, env.names.stack);
  if (!stack) {
    throw new OperationError(`stack ${env.names.stack} is not deployed: there are no logs to read`, { code: 'no-stack', hint: `tapctl deploy --env ${env.name} creates it` });
  }
  const raw = stackOutputs(stack)[LOG_GROUPS_OUTPUT];
  if (raw === undefined) {
    throw new OperationError(`stack ${env.names.stack} has no ${LOG_GROUPS_OUTPUT} output: it was deployed by an older tapctl, or its preset (${env.preset}) has no log sources`, {
      code: 'no-log-groups',
      hint: `deploy it with this tapctl once (tapctl deploy --env ${env.name}); the output names each source's log groups`,
    });
  }
  const output = parseOutput(raw, env.names.stack);
  const wanted = choice === 'all' ? LOG_SOURCES.filter((s) => output[s] !== undefined) : [choice];
  const groups: LogGroupRef[] = [];
  for (const source of wanted) {
    const names = output[source];
    if (names === undefined) {
      const has = LOG_SOURCES.filter((s) => output[s] !== undefined);
      throw new UsageError(`the ${env.preset} preset has no ${source} logs`, { hint: `its sources: ${has.join(', ')} (or all)` });
    }
    if (names.length === 0 && choice !== 'all') throw new UsageError(`there are no ${source} logs in '${env.name}': ${WHY_EMPTY[source]}`);
    for (const logGroup of names) groups.push({ source, logGroup });
  }
  return { output, groups, ...(output.appStreamPrefix ? { appStreamPrefix: output.appStreamPrefix } : {}) };
}

function parseOutput(raw: string, stackName: string): LogGroupsOutput {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const ok =
    typeof value === 'object' &&
    value !== null &&
    LOG_SOURCES.every((s) => {
      const v = (value as Record<string, unknown>)[s];
      return v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0));
    });
  if (!ok) throw new OperationError(`the ${LOG_GROUPS_OUTPUT} output of stack ${stackName} is not what tapctl writes`, { code: 'no-log-groups', hint: 'deploy the stack with this tapctl again' });
  return value as LogGroupsOutput;
}

/** The log group's ARN, as Live Tail wants it (no trailing `:*`). */
export function logGroupArn(env: { account: string; region: string }, logGroup: string): string {
  return `arn:${partitionOf(env.region)}:logs:${env.region}:${env.account}:log-group:${logGroup}`;
}
