/**
 * The last chance to explain an error before it reaches the person: an AWS SDK error or a file-system error that
 * escaped a command's own handling is still something the user can act on, never "a bug in tapctl".
 */
import { quote } from './quote.js';
import { explainAwsError } from '../aws/errors.js';
import { ConfigError, isTapctlError, UsageError } from './errors.js';

const isObject = (e: unknown): e is Record<string, unknown> => typeof e === 'object' && e !== null;

function isAwsSdkError(e: unknown): boolean {
  return isObject(e) && ('$metadata' in e || '$fault' in e || e.name === 'CredentialsProviderError' || e.name === 'TimeoutError');
}

const SYSTEM_ERRORS: Record<string, string> = {
  EEXIST: 'a file is in the way',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/** Errors the YAML parser and zod raise: always about text a user wrote. */
const PARSER_ERRORS = new Set(['YAMLParseError', 'YAMLWarning', 'YAMLError', 'ZodError', '$ZodError']);

export function toUserError(e: unknown): unknown {
  if (isTapctlError(e)) return e;
  if (e instanceof Error && PARSER_ERRORS.has(e.name)) {
    return new ConfigError(e.message.split('\n')[0], { hint: 'check the file or value it names (tapctl validate shows every problem of tapctl.config.yaml)', cause: e });
  }
  if (isAwsSdkError(e)) return explainAwsError(e, 'calling AWS');
  // toolkit-lib wraps SDK errors; the cause is what the person can act on.
  if (e instanceof Error && isAwsSdkError(e.cause)) return explainAwsError(e.cause, e.message.split('\n')[0]);
  if (isObject(e) && typeof e.code === 'string' && typeof e.syscall === 'string' && SYSTEM_ERRORS[e.code]) {
    const path = typeof e.path === 'string' ? ` ${quote(e.path)}` : '';
    return new UsageError(`cannot ${e.syscall}${path}: ${SYSTEM_ERRORS[e.code]} (${e.code})`, {
      hint: 'check the path you gave (--dir, --out, --outputs-file) and its permissions',
      cause: e,
    });
  }
  return e;
}
