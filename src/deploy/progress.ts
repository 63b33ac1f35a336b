/**
 * Live progress of a CloudFormation operation, fed by toolkit-lib's stack activity (CDK_TOOLKIT_I5502).
 *
 * - a person at a terminal: one line redrawn in place (done/total, elapsed, the resource in progress), failures
 *   printed as they happen;
 * - CI (no TTY): one line per resource event;
 * - --json: one NDJSON `resource` event per resource event (docs/deploy-events.md).
 *
 * The events are kept: the failure explanation looks for the first real failure among them.
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

export class ProgressRenderer {
  readonly events: StackEvent[] = [];
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

  activity(activity: StackActivityLike): void {
    const e = activity.event;
    this.events.push(e);
    if (activity.progress) {
      this.completed = activity.progress.completed;
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
