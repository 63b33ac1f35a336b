/**
 * A deployed environment for `tapctl logs` and `tapctl run` behind aws-sdk-client-mock: the caller, the stack
 * with its LogGroups output, and CloudWatch Logs holding events per log group. Live Tail sessions are scripted
 * async generators, so a test decides exactly what the stream sends and when Ctrl-C comes.
 */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand, StartLiveTailCommand, type FilterLogEventsCommandInput, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { DEV_ACCOUNT } from '../helpers/project.js';

export const STACK = 'TapStack-shop-dev';
export const APP_GROUP = '/ecs/shop-app-dev';
export const LAMBDA_GROUP = '/aws/lambda/shop-processor-dev';
export const ROTATION_GROUP = '/aws/lambda/shop-db-rotation-dev';
export const TASK = '0123456789abcdef0123456789abcdef';
export const OTHER_TASK = 'fedcba9876543210fedcba9876543210';

export const LOG_GROUPS = { app: [APP_GROUP], appStreamPrefix: 'ecommerce/app', lambda: [LAMBDA_GROUP], api: [], rotation: [ROTATION_GROUP] };

/** The errors AWS sends, as the SDK surfaces them. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

export class FakeLogs {
  readonly sts = mockClient(STSClient);
  readonly cfn = mockClient(CloudFormationClient);
  readonly logs = mockClient(CloudWatchLogsClient);
  /** Stored events per log group; a group not listed does not exist (ResourceNotFoundException). */
  events = new Map<string, FilteredLogEvent[]>([
    [APP_GROUP, []],
    [LAMBDA_GROUP, []],
  ]);
  outputs: Record<string, string> = { LogGroups: JSON.stringify(LOG_GROUPS) };
  /** Called on every FilterLogEvents, after it was answered (a test aborts from here). */
  onFilter?: (input: FilterLogEventsCommandInput, call: number) => void;
  private filterCalls = 0;

  constructor(account = DEV_ACCOUNT) {
    this.sts.on(GetCallerIdentityCommand).resolves({ Account: account, Arn: `arn:aws:sts::${account}:assumed-role/dev/me` });
    this.cfn.on(DescribeStacksCommand).callsFake(async () => ({ Stacks: [this.stack()] }));
    this.logs.on(FilterLogEventsCommand).callsFake(async (input: FilterLogEventsCommandInput) => {
      const call = ++this.filterCalls;
      const stored = this.events.get(input.logGroupName ?? '');
      if (!stored) {
        queueMicrotask(() => this.onFilter?.(input, call));
        throw awsError('ResourceNotFoundException', 'The specified log group does not exist.');
      }
      const events = stored.filter(
        (e) =>
          (e.timestamp ?? 0) >= (input.startTime ?? 0) &&
          (input.endTime === undefined || (e.timestamp ?? 0) <= input.endTime) &&
          (!input.logStreamNames || input.logStreamNames.includes(e.logStreamName ?? '')) &&
          (!input.filterPattern || (e.message ?? '').includes(input.filterPattern)),
      );
      queueMicrotask(() => this.onFilter?.(input, call));
      return { events };
    });
  }

  stack(): Stack {
    return {
      StackName: STACK,
      StackStatus: 'UPDATE_COMPLETE',
      CreationTime: new Date(),
      Outputs: Object.entries(this.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    };
  }

  /** Adds an event to a log group (created when missing). */
  add(group: string, event: { at: number; message: string; stream?: string; id?: string }): void {
    const list = this.events.get(group) ?? [];
    list.push({ timestamp: event.at, message: event.message, logStreamName: event.stream ?? `ecommerce/app/${TASK}`, eventId: event.id ?? `${group}-${list.length}-${event.at}` });
    list.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    this.events.set(group, list);
  }

  /** Live Tail answers with this stream. */
  liveTail(stream: () => AsyncGenerator<unknown>): void {
    this.logs.on(StartLiveTailCommand).callsFake(async () => ({ responseStream: stream() }));
  }

  restore(): void {
    for (const m of [this.sts, this.cfn, this.logs]) m.restore();
  }
}

/** A Live Tail update carrying these events of the app log group. */
export function update(events: Array<{ at: number; message: string; stream?: string; group?: string }>): unknown {
  return {
    sessionUpdate: {
      sessionResults: events.map((e) => ({
        logGroupIdentifier: `arn:aws:logs:us-east-1:${DEV_ACCOUNT}:log-group:${e.group ?? APP_GROUP}`,
        logStreamName: e.stream ?? `ecommerce/app/${TASK}`,
        timestamp: e.at,
        message: e.message,
      })),
    },
  };
}

/** Never settles unless `signal` aborts: a stream that waits for more. */
export function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true }));
}
