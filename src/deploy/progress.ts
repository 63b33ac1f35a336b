/**
 * Live progress of a CloudFormation operation, fed by toolkit-lib's stack activity (CDK_TOOLKIT_I5502).
 *
 * - a person at a terminal: one line redrawn in place (done/total, elapsed, the resource in progress), failures
 *   printed as they happen;
 * - CI (no TTY): one line per resource event;
 * - --json: one NDJSON `resource` event per resource event (docs/deploy-events.md).
 *
 * The events are kept: the failure explanation looks for the first real failure among them.
 *
 * Order. toolkit-lib's poller reads CloudFormation's newest-first pages and sorts them by Timestamp with a stable
 * sort (toolkit-lib 1.40.1 stack-event-poller.js `poll`), so events of one poll that share a timestamp reach us
 * newest first (an emulator stamps a whole operation with one time; AWS stamps to the millisecond). One poll's
 * events arrive together (toolkit-lib notifies them in one loop): they are held until that loop is done and each
 * run of equal timestamps is put back in the order CloudFormation wrote it. `flush()` ends the hold at once; the
 * flows call it when toolkit-lib returns, so every event comes before the command's result.
 */
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import type { CommandContext } from '../cli/context.js';
import { isCascadeReason } from './failure.js';

/** The parts of toolkit-lib's StackActivity payload this renderer reads. */
export interface StackActivityLike {
  readonly event: StackEvent;
  readonly progress?: { readonly total?: number; readonly completed: number };
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * One poll's activities in CloudFormation's order: sorted by timestamp as they come, with each run of equal
 * timestamps (which toolkit-lib leaves newest first) reversed.
 */
export function inWrittenOrder<T extends StackActivityLike>(batch: readonly T[]): T[] {
  const out: T[] = [];
  let run: T[] = [];
  const time = (a: T) => (a.event.Timestamp ? new Date(a.event.Timestamp).getTime() : Number.NaN);
  for (const a of batch) {
    if (run.length > 0 && time(a) !== time(run[0]!)) {
      out.push(...run.reverse());
      run = [];
    }
    run.push(a);
  }
  out.push(...run.reverse());
  return out;
}

export class ProgressRenderer {
  private readonly seen: StackEvent[] = [];
  /** This poll's activities, held until toolkit-lib's loop over them is done (see Order above). */
  private pending: StackActivityLike[] = [];
  private release?: NodeJS.Immediate;
  /** When CloudFormation started (monitoring began); elapsed time counts from here. */
  private started = Date.now();
  private readonly inProgress = new Map<string, StackEvent>();
  private total?: number;
  private completed = 0;

  /** `verb` is what the operation does to the stack, e.g. "deploying". */
  constructor(
    private readonly ctx: CommandContext,
    private readonly verb: string,
    private readonly stackName: string,
  ) {}

  /** True once CloudFormation is at work on the stack (monitoring started). */
  monitoring = false;

  /** toolkit-lib's start of monitoring (CDK_TOOLKIT_I5501), with the expected number of resources. */
  start(resourcesTotal?: number): void {
    if (!this.monitoring) this.started = Date.now();
    this.monitoring = true;
    if (resourcesTotal !== undefined) this.total = resourcesTotal;
    this.redraw();
  }

  /** Every event so far, in CloudFormation's order (held ones included). */
  get events(): StackEvent[] {
    this.flush();
    return this.seen;
  }

  activity(activity: StackActivityLike): void {
    this.pending.push(activity);
    this.release ??= setImmediate(() => this.flush());
  }

  /** Shows the held activities now (toolkit-lib returned, or the command is about to write its result). */
  flush(): void {
    if (this.release) clearImmediate(this.release);
    this.release = undefined;
    for (const a of inWrittenOrder(this.pending.splice(0))) this.show(a);
  }

  private show(activity: StackActivityLike): void {
    const e = activity.event;
    this.seen.push(e);
    if (activity.progress) {
      // Counted as toolkit-lib counted them; a reordered run must not make the count go back.
      this.completed = Math.max(this.completed, activity.progress.completed);
      if (activity.progress.total !== undefined) this.total = activity.progress.total;
    }
    const id = e.LogicalResourceId ?? '';
    const status = e.ResourceStatus ?? '';
    if (status.endsWith('_IN_PROGRESS')) this.inProgress.set(id, e);
    else this.inProgress.delete(id);

    const { io } = this.ctx;
    if (io.json) {
      io.event({
        type: 'resource',
        stack: e.StackName ?? this.stackName,
        logicalId: id,
        resourceType: e.ResourceType,
        status,
        ...(e.ResourceStatusReason ? { reason: e.ResourceStatusReason } : {}),
        ...(e.PhysicalResourceId ? { physicalId: e.PhysicalResourceId } : {}),
        timestamp: e.Timestamp ? new Date(e.Timestamp).toISOString() : undefined,
        completed: this.completed,
        ...(this.total !== undefined ? { total: this.total } : {}),
        elapsedMs: Date.now() - this.started,
      });
      return;
    }
    const failed = status.endsWith('_FAILED');
    if (io.live) {
      // Failures stay on screen; everything else only moves the live line.
      if (failed && !isCascadeReason(e.ResourceStatusReason)) io.line(this.eventLine(e));
      this.redraw();
      return;
    }
    io.info(this.eventLine(e));
  }

  /** Elapsed milliseconds since CloudFormation started. */
  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  private counter(): string {
    return this.total !== undefined ? `${this.completed}/${this.total}` : `${this.completed}`;
  }

  private eventLine(e: StackEvent): string {
    const s = this.ctx.io.style;
    const status = e.ResourceStatus ?? '';
    const paint = status.endsWith('_FAILED') ? s.bad : status.endsWith('_COMPLETE') ? s.good : (x: string) => x;
    const reason = e.ResourceStatusReason ? s.dim(`  ${e.ResourceStatusReason}`) : '';
    return `  ${s.dim(`[${this.counter()}] ${formatElapsed(this.elapsedMs).padStart(6)}`)}  ${paint(status.padEnd(20))} ${e.LogicalResourceId ?? ''} ${s.dim(`(${e.ResourceType ?? ''})`)}${reason}`;
  }

  private redraw(): void {
    const current = [...this.inProgress.values()].pop();
    const doing = current ? `  ${current.ResourceStatus?.replace(/_IN_PROGRESS$/, '').toLowerCase()} ${current.LogicalResourceId} (${current.ResourceType})` : '';
    this.ctx.io.progress(`${this.verb} ${this.stackName}  [${this.counter()}]  ${formatElapsed(this.elapsedMs)}${doing}`);
  }
}
