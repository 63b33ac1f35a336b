/**
 * Typed errors. Every command throws one of these for anything a user can act on; `main.ts` is the only place
 * that turns them into an exit code. Anything else that escapes is an internal error (a bug in tapctl).
 */

/** Documented in the README; used by every command. */
export const ExitCode = {
  Success: 0,
  Failed: 1,
  Usage: 2,
  Refused: 3,
  Interrupted: 130,
  /** SIGTERM (a CI job cancelled, a container stopped): 128 + 15, as a shell reports it. */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface TapctlErrorOptions {
  /** One line: what to do about it. */
  readonly hint?: string;
  readonly cause?: unknown;
  /** Extra structured detail for --json and the renderer (e.g. config issues). */
  readonly details?: unknown;
}

export abstract class TapctlError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Stable machine-readable code, part of the --json contract. */
  abstract readonly code: string;
  readonly hint?: string;
  readonly details?: unknown;

  constructor(message: string, options: TapctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** Bad flags, arguments or configuration (exit 2). */
export class UsageError extends TapctlError {
  readonly exitCode = ExitCode.Usage;
  readonly code = 'usage';
}

/** The config file is missing or invalid (exit 2). `details` holds the issues. */
export class ConfigError extends TapctlError {
  readonly exitCode = ExitCode.Usage;
  readonly code = 'config';
}

/** A safety check refused to go on: wrong account, destructive change, no approval (exit 3). */
export class RefusedError extends TapctlError {
  readonly exitCode = ExitCode.Refused;
  readonly code = 'refused';
}

/** The operation was attempted and failed: AWS said no, a build failed (exit 1). */
export class OperationError extends TapctlError {
  readonly exitCode = ExitCode.Failed;
  readonly code: string;
  constructor(message: string, options: TapctlErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'failed';
  }
}

/**
 * `tapctl run`: the container ran and exited with a code other than 0, which tapctl passes through as its own exit
 * code. Not one of tapctl's codes (1 2 3 130 mean what the README says only when `code` is not 'container-exit'):
 * with --json, `error.code` tells them apart and `error.details.containerExitCode` holds the container's code.
 */
export class ContainerExitError extends TapctlError {
  readonly code = 'container-exit';
  readonly exitCode: ExitCode;
  constructor(
    readonly containerExitCode: number,
    message: string,
    options: TapctlErrorOptions = {},
  ) {
    super(message, options);
    // The container's code, whatever it is: the process exit status takes 0-255 (ECS reports the same range).
    this.exitCode = (containerExitCode & 0xff) as ExitCode;
  }
}

/** The signals that stop a command early: the reason the command's AbortSignal is aborted with (cli/main.ts). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Ctrl-C (exit 130), or SIGTERM (exit 143). `code` is 'interrupted' for both; `exitCode` tells them apart. */
export class InterruptedError extends TapctlError {
  readonly exitCode: ExitCode;
  readonly code = 'interrupted';
  constructor(
    message: string,
    options: TapctlErrorOptions & { signal?: StopSignal } = {},
  ) {
    super(message, options);
    this.exitCode = options.signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
  }

  /** The same interruption, reported as caused by SIGTERM (exit 143). */
  terminated(): InterruptedError {
    if (this.exitCode === ExitCode.Terminated) return this;
    return new InterruptedError(`${this.message} (SIGTERM)`, {
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
      cause: this,
      signal: 'SIGTERM',
    });
  }
}

export function isTapctlError(e: unknown): e is TapctlError {
  return e instanceof TapctlError;
}
