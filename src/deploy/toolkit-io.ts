/**
 * tapctl's IoHost for toolkit-lib (style.md pattern 1): CDK's own messages flow into `ctx.io`.
 *
 * - stack activity (CDK_TOOLKIT_I5501 start, I5502 events) goes to the progress renderer;
 * - the deploy approval (CDK_TOOLKIT_I5060) goes to tapctl's approval logic. Its defaultResponse is `true`, so
 *   this host decides every request itself and never hands a default back;
 * - warnings and errors are shown, except the ones that only make sense for the CDK CLI (they name its flags or
 *   commands) or are noise for a tapctl user (see `toolkitWarning`); everything else is debug output (--verbose);
 * - every message counts as activity for the silence watchdog (toolkit-session.ts `boundSilence`), except that the
 *   clock stops while a question waits for its answer.
 *
 * Ctrl-C: toolkit-lib takes no AbortSignal. Once the signal is aborted, the next plain progress message
 * toolkit-lib awaits (its wait loops emit one per poll) is answered with an InterruptedError, which unwinds the
 * wait; the command itself stops watching at once (see `interruptible`).
 */
import type { IIoHost, IoMessage, IoRequest } from '@aws-cdk/toolkit-lib';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, OperationError, type TapctlError } from '../cli/errors.js';
import type { ProgressRenderer, StackActivityLike } from './progress.js';

export interface ApprovalRequest {
  /** toolkit-lib's question, including its formatted diff (the security diff when permissions change). */
  readonly message: string;
  readonly permissionChangeType: 'none' | 'non-broadening' | 'broadening';
  readonly templateDiffs: Record<string, unknown>;
}

export interface ToolkitIoHandlers {
  /** Where stack activity goes. */
  readonly progress?: ProgressRenderer;
  /** Decides CDK_TOOLKIT_I5060 (deploy these changes?). Without it, every deploy request is denied. */
  readonly approveDeploy?: (request: ApprovalRequest) => Promise<boolean>;
  /** Decides CDK_TOOLKIT_I7010 (destroy these stacks?): the command asked the person before calling destroy. */
  readonly destroyConfirmed?: boolean;
  /** Receives CDK_TOOLKIT_I5900, the per-stack deploy result (`noOp` says whether anything changed). */
  readonly onStackResult?: (result: { noOp?: boolean; stackArn?: string; outputs?: Record<string, string> }) => void;
}

/**
 * Failure summaries toolkit-lib sends before it throws (deploy, destroy, bootstrap, and an asset that failed to
 * publish): the command explains the failure itself (failure.ts), once.
 */
const EXPLAINED_BY_TAPCTL = new Set(['CDK_TOOLKIT_E7900', 'CDK_TOOLKIT_E9900', 'CDK_TOOLKIT_E6900', 'CDK_ASSETS_E5279']);

/** toolkit-lib warnings that say nothing a tapctl user can act on. */
const NOISE: readonly RegExp[] = [
  // The CDK deploy/lookup role could not be assumed, and the caller's own credentials (already checked to be for
  // the environment's account) are used instead.
  /Proceeding anyway\.?$/,
  /was not assumed\. Proceeding with default credentials/,
  // tapctl bootstraps an account for itself only (no --trust), which CDK gives its default execution policy.
  /^Using default execution policy of /,
];

/**
 * toolkit-lib warnings written for the CDK CLI's own prompt, said in tapctl's words. toolkit-lib's diff asks the
 * reader to "confirm" a broadening change, but a diff or a dry run asks nothing; a deploy asks at its approval.
 */
const REWORDED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^This deployment will make potentially sensitive changes[\s\S]*Please confirm you intend to make the following modifications:?\s*$/, 'this change broadens permissions (IAM policies or security group rules); a deploy shows them and asks for approval'],
];

/** A CDK CLI flag ('--force') or command ('cdk deploy'): tapctl has neither. */
const CDK_CLI = /(?:^|[\s'"`(])--[a-z][a-z0-9-]*|\bcdk (?:deploy|destroy|bootstrap|diff|synth|import|rollback|gc|watch)\b/;

/**
 * What of a toolkit-lib warning a tapctl user should see: the text without the sentences and parentheses that
 * point at the CDK CLI, or undefined when nothing worth showing is left (it goes to debug output then).
 */
export function toolkitWarning(text: string): string | undefined {
  if (NOISE.some((p) => p.test(text))) return undefined;
  const reworded = REWORDED.find(([p]) => p.test(text));
  if (reworded) return reworded[1];
  if (!CDK_CLI.test(text)) return text;
  const kept = text
    .replace(/\s*\([^)]*\)/g, (m) => (CDK_CLI.test(m) ? '' : m))
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => !CDK_CLI.test(sentence))
    .join(' ')
    .trim();
  return kept && /[a-z]/i.test(kept) ? kept : undefined;
}

/** toolkit-lib's report of one SDK call it made (trace level). */
const SDK_CALL = 'CDK_SDK_I0100';

export interface ChangeSetDeletionWait {
  readonly since: number;
  readonly changeSet: string;
  readonly stack: string;
}

export class ToolkitIoHost implements IIoHost {
  private readonly shownWarnings = new Set<string>();
  private lastActivity = Date.now();
  private openQuestions = 0;
  private stopped?: TapctlError;
  /** toolkit-lib waits for a change set to finish deleting (its poll loop has no bound of its own). */
  private deletionWait?: ChangeSetDeletionWait;

  constructor(
    private readonly ctx: CommandContext,
    private readonly handlers: ToolkitIoHandlers = {},
  ) {}

  /** Milliseconds since toolkit-lib last said anything; 0 while a question waits for a person. */
  quietMs(now = Date.now()): number {
    return this.openQuestions > 0 ? 0 : now - this.lastActivity;
  }

  /** Restarts the silence clock (a new toolkit call begins). */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /**
   * The change set toolkit-lib is waiting on to finish deleting, and for how long, or undefined. Its wait polls
   * DescribeChangeSet every 5 s with no bound, and those polls are SDK calls, which count as activity: without
   * this, a change set that never finishes deleting (an emulator, a stuck stack) keeps tapctl waiting forever.
   */
  changeSetDeletionWait(now = Date.now()): (ChangeSetDeletionWait & { readonly ms: number }) | undefined {
    return this.deletionWait ? { ...this.deletionWait, ms: now - this.deletionWait.since } : undefined;
  }

  /** tapctl stopped waiting (AWS went silent): toolkit-lib's next wait-loop message fails with `reason`. */
  stop(reason: TapctlError): void {
    this.stopped = reason;
  }

  async notify(msg: IoMessage<unknown>): Promise<void> {
    this.lastActivity = Date.now();
    // Plain messages (no code) are the ones toolkit-lib's wait loops await on every poll; the monitor's own
    // timer-driven messages are left alone, since a throw there would go unhandled.
    if (msg.code === undefined) {
      if (this.ctx.signal.aborted) throw new InterruptedError('interrupted');
      if (this.stopped) throw this.stopped;
    }
    // toolkit-lib's change-set describer (`waitForGone`) says this once, then only its SDK calls are heard.
    const deleting = /^Waiting for changeset (\S+) on stack (\S+) to finish deleting/.exec(`${msg.message}`);
    if (deleting) this.deletionWait = { since: Date.now(), changeSet: deleting[1]!, stack: deleting[2]! };
    else if (msg.code !== SDK_CALL) this.deletionWait = undefined;
    const { io } = this.ctx;
    switch (msg.code) {
      case 'CDK_TOOLKIT_I5501':
        this.handlers.progress?.start((msg.data as { resourcesTotal?: number } | undefined)?.resourcesTotal);
        return;
      case 'CDK_TOOLKIT_I5502':
        this.handlers.progress?.activity(msg.data as StackActivityLike);
        return;
      case 'CDK_TOOLKIT_I5900':
        this.handlers.onStackResult?.(msg.data as { noOp?: boolean });
        break;
    }
    const text = `${msg.message}`.trim();
    if (!text) return;
    if ((msg.level === 'warn' || msg.level === 'error') && !EXPLAINED_BY_TAPCTL.has(msg.code ?? '')) {
      const shown = msg.level === 'warn' ? toolkitWarning(text) : text;
      if (shown !== undefined) {
        // toolkit-lib repeats some warnings per asset or per role; once is enough.
        if (this.shownWarnings.has(shown)) return;
        this.shownWarnings.add(shown);
        io.notify({ level: msg.level === 'warn' ? 'warn' : 'error', code: msg.code, message: shown });
        return;
      }
    }
    // SDK traces are too many even for --verbose.
    if (msg.level === 'trace') return;
    io.debug(`${msg.code ? `[${msg.code}] ` : ''}${text}`);
  }

  async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
    // A person may take their time to answer: that is not AWS being silent.
    this.openQuestions += 1;
    try {
      return await this.answer(msg);
    } finally {
      this.openQuestions -= 1;
      this.lastActivity = Date.now();
    }
  }

  private async answer<T>(msg: IoRequest<unknown, T>): Promise<T> {
    switch (msg.code) {
      case 'CDK_TOOLKIT_I5060': {
        const data = msg.data as { permissionChangeType?: ApprovalRequest['permissionChangeType']; templateDiffs?: Record<string, unknown> };
        const approved = this.handlers.approveDeploy
          ? await this.handlers.approveDeploy({ message: msg.message, permissionChangeType: data.permissionChangeType ?? 'none', templateDiffs: data.templateDiffs ?? {} })
          : false;
        return approved as T;
      }
      case 'CDK_TOOLKIT_I7010':
        return (this.handlers.destroyConfirmed === true) as T;
      case 'CDK_TOOLKIT_I5050':
        // "Roll back first, then deploy?": tapctl never deploys with --no-rollback, and refuses paused stacks in
        // preflight, so this only comes up if the stack changed state meanwhile. Say no; preflight explains next time.
        this.ctx.io.warn(`toolkit-lib asked: ${msg.message.trim()}; tapctl answers no (run tapctl deploy again for an explanation)`);
        return false as T;
      case 'CDK_SDK_I1100':
        // An MFA code for an assumed role.
        if (this.ctx.interactive) return (await this.ctx.prompter.input({ message: msg.message.trim() })) as T;
        throw new OperationError(`AWS asks for an MFA code, but there is no terminal to ask: ${msg.message.trim()}`, {
          hint: 'in CI use credentials that need no MFA prompt (a role session from your CI provider)',
        });
      default:
        // A question tapctl does not know: never answer with toolkit-lib's default. Yes/no questions get "no".
        this.ctx.io.debug(`[${msg.code}] unanswered question: ${msg.message}`);
        if (typeof msg.defaultResponse === 'boolean') return false as T;
        throw new OperationError(`toolkit-lib asked a question tapctl cannot answer: ${msg.message.trim()}`);
    }
  }
}
