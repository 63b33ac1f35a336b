/** What every section reader gets, and how a failed read becomes a section that says why. */
import type { AwsClients } from '../../aws/clients.js';
import { awsErrorName, explainAwsError } from '../../aws/errors.js';
import type { ResolvedEnvironment } from '../../config/resolve.js';
import type { Section, SectionErrorCode } from '../schema.js';

/** One AWS call may take this long before its section gives up (the others are not held back). */
export const CALL_TIMEOUT_MS = 10_000;

export interface SectionContext {
  readonly clients: AwsClients;
  readonly env: ResolvedEnvironment;
  readonly outputs: Readonly<Record<string, string>>;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
}

/** Options for one SDK `send`: cancelled by Ctrl-C or after CALL_TIMEOUT_MS. */
export function callOptions(signal: AbortSignal): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.any([signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]) };
}

export const ok = <T>(data: T): Section<T> => ({ state: 'ok', data });
export const absent = (reason: string): Section<never> => ({ state: 'absent', reason });

/**
 * `what` reads as "while <what>", e.g. "reading ECS service shop-service-dev". An abort that Ctrl-C did not
 * cause is our own time-out (the SDK reports both as AbortError).
 */
export function sectionError(e: unknown, what: string, signal: AbortSignal): Section<never> {
  const name = awsErrorName(e);
  if ((name === 'TimeoutError' || name === 'AbortError') && !signal.aborted) {
    return { state: 'error', error: { code: 'timeout', message: `no answer from AWS within ${CALL_TIMEOUT_MS / 1000} s while ${what}` } };
  }
  const explained = explainAwsError(e, what);
  const code: SectionErrorCode =
    explained.code === 'access-denied' || explained.code === 'network' || explained.code === 'aws'
      ? explained.code
      : explained.code === 'usage'
        ? 'credentials'
        : 'aws';
  return { state: 'error', error: { code, message: explained.message } };
}

/** True for the SDK's "no such thing" answers, which make a section absent rather than failed. */
export function isNotFound(e: unknown, ...names: string[]): boolean {
  const n = awsErrorName(e);
  return names.includes(n) || /not ?found/i.test(n);
}

export const iso = (d: Date | undefined | null): string | null => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : null);
