/** Turns AWS SDK failures into errors a person can act on. */
import { OperationError, UsageError, type TapctlError } from '../cli/errors.js';

export function awsErrorName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

export function isMissingCredentials(e: unknown): boolean {
  const name = awsErrorName(e);
  const message = (e as Error)?.message ?? '';
  return name === 'CredentialsProviderError' || /Could not load credentials|Unable to locate credentials|profile .* could not be found/i.test(message);
}

export function isAccessDenied(e: unknown): boolean {
  return /AccessDenied|UnauthorizedOperation|AuthorizationError|not authorized/i.test(`${awsErrorName(e)} ${(e as Error)?.message ?? ''}`);
}

/** What to tell the user about an SDK error, while doing `what` (e.g. "reading stack TapStack-shop-dev"). */
export function explainAwsError(e: unknown, what: string): TapctlError {
  const name = awsErrorName(e);
  const message = (e as Error)?.message ?? String(e);
  if (isMissingCredentials(e)) {
    return new UsageError(`no AWS credentials found while ${what}`, {
      hint: 'sign in (aws sso login, or set AWS_PROFILE / AWS_ACCESS_KEY_ID), or pass --profile <name>',
      cause: e,
    });
  }
  if (/ExpiredToken|TokenRefreshRequired|expired/i.test(`${name} ${message}`)) {
    return new UsageError(`your AWS session has expired (${what})`, { hint: 'sign in again, e.g. aws sso login', cause: e });
  }
  if (isAccessDenied(e)) {
    return new OperationError(`AWS denied access while ${what}: ${message}`, { hint: 'your role needs this permission; ask your AWS administrator', cause: e, code: 'access-denied' });
  }
  if (name === 'TimeoutError' || /requestTimeout|connectionTimeout/.test(message)) {
    return new OperationError(`no answer from AWS while ${what}: the request timed out`, {
      hint: 'check your network, proxy or the environment endpoint; TAPCTL_AWS_TIMEOUT_MS sets the limit (ms)',
      cause: e,
      code: 'timeout',
    });
  }
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|socket hang up/i.test(`${(e as { code?: string })?.code ?? ''} ${message}`)) {
    return new OperationError(`could not reach AWS while ${what}: ${message}`, { hint: 'check your network, proxy or the environment endpoint', cause: e, code: 'network' });
  }
  return new OperationError(`${what} failed: ${name ? `${name}: ` : ''}${message}`, { cause: e, code: 'aws' });
}
