/**
 * The check lines deploy prints before anything changes: one per check (pass / fail / warn / skip and why),
 * also sent as `check` events with --json. A real deploy stops at the first failure; a dry run collects them.
 */
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, type TapctlError } from '../cli/errors.js';
import type { CheckStatus } from '../cli/io-host.js';

export interface CheckRecord {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail?: string;
}

export class CheckList {
  readonly records: CheckRecord[] = [];
  failure?: TapctlError;
  /** Each failed check's error, by check name (a dry run's Next reads what fixes them). */
  readonly errors = new Map<string, TapctlError>();

  constructor(
    private readonly ctx: CommandContext,
    /** A dry run: collect failures instead of stopping at the first. */
    readonly collect: boolean,
  ) {}

  report(status: CheckStatus, name: string, detail?: string): void {
    this.records.push({ name, status, ...(detail ? { detail } : {}) });
    this.ctx.io.check(status, name, detail);
    this.ctx.io.event({ type: 'check', name, status, ...(detail ? { detail } : {}) });
  }

  /** A failed check: a real deploy stops here, a dry run carries on. */
  fail(name: string, error: TapctlError): void {
    this.report('fail', name, error.message);
    this.errors.set(name, error);
    if (!this.collect) throw error;
    this.failure ??= error;
  }

  /** Runs a check that reports its own pass/warn/skip line, or throws the error that fails it. */
  async run<T>(name: string, check: () => Promise<T>): Promise<T | undefined> {
    try {
      return await check();
    } catch (e) {
      if (!isTapctlError(e) || e instanceof InterruptedError) throw e;
      this.fail(name, e);
      return undefined;
    }
  }
}
