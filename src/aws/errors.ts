/** Turns AWS SDK failures into errors a person can act on. */
import { InterruptedError, OperationError, UsageError, type TapctlError } from '../cli/errors.js';

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

/**
 * What answered instead of AWS, when the SDK got a response it could not read as one: an HTML page (a proxy, a
 * captive portal, a web server at the endpoint), or bytes that are neither AWS's XML nor its JSON. The SDK
 * reports these as parse errors ("Deserialization error", a SyntaxError from JSON.parse) or, for the XML
 * protocols, as an error named `Unknown` / `UnknownError`; the raw response stays on the error as `$response`.
 * Undefined for a real AWS answer.
 */
export function notAwsResponse(e: unknown): { readonly status?: number; readonly contentType?: string; readonly html: boolean } | undefined {
  const err = e as { $response?: { statusCode?: number; headers?: Record<string, string> }; $metadata?: { httpStatusCode?: number; requestId?: string }; message?: string };
  if (typeof err !== 'object' || err === null) return undefined;
  const response = err.$response;
  const status = response?.statusCode ?? err.$metadata?.httpStatusCode;
  const contentType = responseHeader(response, 'content-type');
  const message = err.message ?? '';
  const html = /text\/html/i.test(contentType ?? '') || /^\s*(<!DOCTYPE html|<html)|"<!DOCTYPE |"<html/i.test(message);
  // The SDK's own parse failures carry the response's metadata; a JSON.parse elsewhere in tapctl does not.
  const parseFailure = Boolean(response || err.$metadata) && /Deserialization error|XML parse error|is not valid JSON|Unexpected token/i.test(message);
  // Every AWS error answer carries a request id; an `Unknown` error without one came from something else.
  const unknownWithoutAws = /^Unknown(Error)?$/.test(awsErrorName(e)) && !err.$metadata?.requestId && Boolean(response);
  // aws/html-answers.ts: an answer no AWS service gives (an empty HTTP 200 without a request id).
  const refused = (err as { notAws?: boolean }).notAws === true;
  if (!html && !parseFailure && !unknownWithoutAws && !refused) return undefined;
  return { ...(status !== undefined ? { status } : {}), ...(contentType ? { contentType } : {}), html };
}

/**
 * Error codes for credentials AWS refuses outright (a deleted or mistyped access key, a signature from a wrong
 * secret): https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
 */
const REJECTED_CREDENTIALS = /^(InvalidClientTokenId|UnrecognizedClientException|InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSignatureException)$/;
/** Rate limiting, by the names the services use (the SDK has already retried these). */
const THROTTLED = /^(Throttling|ThrottlingException|ThrottledException|TooManyRequestsException|RequestLimitExceeded|RequestThrottled|RequestThrottledException|SlowDown)$/;
/** AWS's own failures (HTTP 5xx with an AWS error code). */
const AWS_INTERNAL = /^(InternalFailure|InternalError|InternalServerError|InternalServiceError|InternalServiceException|ServiceUnavailable|ServiceUnavailableException)$/;

/** A header of an HTTP response as the SDK holds it, whatever the case of its name. */
export function responseHeader(response: { headers?: Record<string, string> } | undefined, name: string): string | undefined {
  return Object.entries(response?.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
}

/** What to tell the user about an SDK error, while doing `what` (e.g. "reading stack TapStack-shop-dev"). */
export function explainAwsError(e: unknown, what: string): TapctlError {
  const name = awsErrorName(e);
  const message = (e as Error)?.message ?? String(e);
  if (isMissingCredentials(e)) {
    // The chain's own words when they say more than "none" (an SSO token to refresh; a profile's problem, as
    // aws/credential-problem.ts words it), with the hint that goes with them.
    const specific = /Could not load credentials from any providers|Unable to locate credentials/i.test(message) ? '' : `: ${message}`;
    return new UsageError(`no AWS credentials found while ${what}${specific}`, {
      hint: (e as { hint?: string }).hint ?? 'sign in (aws sso login, or set AWS_PROFILE / AWS_ACCESS_KEY_ID), or pass --profile <name>',
      cause: e,
    });
  }
  if (REJECTED_CREDENTIALS.test(name)) {
    return new UsageError(`AWS does not accept your credentials while ${what}: ${message}`, {
      hint: 'a wrong or deleted access key, a wrong secret key, a key of another partition, or this machine\'s clock off by minutes: sign in again, or check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / your profile',
      cause: e,
    });
  }
  const foreign = notAwsResponse(e);
  if (foreign) {
    const answer = foreign.html ? 'an HTML page' : `something that is not an AWS response${foreign.contentType ? ` (${foreign.contentType})` : ''}`;
    return new OperationError(`while ${what}, the endpoint answered with ${answer}${foreign.status ? `, HTTP ${foreign.status}` : ''}: that is not AWS`, {
      hint: 'a proxy, a captive portal or a wrong endpoint answers instead of AWS: check HTTPS_PROXY / HTTP_PROXY, the network, and the environment\'s endpoint (or AWS_ENDPOINT_URL)',
      cause: e,
      code: 'not-aws-response',
    });
  }
  if (/ExpiredToken|TokenRefreshRequired|expired/i.test(`${name} ${message}`)) {
    return new UsageError(`your AWS session has expired while ${what}`, { hint: 'sign in again, e.g. aws sso login', cause: e });
  }
  if (THROTTLED.test(name)) {
    return new OperationError(`AWS is throttling requests while ${what}: ${message}`, {
      hint: 'wait a minute and run it again; something else in the account may be calling the same API heavily',
      cause: e,
      code: 'throttled',
    });
  }
  if (AWS_INTERNAL.test(name)) {
    return new OperationError(`AWS failed on its side while ${what}: ${name}: ${message}`, {
      hint: 'run it again in a moment; the AWS Health Dashboard (https://health.aws.amazon.com/health/status) lists service events',
      cause: e,
      code: 'aws-internal',
    });
  }
  if (isAccessDenied(e)) {
    return new OperationError(`AWS denied access while ${what}: ${message}`, { hint: 'your role needs this permission; ask your AWS administrator', cause: e, code: 'access-denied' });
  }
  // A call aborted by Ctrl-C (AwsClients' signal, or a send's abortSignal); tapctl's own time-outs are TimeoutErrors.
  if (name === 'AbortError') return new InterruptedError(`interrupted while ${what}`, { cause: e });
  if (name === 'TimeoutError' || /requestTimeout|connectionTimeout/.test(message)) {
    const within = /within [\d.]+ s/.exec(message)?.[0];
    return new OperationError(`no answer from AWS while ${what}: the request timed out${within ? ` (${within}, all attempts together)` : ''}`, {
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
